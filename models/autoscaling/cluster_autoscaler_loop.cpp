// The Cluster Autoscaler's scan (cluster_autoscaler.hpp): scale-up by simulated placement on the groups'
// unprovisioned servers, scale-down of nodes unneeded long enough.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "models/autoscaling/cluster_autoscaler.hpp"
#include "sim/core/core.hpp"
#include "sim/core/ledger.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {
namespace {

std::set<ServerIndex> servers_of(const Allocation& a, const Cluster& cluster) {
  std::set<ServerIndex> out;
  for (const auto& g : a.gpus) out.insert(cluster.gpus[g.gpu].server);
  for (const auto& v : a.servers) out.insert(v.server);
  return out;
}

}  // namespace

// A node the autoscaler has up that is away in the core: it failed (the only other reason a server is
// away is that this autoscaler withdrew it).
bool ClusterAutoscaler::unready(ServerIndex s) const {
  return node_[s] == Node::ready && !core_->ledger().server_available(s);
}

double ClusterAutoscaler::utilization(ServerIndex s) const {
  // utilization.Calculate: a GPU node by its GPUs only; else the larger of CPU and memory (requests).
  const Ledger& ledger = core_->ledger();
  const Server& server = core_->cluster().servers[s];
  if (!server.gpus.empty()) {
    double free = 0;
    for (GpuIndex g : server.gpus) free += ledger.free_milli(g);
    return 1 - free / (1000.0 * static_cast<double>(server.gpus.size()));
  }
  double cpu = server.cores > 0 ? 1 - ledger.free_cpus(s) / server.cores : 0;
  double mem = server.memory_gib > 0 ? 1 - ledger.free_mem_gib(s) / server.memory_gib : 0;
  return std::max(cpu, mem);
}

