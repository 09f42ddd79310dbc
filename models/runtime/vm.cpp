// `vm`: servers are carved into long-lived virtual machines from a flavour catalogue (vCPUs,
// memory, whole GPUs by passthrough). A job asks for the smallest flavour that covers its GPUs,
// CPUs and memory (by GPUs, then vCPUs, then memory); a job larger than the largest flavour takes
// ceil(gpus / its GPUs) VMs of it. A job of a tenant with an idle VM of its flavour starts in that VM
// at once; otherwise the placement policy places the flavour and the new VM(s) boot (`boot_s`)
// before the job's work. A VM hosts one job at a time; when the job ends it stays booted and keeps
// its resources for its tenant's next job, and shuts down (freeing them) after `idle_timeout_s`
// without one. Inside a VM, GPU work takes (1 + gpu_overhead) and CPU work (1 + cpu_overhead) times
// as long. GPU sharing must be `exclusive` (passthrough gives whole GPUs).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>
#include <set>

#include "models/runtime/runtimes.hpp"
#include "models/runtime/vm_consolidation.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

struct Flavour {
  std::string name;
  int gpus = 0;
  double vcpus = 0;
  double mem_gib = 0;
};

constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;

struct Vm {
  std::size_t flavour = 0;
  std::string tenant;
  Allocation allocation;  // its share of one server
  ServerIndex server = 0;
  bool busy = false;
  double idle_since_s = 0;
  double ready_s = 0;     // end of its boot
  bool alive = true;
  bool migrating = false;
  std::optional<JobIndex> job;  // the job running in it
  bool shared_job = false;      // that job spans several VMs (such VMs do not migrate)
};

struct VmOptions {
  std::vector<Flavour> flavours;
  double boot_s = 60;
  double idle_timeout_s = 600;
  double gpu_overhead = 0.02;
  double cpu_overhead = 0.05;
  ConsolidationOptions consolidation;
};

class VmRuntime final : public Runtime {
 public:
  explicit VmRuntime(VmOptions o) : o_(std::move(o)) {}

  std::vector<Incompatibility> incompatibilities(const PlacementPolicy& placement, const GpuSharing& sharing,
                                                 const std::string& sharing_name) const override {
    std::vector<Incompatibility> out;
    // A VM lives on one server; its passthrough GPUs too.
    if (placement.multi_gpu() == MultiGpu::spread)
      out.push_back({"/placement/multi_gpu",
                     "runtime \"vm\" places each VM on one server: expected multi_gpu \"one-server\" or "
                     "\"whole-servers\", found \"spread\""});
    if (!sharing.exclusive())
      out.push_back({"/virtualization/gpu_sharing",
                     "runtime \"vm\" passes whole GPUs through to VMs: expected gpu_sharing \"exclusive\", found \"" +
                         sharing_name + "\""});
    return out;
  }

  std::string shape_request(const JobSpec& job, Request& r) const override {
    auto [flavour, count] = flavour_for(job);
    if (count == 0) return fmt::format("no VM flavour covers {} CPUs and {} GiB for {} GPU(s)", job.cpus, job.mem_gib, job.gpus);
    const Flavour& f = o_.flavours[flavour];
    r.gpus = f.gpus * count;
    r.gpu_milli = kWholeGpuMilli;
    r.cpus = f.vcpus * count;
    r.mem_gib = f.mem_gib * count;
    return {};
  }

