// Sweeps: collecting the points' outputs into results.csv (split from sweep.cpp).
#include "sim/experiments/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/io/csv_writer.hpp"

namespace aidcsim {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Collection

static std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool point_complete(const std::string& point_dir) { return fs::is_regular_file(fs::path(point_dir) / "summary.json"); }

std::string first_error_line(const std::string& log_text) {
  std::istringstream in(log_text);
  std::string line, first;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.rfind("error:", 0) == 0) return line;
    if (first.empty() && !line.empty()) first = line;
  }
  return first;
}

const nlohmann::json* find_metric(const nlohmann::json& summary, const std::string& dotted) {
  const nlohmann::json* node = &summary;
  std::size_t start = 0;
  while (true) {
    auto dot = dotted.find('.', start);
    std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

static void collect_paths(const nlohmann::json& j, const std::string& prefix, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) collect_paths(v, prefix.empty() ? k : prefix + "." + k, out);
  } else if (!prefix.empty()) {
    out.push_back(prefix);
  }
}

std::vector<std::string> metric_paths(const nlohmann::json& summary) {
  std::vector<std::string> out;
  collect_paths(summary, "", out);
  return out;
}

PointOutcome collect_point(const std::string& point_dir, const std::vector<std::string>& metrics) {
  PointOutcome o;
  o.metrics.assign(metrics.size(), nullptr);
  o.metric_found.assign(metrics.size(), false);
  fs::path dir(point_dir);
  if (fs::is_regular_file(dir / "run.json")) {
    try {
      o.run_info = nlohmann::json::parse(read_text(dir / "run.json"));
    } catch (const nlohmann::json::parse_error&) {
      o.run_info = nullptr;  // provenance.csv leaves the point's cells empty
    }
  }
  if (point_complete(point_dir)) {
    try {
      o.summary = nlohmann::json::parse(read_text(dir / "summary.json"));
    } catch (const nlohmann::json::parse_error& e) {
      o.status = "failed";
      o.error = "summary.json is not valid JSON";
      return o;
    }
    o.status = "ok";
    o.exit_code = 0;
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      if (const auto* v = find_metric(o.summary, metrics[i])) {
        o.metric_found[i] = true;
        if (!v->is_object() && !v->is_array()) o.metrics[i] = *v;
      }
    }
    return o;
  }
  if (fs::is_regular_file(dir / kExitCodeFile)) {
    std::string text = read_text(dir / kExitCodeFile);
    int code = 0;
    try {
      code = std::stoi(text);
    } catch (const std::exception&) {
      code = -1;
    }
    o.status = "failed";
    o.exit_code = code;
    o.error = first_error_line(read_text(dir / kRunLog));
    if (o.error.empty()) {
      if (code > 128) o.error = fmt::format("killed by signal {}", code - 128);
      else if (code == 0) o.error = "exited with code 0 but wrote no summary.json";
      else o.error = fmt::format("exited with code {} and printed nothing", code);
    }
  }
  return o;
}

static std::string cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_quote(v.get<std::string>());
  return csv_quote(v.dump());
}

std::string results_csv(const SweepPlan& plan, const std::vector<PointOutcome>& outcomes) {
  std::string out = "point_id";
  for (const auto& c : plan.columns) (out += ',') += csv_quote(c);
  for (const auto& m : plan.metrics) (out += ',') += csv_quote(m);
  out += ",status,exit_code,error,dir\n";
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const auto& p = plan.points[i];
    const PointOutcome& o = outcomes.at(i);
    out += csv_quote(p.id);
    for (const auto& q : p.params) (out += ',') += cell(q.value);
    for (std::size_t m = 0; m < plan.metrics.size(); ++m) (out += ',') += (m < o.metrics.size() ? cell(o.metrics[m]) : "");
    (out += ',') += o.status;
    (out += ',') += o.exit_code ? std::to_string(*o.exit_code) : std::string();
    (out += ',') += csv_quote(o.error);
    (out += ',') += csv_quote(p.id);
    out += "\n";
  }
  return out;
}

// A field of run.json as a CSV cell; empty when absent.
static std::string run_cell(const nlohmann::json& run, const nlohmann::json::json_pointer& pointer) {
  if (!run.is_object() || !run.contains(pointer)) return "";
  const nlohmann::json& v = run[pointer];
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return cell(v);
}

std::string provenance_csv(const SweepPlan& plan, const std::vector<PointOutcome>& outcomes) {
  using ptr = nlohmann::json::json_pointer;
  std::string out =
      "point_id,aidcsim_version,git_commit,git_dirty,seed,inputs,hostname,os,cpu_model,wall_clock_start,"
      "wall_clock_end,dir\n";
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const auto& p = plan.points[i];
    const nlohmann::json& run = outcomes.at(i).run_info;
    std::string inputs;
    if (run.is_object() && run.contains("inputs") && run["inputs"].is_array())
      for (const auto& f : run["inputs"]) {
        if (!f.is_object()) continue;
        if (!inputs.empty()) inputs += ';';
        inputs += f.value("role", std::string("input")) + ':' +
                  (f.contains("sha256") && f["sha256"].is_string() ? f["sha256"].get<std::string>() : "unreadable");
      }
    out += csv_quote(p.id);
    for (const char* field : {"/aidcsim_version", "/git_commit", "/git_dirty", "/seed"})
      (out += ',') += run_cell(run, ptr(field));
    (out += ',') += csv_quote(inputs);
    for (const char* field : {"/machine/hostname", "/machine/os", "/machine/cpu_model", "/wall_clock/start", "/wall_clock/end"})
      (out += ',') += run_cell(run, ptr(field));
    (out += ',') += csv_quote(p.id);
    out += "\n";
  }
  return out;
}

ProblemList check_metrics(const SweepPlan& plan, const std::vector<PointOutcome>& outcomes) {
  ProblemList problems;
  const PointOutcome* example = nullptr;
  for (const auto& o : outcomes)
    if (o.status == "ok") {
      example = &o;
      break;
    }
  if (!example) return problems;
  bool listed = plan.located.value.is_object() && plan.located.value.contains("metrics");
  for (std::size_t m = 0; m < plan.metrics.size(); ++m) {
    bool found_any = false, object = false;
    for (const auto& o : outcomes) {
      if (o.status != "ok" || !o.metric_found[m]) continue;
      found_any = true;
      const auto* v = find_metric(o.summary, plan.metrics[m]);
      object = object || (v && (v->is_object() || v->is_array()));
    }
    std::string pointer = listed ? fmt::format("/metrics/{}", m) : "/metrics";
    int line = listed ? plan.located.line(pointer) : 0;
    if (object) {
      std::vector<std::string> inner;
      for (const auto& p : metric_paths(example->summary))
        if (p.rfind(plan.metrics[m] + ".", 0) == 0) inner.push_back(p);
      problems.add(plan.file, line, pointer,
                   fmt::format("\"{}\" is an object in summary.json, not a number; name one of its fields: {}",
                               plan.metrics[m], join_names(inner)));
    } else if (!found_any) {
      auto available = metric_paths(example->summary);
      std::string hint = closest_name(plan.metrics[m], available);
      problems.add(plan.file, line, pointer,
                   fmt::format("\"{}\" is not in any point's summary.json{}; available: {}", plan.metrics[m],
                               hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint), join_names(available)));
    }
  }
  return problems;
}

}  // namespace aidcsim
