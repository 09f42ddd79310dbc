#pragma once
// Consolidation for the `vm` runtime: which VMs to live-migrate so that whole servers empty out
// (large jobs then fit, and idle servers can power down). docs/runtimes.md states the rule.
#include <cstddef>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/ledger.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {

struct ConsolidationOptions {
  bool enabled = false;
  double interval_s = 600;       // a round at every multiple of this
  int max_migrations = 4;        // started per round
  double slowdown = 0.1;         // a migrating VM's job runs at (1 - slowdown) of its speed
  double dirty_bytes_per_s = 0;  // memory a running job writes (pre-copy resends it)
  double stop_bytes = 64.0 * (1 << 20);  // pre-copy ends when at most this much is left dirty
  int max_rounds = 30;
  bool gpu_memory = true;        // a busy VM's GPU memory is copied with the VM paused
};
// Reads virtualization.vm.consolidation; absent = disabled.
ConsolidationOptions read_consolidation_options(OptionReader& vm_options);

// A VM that may move: it is on one server, booted, not migrating, and its job (if any) runs in it alone.
struct MovableVm {
  std::size_t id = 0;
  ServerIndex server = 0;
  int gpus = 0;
  int gpu_model = -1;  // model index of its GPUs (they stay on that model); -1 without GPUs
  double cpus = 0;
  double mem_gib = 0;
};
struct PlannedMove {
  std::size_t vm = 0;
  ServerIndex to_server = 0;
  Allocation to;
};

// Servers in order of fewest allocated GPUs (then CPUs, then index) are emptied one by one when
// every VM on them fits on other, non-empty servers at least as loaded (best fit: the fewest whole
// free GPUs left, then the fewest free CPUs, then the lowest index); a server that cannot be emptied
// entirely is left alone. `locked` servers (ends of migrations under way) are neither emptied nor
// chosen as destinations when they are being emptied. At most `max_moves` moves.
std::vector<PlannedMove> plan_consolidation(const Cluster& cluster, const Ledger& ledger,
                                            const std::vector<MovableVm>& movable,
                                            const std::vector<char>& draining, int max_moves);

}  // namespace aidcsim
