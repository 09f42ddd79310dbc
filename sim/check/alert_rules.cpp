#include "sim/check/alert_rules.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "sim/check/check_values.hpp"
#include "sim/check/run_tables.hpp"

namespace aidcsim::check {

void check_alerts(const std::string& run_dir, const nlohmann::json& run_json,
                  const std::function<void(const char* rule, std::string message)>& add) {
  const std::optional<CsvTable> alerts_csv = read_optional_table(run_dir, "alerts.csv");
  if (!alerts_csv) return;
  const CsvTable& table = *alerts_csv;
  // for_s of each rule of run.json (a missing or non-numeric for_s counts as 0, as the Python rules read it).
  std::map<std::string, double> rules;
  const nlohmann::json* alerts = nullptr;
  if (run_json.is_object() && run_json.contains("scenario") && run_json["scenario"].is_object()) {
    const auto& scenario = run_json["scenario"];
    if (scenario.contains("monitoring") && scenario["monitoring"].is_object() && scenario["monitoring"].contains("alerts") &&
        scenario["monitoring"]["alerts"].is_array())
      alerts = &scenario["monitoring"]["alerts"];
  }
  if (alerts)
    for (const auto& r : *alerts) {
      if (!r.is_object() || !r.contains("name") || !r["name"].is_string()) continue;
      const nlohmann::json f = r.contains("for_s") ? r["for_s"] : nlohmann::json(0);
      rules[r["name"].get<std::string>()] = f.is_number() && !f.is_boolean() ? f.get<double>() : 0;
    }
  for (const auto& row : table.rows()) {
    const Text rule = table.get(row, "rule");
    const std::string where = fmt::format("alerts.csv:{}: alert {} {}", row.line, str(rule), str(table.get(row, "labels")));
    auto it = rule ? rules.find(*rule) : rules.end();
    if (it == rules.end()) {
      add("alert-rule", where + ": no such rule in run.json's monitoring.alerts");
      continue;
    }
    std::optional<double> times[3];
    bool readable = true;
    const char* columns[3] = {"pending_s", "firing_s", "resolved_s"};
    for (int i = 0; i < 3; ++i) {
      Text text = table.get(row, columns[i]);
      if (!text || text->empty()) continue;
      times[i] = python_float(*text);
      if (!times[i] || !std::isfinite(*times[i])) readable = false;
    }
    if (!readable || !times[0]) {
      add("alert-times", where + ": unreadable times");
      continue;
    }
    const double pending = *times[0], hold = it->second;
    if (times[1] && *times[1] < pending + hold - 1e-6)
      add("alert-for", fmt::format("{}: fired at {}, less than for_s = {} after it went pending at {}", where, python_g(*times[1]),
                                   python_g(hold), python_g(pending)));
    const double last = times[1] ? *times[1] : pending;
    if (times[2] && *times[2] < last - 1e-6)
      add("alert-times", fmt::format("{}: resolved at {}, before it went pending or fired at {}", where, python_g(*times[2]), python_g(last)));
  }
}

}  // namespace aidcsim::check