bool ClusterAutoscaler::scale_up(double now) {
  const Cluster& cluster = core_->cluster();
  const Ledger& ledger = core_->ledger();
  bool coming = std::find(node_.begin(), node_.end(), Node::coming) != node_.end();
  const auto& pending = core_->pending_jobs();
  // Any start changes the ledger's version, any arrival the queue's size and tail, any requeue the
  // reshuffle count: an unchanged signature is an unchanged situation.
  std::vector<std::uint64_t> signature = {ledger.version(), node_changes_, pending.size(), core_->pending_reshuffle_count(),
                                          pending.empty() ? 0u : pending.back(), core_->all_arrived() ? 1u : 0u};
  for (std::size_t g = 0; g < groups_.size(); ++g) signature.push_back(groups_[g].backoff_until_s > now ? 1 : 0);
  if (signature == idle_signature_) return false;
  idle_signature_.clear();
  // Unschedulable: pending jobs the placement cannot put anywhere now (the first
  // max_pending_jobs_per_scan in queue order: a bound for long queues).
  std::vector<JobIndex> stuck;
  const std::size_t considered = std::min(pending.size(), static_cast<std::size_t>(config_.max_pending_per_scan));
  for (std::size_t k = 0; k < considered; ++k)
    if (!core_->simulate_placement(core_->request(pending[k]), ledger)) stuck.push_back(pending[k]);
  keep_alive_ = !core_->all_arrived() || coming;
  if (stuck.empty()) {
    idle_signature_ = std::move(signature);
    return false;
  }
  // Those that fit once the nodes already asked for are up ask for nothing more.
  if (coming) {
    Ledger upcoming = ledger;
    for (ServerIndex s = 0; s < node_.size(); ++s)
      if (node_[s] == Node::coming) upcoming.set_server_available(s, true);
    std::erase_if(stuck, [&](JobIndex j) {
      auto a = core_->simulate_placement(core_->request(j), upcoming);
      if (a) upcoming.apply(*a);
      return a.has_value();
    });
    if (stuck.empty()) {
      idle_signature_ = std::move(signature);
      return false;
    }
  }
  struct Option {
    std::size_t group;
    std::vector<ServerIndex> nodes;
    std::vector<JobIndex> jobs;
    double waste, price;
  };
  std::vector<Option> options;
  for (std::size_t g = 0; g < config_.groups.size(); ++g) {
    const NodeGroupSpec& spec = config_.groups[g];
    if (groups_[g].backoff_until_s > now || groups_[g].size >= spec.max) continue;
    // New copies of the template: the group's unprovisioned servers, as many as max allows.
    std::vector<ServerIndex> candidates;
    for (ServerIndex s : spec.servers)
      if (node_[s] == Node::away && static_cast<int>(candidates.size()) < spec.max - groups_[g].size) candidates.push_back(s);
    if (candidates.empty()) continue;
    Ledger trial = ledger;
    for (ServerIndex s = 0; s < node_.size(); ++s) trial.set_server_available(s, false);
    for (ServerIndex s : candidates) trial.set_server_available(s, true);
    // First-fit decreasing (binpacking_estimator.go): the largest jobs relative to the template first.
    const Server& t = cluster.servers[spec.servers.front()];
    auto score = [&](JobIndex j) {
      const Request& r = core_->request(j);
      double gpus = t.gpus.empty() ? 0 : r.gpus * r.gpu_milli / 1000.0 / static_cast<double>(t.gpus.size());
      return gpus + (t.cores > 0 ? r.cpus / t.cores : 0) + (t.memory_gib > 0 ? r.mem_gib / t.memory_gib : 0);
    };
    std::vector<JobIndex> order = stuck;
    std::stable_sort(order.begin(), order.end(), [&](JobIndex a, JobIndex b) { return score(a) > score(b); });
    Option o{g, {}, {}, 0, 0};
    std::set<ServerIndex> used;
    for (JobIndex j : order)
      if (auto a = core_->simulate_placement(core_->request(j), trial)) {
        trial.apply(*a);
        o.jobs.push_back(j);
        for (ServerIndex s : servers_of(*a, cluster)) used.insert(s);
      }
    if (o.jobs.empty()) continue;
    o.nodes.assign(used.begin(), used.end());
    // least-waste (waste.go): unused share of the new nodes' capacity, CPU and memory, and GPUs here.
    double cap[3] = {0, 0, 0}, left[3] = {0, 0, 0};
    for (ServerIndex s : o.nodes) {
      const Server& v = cluster.servers[s];
      cap[0] += v.cores, left[0] += trial.free_cpus(s);
      if (v.memory_gib > 0) cap[1] += v.memory_gib, left[1] += trial.free_mem_gib(s);
      for (GpuIndex gi : v.gpus) cap[2] += 1000, left[2] += trial.free_milli(gi);
    }
    for (int k = 0; k < 3; ++k) o.waste += cap[k] > 0 ? left[k] / cap[k] : 0;
    o.price = spec.price_per_hour * static_cast<double>(o.nodes.size());
    options.push_back(std::move(o));
  }
  if (options.empty()) {
    idle_signature_ = std::move(signature);
    return false;
  }
  keep_alive_ = true;
  // The expander; ties (and `random`) by the run's seeded stream.
  auto key = [&](const Option& o) {
    if (config_.expander == "most-pods") return -static_cast<double>(o.jobs.size());
    if (config_.expander == "price") return o.price;
    if (config_.expander == "priority") return -static_cast<double>(config_.groups[o.group].priority);
    if (config_.expander == "random") return 0.0;
    return o.waste;
  };
  double best = key(options.front());
  for (const auto& o : options) best = std::min(best, key(o));
  std::vector<const Option*> tied;
  for (const auto& o : options)
    if (key(o) <= best + 1e-12) tied.push_back(&o);
  const Option& chosen = *tied[tied.size() == 1 ? 0 : uniform_below(rng_, tied.size())];
  const NodeGroupSpec& spec = config_.groups[chosen.group];
  account(now);
  for (ServerIndex s : chosen.nodes) {
    groups_[chosen.group].gpus += gpus_of(s);
    node_[s] = Node::coming;
    ++node_changes_;
    requested_s_[s] = now;
    log_node(now, s, "requested");
    const bool fails = spec.provision_s > config_.max_provision_s;
    core_->event_queue().at(now + (fails ? config_.max_provision_s : spec.provision_s), this,
                            (static_cast<std::uint64_t>(s) << 2) | (fails ? 2 : 1), true);
  }
  last_scale_up_s_ = now;
  resize(chosen.group, groups_[chosen.group].size + static_cast<int>(chosen.nodes.size()), now,
         fmt::format("{} pending job(s) (first {}) fit on {} new node(s); expander {}", chosen.jobs.size(),
                     core_->jobs()[chosen.jobs.front()].job_id, chosen.nodes.size(), config_.expander));
  return true;
}