  std::optional<Allocation> reuse(JobIndex j, const JobSpec& job, double) override {
    auto [flavour, count] = flavour_for(job);
    if (count != 1) return std::nullopt;
    // The tenant's idle VM of this flavour that became idle first (ties: lowest VM number).
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      Vm& vm = vms_[it->second];
      if (vm.flavour != flavour || vm.tenant != job.tenant) continue;
      vm.busy = true;
      vm.job = j;
      vm.shared_job = false;
      idle_.erase(it);
      vms_of_job_[j] = {static_cast<std::size_t>(&vm - vms_.data())};
      reused_.insert(j);
      return vm.allocation;
    }
    return std::nullopt;
  }

  Startup startup(JobIndex j, const JobSpec& job, const Allocation& a, double now_s) override {
    Startup s;
    if (reused_.erase(j)) return s;
    // New VMs: one per server of the allocation.
    std::size_t flavour = flavour_for(job).first;
    std::vector<std::size_t> ids;
    for (const auto& server : a.servers) {
      Vm vm;
      vm.flavour = flavour;
      vm.tenant = job.tenant;
      vm.busy = true;
      vm.job = j;
      vm.shared_job = a.servers.size() > 1;
      vm.server = server.server;
      vm.ready_s = now_s + o_.boot_s;
      vm.allocation.servers.push_back(server);
      for (const auto& g : a.gpus)
        if (cluster_->gpus[g.gpu].server == server.server) vm.allocation.gpus.push_back(g);
      ids.push_back(vms_.size());
      vms_.push_back(std::move(vm));
      ++alive_vms_;
    }
    vms_of_job_[j] = std::move(ids);
    s.delay_s = o_.boot_s;
    return s;
  }

  void adjust(const JobSpec&, ActivityPlan& plan, const Cluster&) const override {
    for (auto& e : plan.execs) {
      double factor = 1 + (e.on_gpu ? o_.gpu_overhead : o_.cpu_overhead);
      e.flops *= factor;
    }
  }

  bool on_run_end(JobIndex j, const JobSpec&, const Allocation&, double now_s) override {
    auto it = vms_of_job_.find(j);
    if (it == vms_of_job_.end()) return false;
    for (std::size_t id : it->second) {
      Vm& vm = vms_[id];
      vm.busy = false;
      vm.job.reset();
      vm.shared_job = false;
      vm.idle_since_s = now_s;
      if (!vm.migrating) idle_.insert({now_s, id});  // a migrating VM waits for its move to end
    }
    vms_of_job_.erase(it);
    return true;
  }

  std::vector<Allocation> expire(double now_s) override {
    std::vector<Allocation> out;
    while (!idle_.empty() && idle_.begin()->first + o_.idle_timeout_s <= now_s) {
      Vm& vm = vms_[idle_.begin()->second];
      idle_.erase(idle_.begin());
      vm.alive = false;
      --alive_vms_;
      out.push_back(std::move(vm.allocation));
      vm.allocation = {};
    }
    return out;
  }
  double next_expiry_s() const override {
    return idle_.empty() ? std::numeric_limits<double>::infinity() : idle_.begin()->first + o_.idle_timeout_s;
  }

  std::vector<VmMigration> consolidate(double now_s, const Ledger& ledger) override {
    const ConsolidationOptions& c = o_.consolidation;
    if (!c.enabled || now_s < next_round_s_) return {};
    next_round_s_ = (std::floor(now_s / c.interval_s) + 1) * c.interval_s;
    std::vector<MovableVm> movable;
    std::vector<char> draining(cluster_->servers.size(), 0);
    for (std::size_t id = 0; id < vms_.size(); ++id) {
      const Vm& vm = vms_[id];
      if (!vm.alive) continue;
      if (vm.migrating) draining[vm.server] = 1;
      if (vm.migrating || vm.ready_s > now_s || vm.shared_job) continue;
      const Flavour& f = o_.flavours[vm.flavour];
      int model = vm.allocation.gpus.empty() ? -1 : cluster_->gpus[vm.allocation.gpus.front().gpu].model_index;
      movable.push_back({id, vm.server, f.gpus, model, f.vcpus, f.mem_gib});
    }
    std::vector<VmMigration> out;
    for (PlannedMove& move : plan_consolidation(*cluster_, ledger, movable, draining, c.max_migrations)) {
      Vm& vm = vms_[move.vm];
      vm.migrating = true;
      if (!vm.busy) idle_.erase({vm.idle_since_s, move.vm});  // not reused nor shut down while it moves
      VmMigration m;
      m.vm = move.vm;
      m.from = vm.allocation;
      m.to = std::move(move.to);
      m.from_server = vm.server;
      m.to_server = move.to_server;
      m.slowdown = c.slowdown;
      m.transfer.memory_bytes = o_.flavours[vm.flavour].mem_gib * kBytesPerGib;
      m.transfer.dirty_bytes_per_s = vm.busy ? c.dirty_bytes_per_s : 0;
      m.transfer.stop_bytes = c.stop_bytes;
      m.transfer.max_rounds = c.max_rounds;
      if (c.gpu_memory)  // copied only if a job still runs in the VM when it pauses
        for (const auto& g : vm.allocation.gpus) m.transfer.job_state_bytes += cluster_->gpus[g.gpu].memory_gib * kBytesPerGib;
      out.push_back(std::move(m));
    }
    return out;
  }
  double next_consolidation_s() const override {
    // No VM, nothing to consolidate: no wake-up that would keep an otherwise finished run going.
    return o_.consolidation.enabled && alive_vms_ > 0 ? next_round_s_ : std::numeric_limits<double>::infinity();
  }
  std::optional<JobIndex> job_in_vm(std::size_t id) const override { return vms_[id].job; }
  void migrated(const VmMigration& m, double) override {
    Vm& vm = vms_[m.vm];
    vm.migrating = false;
    vm.server = m.to_server;
    vm.allocation = m.to;
    if (!vm.busy) idle_.insert({vm.idle_since_s, m.vm});  // its idle time counts from before the move
  }

  void set_cluster(const Cluster& c) { cluster_ = &c; }

 private:
  // (flavour, how many VMs of it), or count 0 when none covers the job.
  std::pair<std::size_t, int> flavour_for(const JobSpec& job) const {
    std::size_t largest = 0;
    for (std::size_t f = 0; f < o_.flavours.size(); ++f) {
      const Flavour& fl = o_.flavours[f];
      if (fl.gpus >= job.gpus && fl.vcpus >= job.cpus && fl.mem_gib >= job.mem_gib) return {f, 1};
      if (fl.gpus > o_.flavours[largest].gpus) largest = f;
    }
    const Flavour& big = o_.flavours[largest];
    if (job.gpus <= big.gpus || big.gpus == 0) return {0, 0};
    int count = (job.gpus + big.gpus - 1) / big.gpus;
    if (big.vcpus * count < job.cpus || big.mem_gib * count < job.mem_gib) return {0, 0};
    return {largest, count};
  }

  VmOptions o_;
  std::vector<Vm> vms_;
  std::set<std::pair<double, std::size_t>> idle_;  // (idle since, VM) of idle VMs
  std::map<JobIndex, std::vector<std::size_t>> vms_of_job_;
  std::set<JobIndex> reused_;
  const Cluster* cluster_ = nullptr;
  double next_round_s_ = -std::numeric_limits<double>::infinity();
  std::size_t alive_vms_ = 0;
};

