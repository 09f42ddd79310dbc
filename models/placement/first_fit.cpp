// First-fit: the first server, in platform order, that can hold the job.
#include "models/placement/placements.hpp"

namespace aidcsim {
namespace {
class FirstFit final : public PlacementPolicy {
 public:
  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    const auto server_count = static_cast<ServerIndex>(view.cluster.servers.size());
    if (r.gpus > 0 && needs_whole_servers(view.cluster, r)) {
      std::vector<ServerIndex> order(server_count);
      for (ServerIndex s = 0; s < server_count; ++s) order[s] = s;
      return allocate_whole_servers(view, r, order);
    }
    if (r.gpus > 0 && r.gpu_milli == kWholeGpuMilli) {
      // Jump between servers with enough wholly free GPUs: O(log S) per candidate instead of a scan.
      for (ServerIndex s = view.ledger.first_server_with_whole_free(r.gpus, 0); s < server_count;
           s = view.ledger.first_server_with_whole_free(r.gpus, s + 1))
        if (auto a = allocate_on_server(view, r, s)) return a;
      return std::nullopt;
    }
    for (ServerIndex s = 0; s < server_count; ++s)
      if (auto a = allocate_on_server(view, r, s)) return a;
    return std::nullopt;
  }
};
}  // namespace

std::unique_ptr<PlacementPolicy> make_first_fit(PolicyArgs&) { return std::make_unique<FirstFit>(); }

}  // namespace aidcsim