void ClusterAutoscaler::scale_down(double now, bool may_delete) {
  const Ledger& ledger = core_->ledger();
  for (std::size_t g = 0; g < config_.groups.size(); ++g)
    for (ServerIndex s : config_.groups[g].servers) {
      // Unneeded: below the threshold (strictly) and nothing on it to move (jobs are not moved); or
      // unready (failed: its runs are gone, and it counts as empty).
      const bool unneeded = node_[s] == Node::ready &&
                            (unready(s) || (utilization(s) < config_.utilization_threshold && ledger.server_idle(s)));
      if (!unneeded) since_s_[s] = -1;
      else if (since_s_[s] < 0) since_s_[s] = now;
    }
  // isScaleDownInCooldown: no deletion while last scale-up + delay is after now.
  if (!may_delete || last_scale_up_s_ + config_.delay_after_add_s > now) return;
  account(now);
  int deleted_total = 0;
  for (std::size_t g = 0; g < config_.groups.size(); ++g) {
    const NodeGroupSpec& spec = config_.groups[g];
    int deleted = 0, unready_deleted = 0;
    double oldest = now;
    for (auto it = spec.servers.rbegin(); it != spec.servers.rend(); ++it) {
      const ServerIndex s = *it;
      if (deleted_total >= config_.max_scale_down_parallelism) break;
      const double wait_s = unready(s) ? config_.unready_time_s : config_.unneeded_time_s;
      if (since_s_[s] < 0 || !(since_s_[s] + wait_s < now)) continue;
      if (groups_[g].size - deleted <= spec.min) break;  // NodeGroupMinSizeReached
      oldest = std::min(oldest, since_s_[s]);
      unready_deleted += unready(s);
      node_[s] = Node::away;
      ++node_changes_;
      groups_[g].gpus -= gpus_of(s);
      since_s_[s] = -1;
      core_->set_server_available(s, false, now);
      log_node(now, s, "removed");
      ++deleted, ++deleted_total;
    }
    if (deleted > 0 && unready_deleted == deleted)
      resize(g, groups_[g].size - deleted, now,
             fmt::format("{} node(s) unready (failed) for more than {} s (since {} s)", deleted,
                         format_number(config_.unready_time_s), format_number(oldest)));
    else if (deleted > 0)
      resize(g, groups_[g].size - deleted, now,
             fmt::format("{} node(s) empty and below utilization {} for more than {} s (since {} s){}", deleted,
                         format_number(config_.utilization_threshold), format_number(config_.unneeded_time_s), format_number(oldest),
                         unready_deleted ? fmt::format(", {} of them unready for more than {} s", unready_deleted,
                                                       format_number(config_.unready_time_s))
                                         : ""));
  }
}

void ClusterAutoscaler::node_ready(std::size_t g, ServerIndex s, double now) {
  node_[s] = Node::ready;
  ++node_changes_;
  since_s_[s] = -1;
  ++groups_[g].provisioned;
  groups_[g].provision_s_total += now - requested_s_[s];
  log_node(now, s, "ready");
  core_->set_server_available(s, true, now);
}

void ClusterAutoscaler::node_failed(std::size_t g, ServerIndex s, double now) {
  // Not registered within max_node_provision_time: dropped, and the group backs off.
  account(now);
  node_[s] = Node::away;
  ++node_changes_;
  groups_[g].gpus -= gpus_of(s);
  ++groups_[g].failures;
  log_node(now, s, "failed");
  groups_[g].backoff_until_s = now + config_.failure_backoff_s;
  resize(g, groups_[g].size - 1, now,
         fmt::format("node {} not ready within max_node_provision_time_s = {} s; group backed off for {} s", core_->cluster().servers[s].name,
                     format_number(config_.max_provision_s), format_number(config_.failure_backoff_s)));
}

}  // namespace aidcsim
