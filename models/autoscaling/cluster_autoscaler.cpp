#include "models/autoscaling/cluster_autoscaler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "sim/core/core.hpp"
#include "sim/core/csv.hpp"
#include "sim/core/ledger.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/run_record.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {
namespace {

enum Kind : std::uint64_t { kScan = 0, kReady = 1, kFailed = 2 };
std::uint64_t pack(Kind kind, std::uint64_t value) { return (value << 2) | kind; }

const std::vector<std::string> kExpanders = {"least-waste", "most-pods", "random", "price", "priority"};

bool matches(const Server& s, const std::vector<std::pair<std::string, std::string>>& match) {
  for (const auto& [key, value] : match) {
    // The key by name, not the binding: clang 14 (make fuzz) cannot capture a structured binding.
    auto it = std::find_if(s.props.begin(), s.props.end(), [&key = key](const auto& p) { return p.first == key; });
    if (it == s.props.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace

ClusterAutoscalerConfig read_cluster_autoscaler(OptionReader& r, const Cluster& cluster) {
  ClusterAutoscalerConfig c;
  c.scan_interval_s = r.number("scan_interval_s", 10, 1e-3, kMaxTime_s);
  c.unneeded_time_s = r.number("scale_down_unneeded_time_s", 600, 0, kMaxTime_s);
  c.unready_time_s = r.number("scale_down_unready_time_s", 1200, 0, kMaxTime_s);
  c.utilization_threshold = r.number("scale_down_utilization_threshold", 0.5, 0, 1);
  c.delay_after_add_s = r.number("scale_down_delay_after_add_s", 600, 0, kMaxTime_s);
  c.max_provision_s = r.number("max_node_provision_time_s", 900, 0, kMaxTime_s);
  c.max_scale_down_parallelism = r.integer("max_scale_down_parallelism", 10, 1, 1000000);
  c.expander = r.text("expander", "least-waste", kExpanders);
  c.max_pending_per_scan = r.integer("max_pending_jobs_per_scan", 1000, 1, 100000000);
  std::set<std::string> names;
  std::vector<int> owner(cluster.servers.size(), -1);
  for (OptionReader& g : r.items("groups")) {
    NodeGroupSpec spec;
    spec.name = g.text("name", "");
    if (spec.name.empty()) g.problem("name", "missing; expected the node group's name");
    else if (!names.insert(spec.name).second) g.problem("name", fmt::format("node group \"{}\" is declared twice", spec.name));
    if (const auto* m = g.raw("match")) {
      if (!m->is_object()) g.problem("match", fmt::format("found {}, expected an object of property: value", m->dump()));
      else
        for (const auto& [k, v] : m->items()) spec.match.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
    }
    if (spec.match.empty() && !g.raw("match")) g.problem("match", "missing; expected host properties that select the group's servers, e.g. {\"rack\": \"rack-001\"}");
    spec.max = g.integer("max", 0, 0, 1000000);
    if (!g.has("max")) g.problem("max", "missing; expected the largest number of nodes");
    spec.min = g.integer("min", 0, 0, 1000000);
    spec.initial = g.integer("initial", spec.min, 0, 1000000);
    spec.provision_s = g.number("provision_s", 300, 0, kMaxTime_s);
    spec.price_per_hour = g.number("price_per_hour", 0, 0, 1e9);
    spec.priority = g.integer("priority", 0, -1000000, 1000000);
    g.reject_unknown();
    for (ServerIndex s = 0; s < cluster.servers.size(); ++s)
      if (!spec.match.empty() && matches(cluster.servers[s], spec.match)) spec.servers.push_back(s);
    const int index = static_cast<int>(c.groups.size());
    if (!spec.match.empty() && spec.servers.empty()) g.problem("match", "matches no server of the platform");
    for (ServerIndex s : spec.servers) {
      if (owner[s] >= 0) {
        g.problem("match", fmt::format("server {} is in node group \"{}\" already", cluster.servers[s].name, c.groups[owner[s]].name));
        break;
      }
      owner[s] = index;
    }
    if (spec.min > spec.max) g.problem("min", fmt::format("{} is above max ({})", spec.min, spec.max));
    else if (spec.initial > spec.max)  // below min is allowed: the autoscaler does not enforce min upwards
      g.problem("initial", fmt::format("{} is above max ({})", spec.initial, spec.max));
    if (spec.max > static_cast<int>(spec.servers.size()) && !spec.servers.empty())
      g.problem("max", fmt::format("{} nodes, but the group matches only {} servers", spec.max, spec.servers.size()));
    c.groups.push_back(std::move(spec));
  }
  if (c.groups.empty() && !r.raw("groups")) r.problem("groups", "missing; expected a list of node groups");
  r.reject_unknown();
  return c;
}

std::unique_ptr<NodeAutoscaler> make_cluster_autoscaler(PolicyArgs& args) {
  std::uint64_t seed = stream_seed(args.seed, "cluster-autoscaler");
  if (args.record) args.record->random_stream("cluster-autoscaler", seed);
  return std::make_unique<ClusterAutoscaler>(read_cluster_autoscaler(args.options, args.cluster), seed);
}

ClusterAutoscaler::ClusterAutoscaler(ClusterAutoscalerConfig config, std::uint64_t seed) : config_(std::move(config)), rng_(seed) {
  groups_.resize(config_.groups.size());
}

void ClusterAutoscaler::start(Core& core, double start_s) {
  core_ = &core;
  start_s_ = start_s;
  const std::size_t servers = core.cluster().servers.size();
  node_.assign(servers, Node::ready);
  group_of_.assign(servers, -1);
  since_s_.assign(servers, -1);
  requested_s_.assign(servers, start_s);
  for (std::size_t g = 0; g < config_.groups.size(); ++g)
    for (ServerIndex s : config_.groups[g].servers) group_of_[s] = static_cast<int>(g);
  core.event_queue().at(start_s, this, pack(kScan, 0), true);
}

void ClusterAutoscaler::on_event(std::uint64_t payload, double now) {
  const auto kind = static_cast<Kind>(payload & 3);
  const std::uint64_t value = payload >> 2;
  if (kind == kReady || kind == kFailed) {
    const auto s = static_cast<ServerIndex>(value);
    if (node_[s] != Node::coming) return;
    if (kind == kReady) node_ready(static_cast<std::size_t>(group_of_[s]), s, now);
    else node_failed(static_cast<std::size_t>(group_of_[s]), s, now);
    return;
  }
  if (scans_ == 0) {
    // The servers beyond each group's initial size are not provisioned.
    for (std::size_t g = 0; g < config_.groups.size(); ++g) {
      const auto& servers = config_.groups[g].servers;
      for (std::size_t k = 0; k < servers.size(); ++k) {
        if (k < static_cast<std::size_t>(config_.groups[g].initial)) {
          log_node(now, servers[k], "up");
          continue;
        }
        node_[servers[k]] = Node::away;
        core_->set_server_available(servers[k], false, now);
        log_node(now, servers[k], "away");
      }
      groups_[g].size = config_.groups[g].initial;
      for (int k = 0; k < config_.groups[g].initial && k < static_cast<int>(servers.size()); ++k) groups_[g].gpus += gpus_of(servers[k]);
    }
    last_change_s_ = now;
  }
  scan(now);
  ++scans_;
  core_->event_queue().at(start_s_ + static_cast<double>(scans_) * config_.scan_interval_s, this, pack(kScan, 0), keep_alive_);
}

void ClusterAutoscaler::scan(double now) {
  // A loop that scales up removes nothing (static_autoscaler.go); unneeded timers are kept either way.
  const bool scaled_up = scale_up(now);
  scale_down(now, !scaled_up);
}

int ClusterAutoscaler::gpus_at_max(std::size_t g) const {
  int gpus = 0;
  const auto& servers = config_.groups[g].servers;
  for (std::size_t k = 0; k < servers.size() && k < static_cast<std::size_t>(config_.groups[g].max); ++k) gpus += gpus_of(servers[k]);
  return gpus;
}

int ClusterAutoscaler::gpus_of(ServerIndex s) const { return static_cast<int>(core_->cluster().servers[s].gpus.size()); }

void ClusterAutoscaler::account(double now) {
  for (Group& group : groups_) {
    group.node_s += group.size * (now - last_change_s_);
    group.gpu_s += group.gpus * (now - last_change_s_);
  }
  last_change_s_ = now;
}

void ClusterAutoscaler::resize(std::size_t g, int to, double now, const std::string& reason) {
  Group& group = groups_[g];
  account(now);
  rows_.push_back({now, config_.groups[g].name, "node_group", group.size, to, reason});
  (to > group.size ? group.ups : group.downs) += 1;
  group.size = to;
}

std::string ClusterAutoscaler::nodes_csv() const {
  std::string out = "time_s,group,node,event,hosts\n";
  const Cluster& cluster = core_->cluster();
  for (const NodeEvent& e : node_log_) {
    const Server& server = cluster.servers[e.server];
    // The ids jobs.csv's `hosts` can name on this node: the server (CPU-only jobs) and its GPUs.
    std::string hosts = server.name;
    for (GpuIndex g : server.gpus) hosts += ";" + cluster.gpus[g].name;
    out += format_number(e.time_s) + ",";
    append_csv_field(out, config_.groups[static_cast<std::size_t>(group_of_[e.server])].name);
    out += ",";
    append_csv_field(out, server.name);
    out += fmt::format(",{},", e.event);
    append_csv_field(out, hosts);
    out += "\n";
  }
  return out;
}

void ClusterAutoscaler::sample(double, std::vector<Sample>& out) const {
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    int ready = 0, coming = 0;
    for (ServerIndex s : config_.groups[g].servers) {
      ready += node_.empty() || node_[s] == Node::ready ? 1 : 0;
      coming += !node_.empty() && node_[s] == Node::coming ? 1 : 0;
    }
    if (node_.empty()) ready = config_.groups[g].initial;
    out.push_back({"node_group_nodes_ready", config_.groups[g].name, static_cast<double>(ready)});
    out.push_back({"node_group_nodes_coming", config_.groups[g].name, static_cast<double>(coming)});
  }
}

nlohmann::json ClusterAutoscaler::summary(double end_s) const {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const Group& group = groups_[g];
    out[config_.groups[g].name] = {
        {"min", config_.groups[g].min},
        {"gpus_at_max", gpus_at_max(g)},
        {"max", config_.groups[g].max},
        {"size_at_end", group.size},
        {"scale_ups", group.ups},
        {"scale_downs", group.downs},
        {"failed_nodes", group.failures},
        {"node_hours", (group.node_s + group.size * std::max(0.0, end_s - last_change_s_)) / 3600},
        {"gpu_hours", (group.gpu_s + group.gpus * std::max(0.0, end_s - last_change_s_)) / 3600},
        {"nodes_provisioned", group.provisioned},
        {"mean_provision_s", group.provisioned > 0 ? group.provision_s_total / static_cast<double>(group.provisioned) : 0.0}};
  }
  return out;
}

}  // namespace aidcsim
