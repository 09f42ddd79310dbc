// DRF: Dominant Resource Fairness across tenants (Ghodsi et al., "Dominant Resource Fairness: Fair
// Allocation of Multiple Resource Types", NSDI 2011, Algorithm 1, with weights as in §5.1.2).
//
// Resources: the platform's GPUs, CPU cores and memory (totals over every server; memory counts
// only where servers declare it, and a resource with a zero total is left out). A tenant's share of
// a resource is what its running jobs hold of it over the total; its dominant share is the largest
// of these, divided by its weight (`weights`: {tenant: weight}, default 1 for every tenant).
// Each pass repeatedly offers the next start to the tenant with the lowest weighted dominant share
// that still has a pending job that fits; the tenant's jobs are tried in arrival order and the
// first one that fits starts (a tenant whose jobs all fail to fit is passed over for the rest of
// the pass). Shares are updated after every start. Ties go to the tenant whose next job arrived
// first. Non-preemptive: a tenant above its fair share keeps what it runs until its jobs end.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <queue>
#include <tuple>
#include <unordered_map>

#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/core/cluster.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

class Drf final : public Scheduler {
 public:
  explicit Drf(std::map<std::string, double> weights) : weights_(std::move(weights)) {}

  void schedule(SchedulingContext& ctx) override {
    if (!totals_known_) learn_totals(ctx.cluster());
    const bool full = watch_.begin(ctx);
    sync_queues(ctx);
    // Shares: kept up to date by this policy's starts and the core's on_run_end() (in integer
    // micro-units, so adding and removing a job leaves the sums exact and ties stay ties). Jobs
    // running before this policy first ran are counted once. Candidates: every pending job, or,
    // without a release since the last pass (a completion, a VM shut down), only the new arrivals (the others did not fit then
    // and still do not).
    if (!seen_running_) {
      seen_running_ = true;
      for (JobIndex j : ctx.running())
        if (j >= use_.size() || !use_[j].known) {
          record_use(ctx, j);
          if (use_[j].known) add_use(tenants_[use_[j].tenant], use_[j], +1);
        }
    }
    // Min-heap of (weighted dominant share, next job's arrival index, tenant).
    using Offer = std::tuple<double, JobIndex, std::size_t>;
    std::priority_queue<Offer, std::vector<Offer>, std::greater<>> offers;
    for (std::size_t t = 0; t < tenants_.size(); ++t) {
      Tenant& tenant = tenants_[t];
      tenant.next = full ? 0
                         : static_cast<std::size_t>(std::lower_bound(tenant.queue.begin(), tenant.queue.end(), watch_.first_new()) -
                                                    tenant.queue.begin());
      if (tenant.next < tenant.queue.size()) offers.emplace(share(tenant), tenant.queue[tenant.next], t);
    }
    memo_.new_pass(ctx);
    while (!offers.empty() && !memo_.nothing_fits(ctx)) {
      std::size_t t = std::get<2>(offers.top());
      offers.pop();
      Tenant& tenant = tenants_[t];
      bool started = false;
      while (!started && tenant.next < tenant.queue.size()) {
        JobIndex j = tenant.queue[tenant.next++];
        if (memo_.known_unfit(ctx, j)) continue;
        if (ctx.try_start(j)) {
          record_use(ctx, j);
          add_use(tenant, use_[j], +1);
          tenant.dirty = true;
          watch_.started();
          started = true;
        } else {
          memo_.mark_unfit(ctx, j);
        }
      }
      if (started && tenant.next < tenant.queue.size()) offers.emplace(share(tenant), tenant.queue[tenant.next], t);
    }
    watch_.end(ctx);
  }

  void on_run_end(JobIndex j) override {
    if (j >= use_.size() || !use_[j].known) return;
    add_use(tenants_[use_[j].tenant], use_[j], -1);
    use_[j].known = false;
  }

 private:
  struct Tenant {
    double weight = 1;
    std::int64_t gpus_u = 0, cpus_u = 0, mem_u = 0;  // held by running jobs, micro-units (GPU, CPU, GiB)
    std::vector<JobIndex> queue;             // pending, arrival order
    bool dirty = false;                      // some of its queue started
    std::size_t next = 0;                    // next job to offer in this pass
  };
  struct Use {  // what a running job holds, recorded when it starts
    bool known = false;
    std::size_t tenant = 0;
    std::int64_t gpus_u = 0, cpus_u = 0, mem_u = 0;  // micro-units
  };
  static std::int64_t micro(double x) { return std::llround(x * 1e6); }

