#include "sim/check/scaling_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

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

}  // namespace

void check_scaling(const std::string& run_dir, const nlohmann::json& run_json,
                   const std::function<void(const char* rule, std::string message)>& add) {
  namespace fs = std::filesystem;
  const std::string path = (fs::path(run_dir) / "scaling.csv").string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return;
  const std::map<std::string, std::map<std::string, Range>> objects = {{"service", autoscaled_services(run_json)},
                                                                        {"node_group", node_groups(run_json)}};
  std::map<std::pair<std::string, std::string>, long long> current;
  for (const auto& [kind, named] : objects)
    for (const auto& [name, r] : named) current[{kind, name}] = r.start;
  std::optional<double> last_time;
  ProblemList problems;
  CsvTable table = CsvTable::read(path, problems);
  problems.throw_if_any();
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
}

}  // namespace aidcsim::check
