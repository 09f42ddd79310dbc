#include "models/runtime/vm_consolidation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace aidcsim {

ConsolidationOptions read_consolidation_options(OptionReader& vm_options) {
  ConsolidationOptions o;
  // null (or no key) and false: off; true: on with the defaults; an object: on with its options.
  const nlohmann::json* given = vm_options.raw("consolidation");
  if (given && given->is_boolean()) {
    o.enabled = given->get<bool>();
    return o;
  }
  o.enabled = given != nullptr;
  OptionReader r = vm_options.nested("consolidation");
  o.interval_s = r.number("interval_s", o.interval_s, 1e-3, kMaxTime_s);
  o.max_migrations = r.integer("max_migrations", o.max_migrations, 1, 1 << 20);
  o.slowdown = r.number("slowdown", o.slowdown, 0, 0.99);
  o.dirty_bytes_per_s = r.number("dirty_bytes_per_s", o.dirty_bytes_per_s, 0, 1e15);
  o.stop_bytes = r.number("stop_bytes", o.stop_bytes, 0, 1e18);
  o.max_rounds = r.integer("max_rounds", o.max_rounds, 1, 1000);
  o.gpu_memory = r.boolean("gpu_memory", o.gpu_memory);
  r.reject_unknown();
  return o;
}

namespace {

constexpr double kCpuEpsilon = 1e-6;

int used_gpus(const Cluster& c, const Ledger& l, ServerIndex s) {
  return static_cast<int>(c.servers[s].gpus.size()) - l.whole_free_gpus(s);
}
double used_cpus(const Cluster& c, const Ledger& l, ServerIndex s) { return c.servers[s].cores - l.free_cpus(s); }

// The VM's resources on server t, or nothing when they are not free there.
std::optional<Allocation> fit_on(const Cluster& c, const Ledger& l, const MovableVm& vm, ServerIndex t) {
  if (l.free_cpus(t) + kCpuEpsilon < vm.cpus || l.free_mem_gib(t) + kCpuEpsilon < vm.mem_gib) return std::nullopt;
  Allocation a;
  for (GpuIndex g : c.servers[t].gpus) {
    if (static_cast<int>(a.gpus.size()) == vm.gpus) break;
    if (c.gpus[g].model_index == vm.gpu_model && l.free_milli(g) == kWholeGpuMilli) a.gpus.push_back({g, kWholeGpuMilli});
  }
  if (static_cast<int>(a.gpus.size()) < vm.gpus) return std::nullopt;
  a.servers.push_back({t, vm.cpus, vm.mem_gib});
  return a;
}

}  // namespace

std::vector<PlannedMove> plan_consolidation(const Cluster& cluster, const Ledger& ledger,
                                            const std::vector<MovableVm>& movable,
                                            const std::vector<char>& draining, int max_moves) {
  std::map<ServerIndex, std::vector<const MovableVm*>> on_server;
  for (const auto& vm : movable) on_server[vm.server].push_back(&vm);
  // Candidate sources: every resource in use on them is a movable VM's.
  std::vector<ServerIndex> sources;
  for (auto& [s, vms] : on_server) {
    int gpus = 0;
    double cpus = 0;
    for (const MovableVm* vm : vms) {
      gpus += vm->gpus;
      cpus += vm->cpus;
    }
    if (gpus == used_gpus(cluster, ledger, s) && std::abs(cpus - used_cpus(cluster, ledger, s)) < kCpuEpsilon)
      sources.push_back(s);
    // Largest first: they are the hardest to fit.
    std::stable_sort(vms.begin(), vms.end(), [](const MovableVm* a, const MovableVm* b) {
      return std::tie(b->gpus, b->cpus) < std::tie(a->gpus, a->cpus);
    });
  }
  auto load = [&](ServerIndex s) { return std::make_tuple(used_gpus(cluster, ledger, s), used_cpus(cluster, ledger, s), s); };
  std::sort(sources.begin(), sources.end(), [&](ServerIndex a, ServerIndex b) { return load(a) < load(b); });

  std::vector<PlannedMove> moves;
  // Tried moves go into `plan` and are taken back when their server cannot be emptied entirely.
  Ledger plan = ledger;
  std::vector<char> emptied(cluster.servers.size(), 0), destination(cluster.servers.size(), 0);
  for (ServerIndex s : sources) {
    if (destination[s]) continue;
    const auto& vms = on_server[s];
    if (static_cast<int>(moves.size() + vms.size()) > max_moves) continue;
    const auto source_load = std::make_pair(used_gpus(cluster, ledger, s), used_cpus(cluster, ledger, s));
    std::vector<PlannedMove> tried;
    for (const MovableVm* vm : vms) {
      std::optional<Allocation> best;
      ServerIndex best_t = 0;
      std::tuple<int, double, ServerIndex> best_key{};
      // Only servers with enough wholly free GPUs (the ledger's index finds them in O(log S) each).
      for (ServerIndex t = plan.first_server_with_whole_free(vm->gpus); t < cluster.servers.size();
           t = plan.first_server_with_whole_free(vm->gpus, t + 1)) {
        if (t == s || emptied[t] || (t < draining.size() && draining[t]) || plan.server_idle(t)) continue;
        // Toward servers at least as loaded as this one was: no ping-pong between rounds.
        if (std::make_pair(used_gpus(cluster, ledger, t), used_cpus(cluster, ledger, t)) < source_load) continue;
        auto a = fit_on(cluster, plan, *vm, t);
        if (!a) continue;
        std::tuple<int, double, ServerIndex> key{plan.whole_free_gpus(t) - vm->gpus, plan.free_cpus(t) - vm->cpus, t};
        if (!best || key < best_key) {
          best = std::move(a);
          best_t = t;
          best_key = key;
        }
      }
      if (!best) break;
      plan.apply(*best);
      tried.push_back({vm->id, best_t, std::move(*best)});
    }
    if (tried.size() != vms.size()) {
      for (const auto& m : tried) plan.release(m.to);
      continue;
    }
    emptied[s] = 1;
    for (auto& m : tried) {
      destination[m.to_server] = 1;
      moves.push_back(std::move(m));
    }
    if (static_cast<int>(moves.size()) >= max_moves) break;
  }
  return moves;
}

}  // namespace aidcsim
