#pragma once
// The Kueue configuration of a scenario's "quota" section (CONTRACT.md §7, docs/quota.md): cohorts,
// ClusterQueues with flavors and per-resource quotas, and the tenant -> queue map (LocalQueues), or
// one ClusterQueue per virtual cluster of the platform (from_platform: "vc").
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/quota/quota_tree.hpp"
#include "sim/config/options.hpp"
#include "sim/core/cluster.hpp"

namespace aidcsim {

inline constexpr int kQuotaResources = 3;  // gpus (milli-GPUs), cpus (milli-CPUs), mem_gib (MiB)
inline constexpr std::array<const char*, kQuotaResources> kQuotaResourceNames = {"gpus", "cpus", "mem_gib"};

// Kueue's preemption policies (kueue apis/kueue ClusterQueuePreemption).
enum class PreemptionPolicy { never, lower_priority, lower_or_newer_equal_priority, any };

struct KueueFlavor {
  std::string name;
  std::vector<std::pair<std::string, std::string>> match;  // empty: every server
  std::vector<char> servers;                               // per server index: matches
  bool all_servers = true;
  std::vector<int> gpus_by_model;                          // GPUs on its servers, per Cluster model index
};

struct KueueQueue {
  std::string name;
  int node = -1;  // in the quota tree
  bool strict_fifo = false;
  std::vector<int> flavors;  // KueueConfig::flavors indices, in the order they are tried
  std::array<bool, kQuotaResources> covered{};  // resources the queue has quota for (the others are not limited)
  PreemptionPolicy within_cluster_queue = PreemptionPolicy::never;
  PreemptionPolicy reclaim_within_cohort = PreemptionPolicy::never;
  bool borrow_within_cohort = false;  // policy LowerPriority
  std::optional<int> max_priority_threshold;
  bool stop_when_can_borrow = true;    // flavor_fungibility.when_can_borrow: Borrow (default) | TryNextFlavor
  bool stop_when_can_preempt = false;  // flavor_fungibility.when_can_preempt: Preempt | TryNextFlavor (default)
  double weight = 1;                   // fair_sharing.weight
};

struct KueueConfig {
  QuotaTree tree{0};
  std::vector<KueueQueue> queues;
  std::vector<KueueFlavor> flavors;
  std::vector<int> cohorts;                 // tree nodes of the cohorts, in declaration order
  std::map<std::string, int> tenant_queue;  // tenant -> queue index
  bool fair_sharing = false;
  std::vector<int> fair_sharing_strategies;  // 0 = LessThanOrEqualToFinalShare, 1 = LessThanInitialShare
  double restart_cost_s = 0;
  double wait_for_pods_ready_s = -1;  // < 0: off
  double requeue_base_s = 60, requeue_max_s = 3600;
  int fr(int flavor, int resource) const { return flavor * kQuotaResources + resource; }
};

// Reads and checks the section (problems reported through `o`); `jobs` for the tenants it must map.
KueueConfig read_kueue_config(OptionReader& o, const Cluster& cluster, const std::vector<JobSpec>& jobs);

}  // namespace aidcsim
