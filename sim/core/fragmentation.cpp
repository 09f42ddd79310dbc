#include "sim/core/fragmentation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

namespace aidcsim {

static long long to_milli(double cores) { return std::llround(cores * 1000.0); }

TaskShape task_shape_of(const JobSpec& job, const Cluster& cluster) {
  TaskShape t;
  t.cpu_milli = to_milli(job.cpus);
  t.gpus = job.gpus;
  t.gpu_milli = job.gpus > 0 ? job.gpu_milli : 0;
  if (!job.gpu_models.empty()) {
    t.model_allowed.assign(cluster.gpu_models.size(), 0);
    for (const auto& m : job.gpu_models) {
      auto it = cluster.model_index.find(m);
      if (it != cluster.model_index.end()) t.model_allowed[it->second] = 1;
    }
  }
  return t;
}

TaskShape task_shape_of(const Request& r) {
  TaskShape t;
  t.cpu_milli = to_milli(r.cpus);
  t.gpus = r.gpus;
  t.gpu_milli = r.gpus > 0 ? r.gpu_milli : 0;
  t.model_allowed = r.model_allowed;
  return t;
}

namespace {
// The published simulator's PodResource key: MilliCpu, MilliGpu, GpuNumber, GpuType (as written).
struct ShapeKey {
  long long cpu_milli;
  int gpu_milli;
  int gpus;
  std::string models;
  auto tie() const { return std::tie(cpu_milli, gpu_milli, gpus, models); }
  bool operator<(const ShapeKey& o) const { return tie() < o.tie(); }
};
}  // namespace

TargetWorkload make_target_workload(const std::vector<JobSpec>& jobs, const Cluster& cluster,
                                    const TargetWorkloadOptions& options) {
  std::map<ShapeKey, std::pair<double, std::size_t>> counts;  // key -> (count, first job with it)
  double total = 0;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const JobSpec& job = jobs[j];
    if (!options.include_cpu_tasks && job.gpus == 0) continue;
    std::string models;
    for (const auto& m : job.gpu_models) models += (models.empty() ? "" : "|") + m;
    ShapeKey key{to_milli(job.cpus), job.gpus > 0 ? job.gpu_milli : 0, job.gpus, models};
    auto [it, inserted] = counts.try_emplace(key, 0.0, j);
    it->second.first += 1;
    total += 1;
  }
  std::vector<std::pair<ShapeKey, std::pair<double, std::size_t>>> sorted(counts.begin(), counts.end());
  // Decreasing count; equal counts: the larger shape first (sort.Reverse of PodResource.Less).
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    if (a.second.first != b.second.first) return a.second.first > b.second.first;
    return b.first < a.first;
  });
  TargetWorkload out;
  if (total <= 0) return out;
  const double expected = options.popularity_percent * total / 100.0;
  double cumulative = 0;
  std::size_t taken = 0;
  while (taken < sorted.size() && (cumulative < expected || taken == 0)) cumulative += sorted[taken++].second.first;
  for (std::size_t i = 0; i < taken; ++i)
    out.tasks.push_back({task_shape_of(jobs[sorted[i].second.second], cluster), sorted[i].second.first / cumulative});
  return out;
}

long long NodeFree::free_gpu_milli() const {
  long long sum = 0;
  for (const auto& g : gpus) sum += g.second;
  return sum;
}

NodeFree node_free(const Cluster& cluster, const Ledger& ledger, ServerIndex server) {
  NodeFree n;
  n.cpu_milli = to_milli(ledger.free_cpus(server));
  const auto& gpus = cluster.servers[server].gpus;
  n.gpus.reserve(gpus.size());
  for (GpuIndex g : gpus) n.gpus.emplace_back(cluster.gpus[g].model_index, ledger.free_milli(g));
  return n;
}

FragCase classify(const NodeFree& node, const TaskShape& task) {
  const bool cpu_ok = node.cpu_milli >= task.cpu_milli;
  if (task.gpus == 0 || task.gpu_milli == 0) return cpu_ok ? FragCase::cpu_task_fits : FragCase::cpu_task_lacks;
  bool any_allowed = false;
  int fitting = 0;
  for (const auto& [model, free] : node.gpus) {
    if (!task.allows(model)) continue;
    any_allowed = true;
    if (free >= task.gpu_milli) ++fitting;
  }
  if (!any_allowed) return node.gpus.empty() ? (cpu_ok ? FragCase::lack_gpu : FragCase::lack_both) : FragCase::no_access;
  if (fitting >= task.gpus) return cpu_ok ? FragCase::satisfied : FragCase::lack_cpu;
  return cpu_ok ? FragCase::lack_gpu : FragCase::lack_both;
}

