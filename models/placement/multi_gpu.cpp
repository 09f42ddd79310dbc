#include "models/placement/multi_gpu.hpp"

#include <vector>

#include "models/placement/placements.hpp"
#include "models/placement/scoring.hpp"
#include "sim/config/options.hpp"

namespace aidcsim::placement {

MultiGpu read_multi_gpu(OptionReader& options) {
  std::string m = options.text("multi_gpu", "one-server", {"one-server", "spread", "whole-servers"});
  return m == "spread" ? MultiGpu::spread : m == "whole-servers" ? MultiGpu::whole_servers : MultiGpu::one_server;
}

std::optional<Allocation> place_gpu_by_gpu(PlacementPolicy& policy, const Request& r, const ClusterView& view) {
  // What each server can give depends on it alone: when all of them together lack room, say so
  // without asking the policy (the common answer for a queue waiting on a busy platform).
  int room = 0;
  for (ServerIndex s = 0; s < view.cluster.servers.size() && room < r.gpus; ++s)
    room += gpus_that_fit(view, r, s, r.gpus - room);
  if (room < r.gpus) return std::nullopt;
  Request one = r;
  one.gpus = 1;
  one.cpus = share_for_gpus(r.cpus, 1, r.gpus);
  one.mem_gib = share_for_gpus(r.mem_gib, 1, r.gpus);
  Ledger scratch = view.ledger;
  std::vector<GpuIndex> chosen;
  for (int i = 0; i < r.gpus; ++i) {
    auto a = policy.place(one, ClusterView{view.cluster, scratch});
    if (!a || a->gpus.size() != 1) return std::nullopt;
    const GpuIndex g = a->gpus.front().gpu;
    Allocation taken;  // the GPU shown full (a job's GPUs are distinct), and this task's CPUs and memory
    taken.gpus.push_back({g, scratch.free_milli(g)});
    taken.servers.push_back({view.cluster.gpus[g].server, one.cpus, one.mem_gib});
    if (scratch.free_milli(g) < r.gpu_milli || !scratch.check(taken).empty()) return std::nullopt;
    scratch.apply(taken);
    chosen.push_back(g);
  }
  Allocation out = allocation_from_gpus(view.cluster, r, chosen);
  if (!view.ledger.check(out).empty()) return std::nullopt;  // rounding of the shares: never over-allocate
  return out;
}

namespace {
class MultiGpuPlacement final : public PlacementPolicy {
 public:
  MultiGpuPlacement(std::unique_ptr<PlacementPolicy> inner, MultiGpu mode)
      : inner_(std::move(inner)), across_(dynamic_cast<LaysOutAcrossServers*>(inner_.get())), mode_(mode) {}

  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    const Layout layout = layout_of(view.cluster, r, mode_);
    if (layout == Layout::one_server) return inner_->place(r, view);
    if (across_) return across_->place_across(r, view, layout);
    if (layout == Layout::whole_servers) return place_on_whole_servers(view, r);
    return place_gpu_by_gpu(*inner_, r, view);
  }
  void on_applied(const Request& r, const Allocation& a) override { inner_->on_applied(r, a); }
  void on_released(const Request& r, const Allocation& a) override { inner_->on_released(r, a); }
  // The mode, for the core's arrival check (never_fits_reason); overrides PlacementPolicy::multi_gpu
  // where the interface declares it.
  MultiGpu multi_gpu() const override { return mode_; }

 private:
  std::unique_ptr<PlacementPolicy> inner_;
  LaysOutAcrossServers* across_;
  MultiGpu mode_;
};
}  // namespace

std::unique_ptr<PlacementPolicy> with_multi_gpu(std::unique_ptr<PlacementPolicy> policy, MultiGpu mode) {
  if (mode == MultiGpu::one_server || !policy) return policy;  // the policies' own rule: unchanged
  return std::make_unique<MultiGpuPlacement>(std::move(policy), mode);
}

}  // namespace aidcsim::placement

namespace aidcsim {

Registry<PlacementPolicy>::Factory multi_gpu_option(std::unique_ptr<PlacementPolicy> (*make)(PolicyArgs&)) {
  return [make](PolicyArgs& args) {
    const MultiGpu mode = placement::read_multi_gpu(args.options);
    return placement::with_multi_gpu(make(args), mode);
  };
}

}  // namespace aidcsim