  // Per-tenant queues mirror pending(): arrivals are appended, started jobs dropped; anything else
  // (a job put back by a preemption) makes them rebuild.
  void sync_queues(const SchedulingContext& ctx) {
    for (auto& t : tenants_) {
      if (!t.dirty) continue;
      queued_count_ -= t.queue.size();
      std::erase_if(t.queue, [&](JobIndex j) { return !ctx.is_pending(j); });
      queued_count_ += t.queue.size();
      t.dirty = false;
    }
    const std::vector<JobIndex>& pending = ctx.pending();
    for (auto it = std::lower_bound(pending.begin(), pending.end(), next_unseen_); it != pending.end(); ++it) {
      std::size_t t = tenant_of(ctx, *it);
      tenants_[t].queue.push_back(*it);
      ++queued_count_;
    }
    if (!pending.empty()) next_unseen_ = std::max<JobIndex>(next_unseen_, pending.back() + 1);
    if (queued_count_ == pending.size() && ctx.pending_reshuffles() == reshuffles_) return;
    reshuffles_ = ctx.pending_reshuffles();
    for (auto& t : tenants_) t.queue.clear();
    for (JobIndex j : pending) {
      std::size_t t = tenant_of(ctx, j);
      tenants_[t].queue.push_back(j);
    }
    queued_count_ = pending.size();
  }

  void record_use(const SchedulingContext& ctx, JobIndex j) {
    if (j >= use_.size()) use_.resize(j + 1);
    JobStatus s = ctx.status(j);
    if (s.state != JobState::running) return;
    Use u;
    u.known = true;
    u.tenant = tenant_of(ctx, j);
    u.gpus_u = micro(scheduling::allocated_gpus(*s.allocation));
    for (const auto& server : s.allocation->servers) {
      u.cpus_u += micro(server.cpus);
      u.mem_u += micro(server.mem_gib);
    }
    use_[j] = u;
  }

  static void add_use(Tenant& t, const Use& u, int sign) {
    t.gpus_u += sign * u.gpus_u;
    t.cpus_u += sign * u.cpus_u;
    t.mem_u += sign * u.mem_u;
  }

  void learn_totals(const Cluster& c) {
    total_gpus_ = static_cast<double>(c.gpus.size());
    for (const auto& s : c.servers) {
      total_cpus_ += s.cores;
      if (s.memory_gib > 0) total_mem_gib_ += s.memory_gib;
    }
    totals_known_ = true;
  }

  // The tenant's index; a tenant is added (with its weight) the first time one of its jobs is seen.
  std::size_t tenant_of(const SchedulingContext& ctx, JobIndex j) {
    if (j < job_tenant_.size() && job_tenant_[j] >= 0) return static_cast<std::size_t>(job_tenant_[j]);
    if (j >= job_tenant_.size()) job_tenant_.resize(j + 1, -1);
    const std::string& name = ctx.spec(j).tenant;
    auto [it, inserted] = tenant_index_.try_emplace(name, tenants_.size());
    if (inserted) {
      tenants_.emplace_back();
      auto w = weights_.find(name);
      if (w != weights_.end()) tenants_.back().weight = w->second;
    }
    job_tenant_[j] = static_cast<long>(it->second);
    return it->second;
  }

  double share(const Tenant& t) const {
    double dominant = 0;
    if (total_gpus_ > 0) dominant = std::max(dominant, t.gpus_u * 1e-6 / total_gpus_);
    if (total_cpus_ > 0) dominant = std::max(dominant, t.cpus_u * 1e-6 / total_cpus_);
    if (total_mem_gib_ > 0) dominant = std::max(dominant, t.mem_u * 1e-6 / total_mem_gib_);
    return dominant / t.weight;
  }

  std::map<std::string, double> weights_;
  bool totals_known_ = false;
  bool seen_running_ = false;
  double total_gpus_ = 0, total_cpus_ = 0, total_mem_gib_ = 0;
  std::vector<Tenant> tenants_;
  std::unordered_map<std::string, std::size_t> tenant_index_;
  std::vector<long> job_tenant_;
  std::vector<Use> use_;
  std::size_t queued_count_ = 0;
  JobIndex next_unseen_ = 0;
  std::uint64_t reshuffles_ = 0;
  scheduling::PassWatch watch_;
  scheduling::FitMemo memo_;
};

}  // namespace

std::unique_ptr<Scheduler> make_drf(PolicyArgs& args) {
  std::map<std::string, double> weights = args.options.named_numbers("weights", 0, 1e12);
  for (auto it = weights.begin(); it != weights.end();) {
    if (it->second > 0) {
      ++it;
      continue;
    }
    args.options.problem("weights", "found weight 0 for tenant \"" + it->first + "\", expected a weight > 0");
    it = weights.erase(it);
  }
  return std::make_unique<Drf>(std::move(weights));
}

}  // namespace aidcsim
