#pragma once
// The placement option "multi_gpu": how the GPUs of a multi-GPU job are laid out over servers, for
// every placement policy (sim/core/request.hpp, MultiGpu and Layout):
//   "one-server" (default)  a job whose GPUs fit on one eligible server goes on one server; a larger
//                           job takes whole idle servers. The policies do this themselves.
//   "spread"                a job's GPUs may come from several servers: it is placed as `gpus` one-GPU
//                           tasks, one after the other, each by the policy's own rule and with its
//                           share (1/gpus) of the job's CPUs and memory, on a scratch copy of the
//                           ledger where each GPU taken is shown full (a job never gets a GPU twice).
//                           So CPUs and memory end up split in proportion to the GPUs on each server.
//   "whole-servers"         every job of two or more GPUs takes whole idle servers, as a job larger
//                           than a server does by default.
// A policy that lays out multi-server jobs itself (topology) implements LaysOutAcrossServers; the
// others get the shared layouts above (whole idle servers in platform order).
#include <memory>
#include <optional>

#include "sim/policy/placement.hpp"
#include "sim/core/request.hpp"

namespace aidcsim {
class OptionReader;
}

namespace aidcsim::placement {

// Option "multi_gpu": "one-server" (default), "spread", "whole-servers".
MultiGpu read_multi_gpu(OptionReader& options);

class LaysOutAcrossServers {
 public:
  virtual ~LaysOutAcrossServers() = default;
  // r under a layout other than one_server (whole_servers or spread).
  virtual std::optional<Allocation> place_across(const Request& r, const ClusterView& view, Layout layout) = 0;
};

// The "spread" layout for a policy without its own: r as r.gpus one-GPU tasks placed in turn by
// `policy` (see above). Empty when one of them finds no room.
std::optional<Allocation> place_gpu_by_gpu(PlacementPolicy& policy, const Request& r, const ClusterView& view);

// `policy` honouring `mode` (the policy itself for "one-server").
std::unique_ptr<PlacementPolicy> with_multi_gpu(std::unique_ptr<PlacementPolicy> policy, MultiGpu mode);

}  // namespace aidcsim::placement