const char* to_string(FragCase c) {
  switch (c) {
    case FragCase::lack_both: return "q1_lack_both";
    case FragCase::lack_gpu: return "q2_lack_gpu";
    case FragCase::satisfied: return "q3_satisfied";
    case FragCase::lack_cpu: return "q4_lack_cpu";
    case FragCase::cpu_task_fits: return "xl_satisfied";
    case FragCase::cpu_task_lacks: return "xr_lack_cpu";
    case FragCase::no_access: return "no_access";
  }
  return "?";
}

long long task_fragment_milli(const NodeFree& node, const TaskShape& task) {
  if (classify(node, task) != FragCase::satisfied) return node.free_gpu_milli();
  // The task fits: only the GPUs it cannot use (too little free, or a model it may not use) are fragments.
  long long frag = 0;
  for (const auto& [model, free] : node.gpus)
    if (!task.allows(model) || free < task.gpu_milli) frag += free;
  return frag;
}

double node_fragment_milli(const NodeFree& node, const TargetWorkload& target) {
  double frag = 0;
  for (const auto& t : target.tasks) frag += t.weight * static_cast<double>(task_fragment_milli(node, t.shape));
  return frag;
}

int FragmentationMemo::intern(const NodeFree& node) {
  // Key: CPU and the sorted (model, free) pairs; the order of GPUs does not change fragmentation.
  std::vector<std::pair<int, int>> sorted = node.gpus;
  std::sort(sorted.begin(), sorted.end());
  key_.assign(reinterpret_cast<const char*>(&node.cpu_milli), sizeof node.cpu_milli);
  for (const auto& p : sorted) key_.append(reinterpret_cast<const char*>(&p), sizeof p);
  auto [it, inserted] = ids_.try_emplace(key_, static_cast<int>(states_.size()));
  if (inserted) {
    states_.push_back(NodeFree{node.cpu_milli, std::move(sorted)});
    fragment_.push_back(std::numeric_limits<double>::quiet_NaN());
  }
  return it->second;
}

void FragmentationMemo::clear() {
  ids_.clear();
  states_.clear();
  fragment_.clear();
}

double FragmentationMemo::fragment_milli(int id) {
  double& f = fragment_[id];
  if (std::isnan(f)) f = node_fragment_milli(states_[id], target_);
  return f;
}

FragmentationTracker::FragmentationTracker(TargetWorkload target) : target_(std::move(target)), memo_(target_) {}

void FragmentationTracker::resize(const Cluster& cluster) {
  if (server_milli_.size() == cluster.servers.size()) return;
  server_milli_.assign(cluster.servers.size(), 0);
  seen_cpus_.assign(cluster.servers.size(), 0);
  seen_gpu_milli_.assign(cluster.gpus.size(), 0);
  seen_.assign(cluster.servers.size(), 0);
  total_milli_ = 0;
}

void FragmentationTracker::refresh_server(const Cluster& cluster, const Ledger& ledger, ServerIndex s) {
  resize(cluster);
  seen_cpus_[s] = ledger.free_cpus(s);
  for (GpuIndex g : cluster.servers[s].gpus) seen_gpu_milli_[g] = ledger.free_milli(g);
  seen_[s] = 1;
  if (memo_.size() > (1u << 20)) memo_.clear();  // bounded memory over long runs; ids are not kept
  double now = memo_.fragment_milli(memo_.intern(node_free(cluster, ledger, s)));
  total_milli_ += now - server_milli_[s];
  server_milli_[s] = now;
}

double FragmentationTracker::refresh(const Cluster& cluster, const Ledger& ledger) {
  resize(cluster);
  // Most samples of a long replay find nothing changed since the last one: no scan then.
  if (seen_ledger_ == &ledger && seen_version_ == ledger.version()) return total_milli_;
  for (ServerIndex s = 0; s < cluster.servers.size(); ++s) {
    bool changed = !seen_[s] || seen_cpus_[s] != ledger.free_cpus(s);
    for (GpuIndex g : cluster.servers[s].gpus)
      if (changed || seen_gpu_milli_[g] != ledger.free_milli(g)) {
        changed = true;
        break;
      }
    if (changed) refresh_server(cluster, ledger, s);
  }
  // Re-sum: incremental updates never accumulate rounding drift.
  double sum = 0;
  for (double v : server_milli_) sum += v;
  total_milli_ = sum;
  seen_ledger_ = &ledger;
  seen_version_ = ledger.version();
  return total_milli_;
}

double cluster_fragment_milli(const Cluster& cluster, const Ledger& ledger, const TargetWorkload& target) {
  double sum = 0;
  for (ServerIndex s = 0; s < cluster.servers.size(); ++s) sum += node_fragment_milli(node_free(cluster, ledger, s), target);
  return sum;
}

}  // namespace aidcsim
