#pragma once
// GPU fragmentation as the FGD paper defines it (Weng et al., "Beware of Fragmentation: Scheduling
// GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC'23, section 3), following
// the published simulator (hkust-adsl/kubernetes-scheduler-simulator, pkg/utils/frag.go):
//
//   * The target workload is the distribution of task shapes (CPU, GPU count, share of each GPU,
//     allowed GPU models) of the trace: the most popular shapes that together cover
//     `popularity_percent` (95 %) of the tasks, their frequencies renormalised to 1.
//   * For one task shape and one server, the idle GPU milli of the server that this task could not
//     use is its fragment: all of it when the task cannot run there (it lacks GPU, CPU or both, may
//     not use the server's GPU models, or is a CPU-only task, which uses no GPU); when it can run
//     there, only the GPUs whose free share is smaller than the task's per-GPU share.
//   * A server's fragmentation is the expectation of that amount over the target workload; the
//     cluster's is the sum over its servers. Memory is not part of the measure (as in the paper).
//
// Units: CPU in milli-cores, GPU in milli-GPUs (1000 = one whole GPU).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/ledger.hpp"
#include "sim/core/request.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {

// A task as the fragmentation measure sees it.
struct TaskShape {
  long long cpu_milli = 0;
  int gpus = 0;
  int gpu_milli = 0;                // share of each GPU; 0 for CPU-only tasks
  std::vector<char> model_allowed;  // per Cluster model index; empty = any model
  bool allows(int model_index) const { return model_allowed.empty() || model_allowed[model_index]; }
  bool operator==(const TaskShape& o) const {
    return cpu_milli == o.cpu_milli && gpus == o.gpus && gpu_milli == o.gpu_milli && model_allowed == o.model_allowed;
  }
};

TaskShape task_shape_of(const JobSpec& job, const Cluster& cluster);
TaskShape task_shape_of(const Request& request);

struct TargetTask {
  TaskShape shape;
  double weight = 0;  // probability; the weights of a target workload sum to 1
};

struct TargetWorkloadOptions {
  double popularity_percent = 95;  // most popular shapes covering this share of the tasks
  bool include_cpu_tasks = true;   // CPU-only tasks are part of the distribution
};

struct TargetWorkload {
  std::vector<TargetTask> tasks;  // most popular first
  bool empty() const { return tasks.empty(); }
};

// The target workload of a trace: shapes counted over `jobs` (keyed, as in the published simulator,
// by CPU, per-GPU share, GPU count and the gpu_model list as written), sorted by decreasing count
// (ties: larger shape first), cut where the cumulative count first reaches popularity_percent.
TargetWorkload make_target_workload(const std::vector<JobSpec>& jobs, const Cluster& cluster,
                                    const TargetWorkloadOptions& options = {});

// What fragmentation looks at on one server: free CPU and the free share of each GPU with its model.
struct NodeFree {
  long long cpu_milli = 0;
  std::vector<std::pair<int, int>> gpus;  // (model index, free milli), in the server's GPU order
  long long free_gpu_milli() const;
};
NodeFree node_free(const Cluster& cluster, const Ledger& ledger, ServerIndex server);

// The FGD paper's cases for one task on one server.
enum class FragCase {
  lack_both,    // Q1: neither enough GPU nor enough CPU
  lack_gpu,     // Q2: enough CPU, not enough GPU
  satisfied,    // Q3: the task fits
  lack_cpu,     // Q4: enough GPU, not enough CPU
  cpu_task_fits,   // XL: a CPU-only task that fits (it still uses no GPU)
  cpu_task_lacks,  // XR: a CPU-only task that does not fit
  no_access,    // the task may not use any GPU model of this server
};
FragCase classify(const NodeFree& node, const TaskShape& task);
const char* to_string(FragCase c);

// GPU milli of `node` that `task` cannot use (0 .. node.free_gpu_milli()).
long long task_fragment_milli(const NodeFree& node, const TaskShape& task);
// Expected fragment over the target workload, in GPU milli.
double node_fragment_milli(const NodeFree& node, const TargetWorkload& target);

// Node states interned to dense ids with their fragmentation cached: servers in the same state
// share one entry (the published simulator memoises the same way).
class FragmentationMemo {
 public:
  explicit FragmentationMemo(const TargetWorkload& target) : target_(target) {}
  int intern(const NodeFree& node);  // same id for the same CPU and multiset of (model, free) GPUs
  const NodeFree& state(int id) const { return states_[id]; }
  double fragment_milli(int id);
  const TargetWorkload& target() const { return target_; }
  std::size_t size() const { return states_.size(); }
  void clear();  // forgets every state (ids handed out before are invalid afterwards)

 private:
  const TargetWorkload& target_;
  std::unordered_map<std::string, int> ids_;
  std::vector<NodeFree> states_;
  std::vector<double> fragment_;  // NaN until computed
  std::string key_;
};

// Fragmentation of a whole cluster, kept up to date incrementally: refresh() re-reads only the
// servers whose free resources changed since the previous call.
class FragmentationTracker {
 public:
  explicit FragmentationTracker(TargetWorkload target);
  FragmentationTracker(const FragmentationTracker&) = delete;
  FragmentationTracker& operator=(const FragmentationTracker&) = delete;
  double refresh(const Cluster& cluster, const Ledger& ledger);  // returns fragmented GPU milli
  void refresh_server(const Cluster& cluster, const Ledger& ledger, ServerIndex server);
  double fragmented_milli() const { return total_milli_; }
  const TargetWorkload& target() const { return target_; }

 private:
  void resize(const Cluster& cluster);
  TargetWorkload target_;
  FragmentationMemo memo_;
  std::vector<double> server_milli_;
  std::vector<double> seen_cpus_;
  std::vector<int> seen_gpu_milli_;   // per GPU index
  std::vector<char> seen_;            // per server: snapshot valid
  double total_milli_ = 0;
  const Ledger* seen_ledger_ = nullptr;  // the ledger and version of the last refresh()
  std::uint64_t seen_version_ = 0;
};

// Fragmented GPU milli of the whole cluster, computed from scratch.
double cluster_fragment_milli(const Cluster& cluster, const Ledger& ledger, const TargetWorkload& target);

}  // namespace aidcsim
