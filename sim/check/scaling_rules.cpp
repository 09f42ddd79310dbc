#include "sim/check/scaling_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>

#include "sim/check/check_values.hpp"
#include "sim/check/run_tables.hpp"

namespace aidcsim::check {
namespace {

double number_or(const nlohmann::json& j, const char* key, double fallback) {
  if (!j.is_object() || !j.contains(key)) return fallback;
  const auto& v = j[key];
  return v.is_number() && !v.is_boolean() ? v.get<double>() : fallback;
}

struct Range {
  double low = 1, high = 1;
  long long start = 1;
};

// name -> (min, max, starting count) of each autoscaled service in run.json.
std::map<std::string, Range> autoscaled_services(const nlohmann::json& run_json) {
  std::map<std::string, Range> out;
  if (!run_json.is_object() || !run_json.contains("scenario") || !run_json["scenario"].is_object()) return out;
  const auto& scenario = run_json["scenario"];
  std::map<std::string, double> replicas;
  if (scenario.contains("workload") && scenario["workload"].is_object() && scenario["workload"].contains("services") &&
      scenario["workload"]["services"].is_array())
    for (const auto& s : scenario["workload"]["services"])
      if (s.is_object() && s.contains("name") && s["name"].is_string()) replicas[s["name"].get<std::string>()] = number_or(s, "replicas", 1);
  if (!scenario.contains("autoscaling") || !scenario["autoscaling"].is_object()) return out;
  const auto& autoscaling = scenario["autoscaling"];
  if (!autoscaling.contains("services") || !autoscaling["services"].is_object()) return out;
  for (const auto& [name, h] : autoscaling["services"].items()) {
    if (!h.is_object()) continue;
    Range r{number_or(h, "min_replicas", 1), number_or(h, "max_replicas", 1), 1};
    double given = replicas.count(name) ? replicas[name] : 1;
    r.start = static_cast<long long>(std::min(std::max(given, r.low), r.high));
    out[name] = r;
  }
  return out;
}

// name -> (0, max, initial size) of each node group in run.json.
std::map<std::string, Range> node_groups(const nlohmann::json& run_json) {
  std::map<std::string, Range> out;
  if (!run_json.is_object() || !run_json.contains("scenario") || !run_json["scenario"].is_object()) return out;
  const auto& scenario = run_json["scenario"];
  if (!scenario.contains("autoscaling") || !scenario["autoscaling"].is_object()) return out;
  const auto& autoscaling = scenario["autoscaling"];
  if (!autoscaling.contains("nodes") || !autoscaling["nodes"].is_object()) return out;
  const auto& nodes = autoscaling["nodes"];
  if (!nodes.contains("groups") || !nodes["groups"].is_array()) return out;
  for (const auto& g : nodes["groups"]) {
    if (!g.is_object() || !g.contains("name") || !g["name"].is_string()) continue;
    const double low = number_or(g, "min", 0);
    out[g["name"].get<std::string>()] = Range{0, number_or(g, "max", 0), static_cast<long long>(number_or(g, "initial", low))};
  }
  return out;
}

struct NodeUps {
  std::string node;
  std::vector<std::pair<double, double>> ups;  // [up_from, up_to]
};

// host -> its node and the node's up intervals, from nodes.csv (scaling_invariants.py's _node_intervals).
std::optional<std::map<std::string, std::shared_ptr<NodeUps>>> node_intervals(
    const std::string& run_dir, const std::map<std::string, Range>& groups,
    const std::function<void(const char* rule, std::string message)>& add) {
  const std::optional<CsvTable> nodes_csv = read_optional_table(run_dir, "nodes.csv");
  if (!nodes_csv) return std::nullopt;
  const CsvTable& table = *nodes_csv;
  // event -> (the state it must come from, the state it leaves)
  static const std::map<std::string, std::pair<std::string, std::string>> after = {
      {"up", {"unknown", "up"}},         {"away", {"unknown", "away"}}, {"requested", {"away", "coming"}},
      {"ready", {"coming", "up"}},       {"failed", {"coming", "away"}}, {"removed", {"up", "away"}}};
  std::map<std::string, std::string> state;
  std::map<std::string, double> since;
  std::map<std::string, std::shared_ptr<NodeUps>> nodes, by_host;
  std::optional<double> last_time;
  for (const auto& row : table.rows()) {
    const Text node = table.get(row, "node"), event = table.get(row, "event"), group = table.get(row, "group");
    const std::string where = fmt::format("nodes.csv:{}: {}", row.line, str(node));
    if (!group || !groups.count(*group)) add("scaling-nodes", where + ": no such node group in run.json's autoscaling (nodes.groups)");
    const Text time_text = table.get(row, "time_s");
    auto t = python_float(time_text && !time_text->empty() ? *time_text : "nan");
    if (!t || !std::isfinite(*t)) {
      add("scaling-nodes", where + ": unreadable time");
      continue;
    }
    if (last_time && *t < *last_time)
      add("scaling-nodes", fmt::format("{}: at {}, before the previous row ({})", where, python_g(*t), python_g(*last_time)));
    last_time = *t;
    auto rule = event ? after.find(*event) : after.end();
    if (rule == after.end()) {
      add("scaling-nodes", fmt::format("{}: unknown event {}", where, repr(event)));
      continue;
    }
    const std::string key = str(node);
    auto known = state.find(key);
    const std::string had = known == state.end() ? "unknown" : known->second;
    if (had != rule->second.first) add("scaling-nodes", fmt::format("{}: {}, but it was {}", where, *event, had));
    const std::string now_state = rule->second.second;
    state[key] = now_state;
    auto& n = nodes[key];
    if (!n) n = std::make_shared<NodeUps>(NodeUps{key, {}});
    if (now_state == "up" && had != "up") since[key] = *t;
    else if (had == "up" && now_state != "up") {
      n->ups.emplace_back(since[key], *t);
      since.erase(key);
    }
    for (const std::string& host : split_hosts(table.get(row, "hosts"))) by_host[host] = n;
  }
  for (const auto& [key, t] : since) nodes[key]->ups.emplace_back(t, std::numeric_limits<double>::infinity());
  return by_host;
}

// A job on a host of a node of nodes.csv ran only while the node was up (scaling_invariants.py's check_nodes).
void check_nodes(const std::string& run_dir, const nlohmann::json& run_json,
                 const std::function<void(const char* rule, std::string message)>& add) {
  auto hosts = node_intervals(run_dir, node_groups(run_json), add);
  if (!hosts) return;
  ProblemList problems;
  CsvTable jobs = CsvTable::read((std::filesystem::path(run_dir) / "jobs.csv").string(), problems);
  if (!problems.empty()) return;  // the job rules report it
  for (const auto& row : jobs.rows()) {
    std::optional<double> start, end;
    bool whole = true;
    try {
      start = python_number(jobs.get(row, "start_s"));
      end = python_number(jobs.get(row, "end_s"));
      const Text p = jobs.get(row, "preemptions"), m = jobs.get(row, "migrations");
      whole = integer(p && !p->empty() ? p : Text("0")) == 0 && integer(m && !m->empty() ? m : Text("0")) == 0;
    } catch (const UnreadableNumber&) {
      continue;  // the job rules report unreadable values
    }
    if (!start) continue;
    for (const std::string& host : split_hosts(jobs.get(row, "hosts"))) {
      auto it = hosts->find(host);
      if (it == hosts->end()) continue;
      const NodeUps& n = *it->second;
      const std::string job = str(jobs.get(row, "job_id"));
      if (whole) {
        const double until = end ? *end : std::numeric_limits<double>::infinity();
        bool inside = std::any_of(n.ups.begin(), n.ups.end(), [&](const auto& u) { return u.first <= *start && until <= u.second; });
        if (!inside) {
          std::string span = end ? fmt::format("[{}, {}]", python_g(*start), python_g(*end)) : fmt::format("from {} to the end", python_g(*start));
          add("scaling-node-jobs", fmt::format("jobs.csv:{}: {} ran on {} (node {}) over {}, when the node was not up", row.line, job,
                                               host, n.node, span));
        }
      } else if (end) {
        bool inside = std::any_of(n.ups.begin(), n.ups.end(), [&](const auto& u) { return u.first <= *end && *end <= u.second; });
        if (!inside)
          add("scaling-node-jobs", fmt::format("jobs.csv:{}: {} ended on {} (node {}) at {}, when the node was not up", row.line,
                                               job, host, n.node, python_g(*end)));
      }
    }
  }
}

}  // namespace

void check_scaling(const std::string& run_dir, const nlohmann::json& run_json,
                   const std::function<void(const char* rule, std::string message)>& add) {
  const std::optional<CsvTable> scaling_csv = read_optional_table(run_dir, "scaling.csv");
  if (!scaling_csv) return;
  const CsvTable& table = *scaling_csv;
  const std::map<std::string, std::map<std::string, Range>> objects = {{"service", autoscaled_services(run_json)},
                                                                        {"node_group", node_groups(run_json)}};
  std::map<std::pair<std::string, std::string>, long long> current;
  for (const auto& [kind, named] : objects)
    for (const auto& [name, r] : named) current[{kind, name}] = r.start;
  std::optional<double> last_time;
  for (const auto& row : table.rows()) {
    const Text object = table.get(row, "object");
    const std::string where = fmt::format("scaling.csv:{}: {}", row.line, str(object));
    const Text kind = table.get(row, "kind");
    auto of_kind = kind ? objects.find(*kind) : objects.end();
    if (of_kind == objects.end() || !object || !of_kind->second.count(*object)) {
      add("scaling-object", fmt::format("{}: no such {} in run.json's autoscaling (services, or nodes.groups)", where, str(kind)));
      continue;
    }
    const Range& r = of_kind->second.at(*object);
    const Text time_text = table.get(row, "time_s");
    auto t = python_float(time_text && !time_text->empty() ? *time_text : "nan");
    auto from = python_int(table.get(row, "from").value_or("")), to = python_int(table.get(row, "to").value_or(""));
    if (!t || !from || !to || !std::isfinite(*t)) {
      add("scaling-values", where + ": unreadable time or replica counts");
      continue;
    }
    if (last_time && *t < *last_time)
      add("scaling-sequence", fmt::format("{}: at {}, before the previous row ({})", where, python_g(*t), python_g(*last_time)));
    last_time = *t;
    long long& had = current[{*kind, *object}];
    if (*from != had) add("scaling-sequence", fmt::format("{}: from {}, but it had {}", where, *from, had));
    if (*to == *from || static_cast<double>(*to) < r.low || static_cast<double>(*to) > r.high)
      add("scaling-range", fmt::format("{}: to {}, expected a change within [{}, {}]", where, *to, python_g(r.low), python_g(r.high)));
    had = *to;
    const std::string reason = table.get(row, "reason").value_or("");
    if (reason.find_first_not_of(" \t\r\n\f\v") == std::string::npos) add("scaling-reason", where + ": no reason");
  }
  check_nodes(run_dir, run_json, add);
}

}  // namespace aidcsim::check