std::vector<Flavour> default_flavours() {
  // GPU flavours in the shape of the cloud's GPU instance families (8 vCPUs and 64 GiB per GPU),
  // plus CPU-only ones.
  return {{"c.2", 0, 2, 8}, {"c.8", 0, 8, 32}, {"g.1", 1, 8, 64}, {"g.2", 2, 16, 128}, {"g.4", 4, 32, 256}, {"g.8", 8, 64, 512}};
}

}  // namespace

std::unique_ptr<Runtime> make_vm_runtime(PolicyArgs& args) {
  OptionReader& r = args.options;
  VmOptions o;
  o.boot_s = r.number("boot_s", o.boot_s, 0, 1e9);
  o.idle_timeout_s = r.number("idle_timeout_s", o.idle_timeout_s, 0, kMaxTime_s);
  o.gpu_overhead = r.number("gpu_overhead", o.gpu_overhead, 0, 100);
  o.cpu_overhead = r.number("cpu_overhead", o.cpu_overhead, 0, 100);
  const nlohmann::json* given = r.raw("flavours");
  const nlohmann::json flavours = given ? *given : nlohmann::json();
  if (flavours.is_null()) {
    o.flavours = default_flavours();
  } else if (!flavours.is_array() || flavours.empty()) {
    r.problem("flavours", "expected a non-empty list of {\"name\", \"gpus\", \"vcpus\", \"mem_gib\"}");
    o.flavours = default_flavours();
  } else {
    for (std::size_t i = 0; i < flavours.size(); ++i) {
      const auto& f = flavours[i];
      bool ok = f.is_object() && f.contains("name") && f["name"].is_string();
      for (const char* k : {"gpus", "vcpus", "mem_gib"})
        ok = ok && f.contains(k) && f[k].is_number() && f[k].get<double>() >= 0;
      ok = ok && f.size() == 4 && f["gpus"].get<double>() == std::floor(f["gpus"].get<double>());
      if (!ok) {
        r.problem(fmt::format("flavours/{}", i),
                  "expected {\"name\": text, \"gpus\": whole number >= 0, \"vcpus\": number >= 0, \"mem_gib\": number >= 0}");
        continue;
      }
      o.flavours.push_back({f["name"].get<std::string>(), f["gpus"].get<int>(), f["vcpus"].get<double>(), f["mem_gib"].get<double>()});
    }
    if (o.flavours.empty()) o.flavours = default_flavours();
  }
  // Smallest first, so the first that covers a job is the smallest that does.
  std::stable_sort(o.flavours.begin(), o.flavours.end(), [](const Flavour& a, const Flavour& b) {
    return std::tie(a.gpus, a.vcpus, a.mem_gib) < std::tie(b.gpus, b.vcpus, b.mem_gib);
  });
  o.consolidation = read_consolidation_options(r);
  r.reject_unknown();
  auto vm = std::make_unique<VmRuntime>(std::move(o));
  vm->set_cluster(args.cluster);
  return vm;
}

}  // namespace aidcsim
