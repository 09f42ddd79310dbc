#include "sim/config/scenario.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "sim/config/concerns.hpp"
#include "sim/config/options.hpp"
#include "sim/core/csv.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {

namespace fs = std::filesystem;

Override parse_override(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputErrors({{"--set", 0, text, "expected KEY=VALUE with a dotted key, e.g. scheduler.policy=sjf"}});
  return {text.substr(0, eq), text.substr(eq + 1)};
}

static void apply_override(nlohmann::json& root, const Override& o, ProblemList& problems) {
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(o.value);
  } catch (const nlohmann::json::parse_error&) {
    if (auto bad = invalid_utf8_at(o.value)) {
      problems.add("--set", 0, o.path, fmt::format("byte {} of the value is not valid UTF-8; expected UTF-8 text", *bad + 1));
      return;
    }
    value = o.value;  // not JSON: a plain string
  } catch (const nlohmann::json::out_of_range&) {
    problems.add("--set", 0, o.path,
                 fmt::format("the number {} is out of range; expected a number within +-1.7e308", o.value));
    return;
  }
  nlohmann::json* node = &root;
  std::size_t start = 0;
  while (true) {
    auto dot = o.path.find('.', start);
    std::string key = o.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) {
      problems.add("--set", 0, o.path, "empty key component; expected a dotted path such as scheduler.policy");
      return;
    }
    if (node->is_array()) {  // an element of a list by its index: workload.services.0.replicas
      bool digits = key.size() <= 9 && key.find_first_not_of("0123456789") == std::string::npos;
      std::size_t index = digits ? std::stoul(key) : 0;
      if (!digits || index >= node->size()) {
        problems.add("--set", 0, o.path,
                     node->empty() ? fmt::format("\"{}\" is not an index: the list is empty", key)
                                   : fmt::format("\"{}\" is not an index of the list of {} elements; expected 0 to {}", key,
                                                 node->size(), node->size() - 1));
        return;
      }
      if (dot == std::string::npos) {
        (*node)[index] = value;
        return;
      }
      node = &(*node)[index];
      start = dot + 1;
      continue;
    }
    if (node->is_null()) *node = nlohmann::json::object();
    if (!node->is_object()) {
      problems.add("--set", 0, o.path, fmt::format("cannot set \"{}\" inside a {}", key, node->type_name()));
      return;
    }
    if (dot == std::string::npos) {
      (*node)[key] = value;
      return;
    }
    node = &(*node)[key];
    start = dot + 1;
  }
}

namespace {
// Walks the scenario with one OptionReader per section, so every problem is collected.
class ScenarioReader {
 public:
  ScenarioReader(Scenario& s, const Registries& r, ProblemList& p) : s_(s), registries_(r), problems_(p) {}

  void read() {
    const nlohmann::json& root = s_.resolved;
    if (!root.is_object()) {
      problems_.add(s_.file, 1, "", "the scenario must be a JSON object");
      return;
    }
    OptionReader top(root, "", s_.file, &s_.located, problems_);
    s_.name = top.text("name", fs::path(s_.file).stem().string());
    s_.seed = static_cast<std::uint64_t>(top.number("seed", 1, 0, 9007199254740992.0));
    if (root.contains("seed") && root["seed"].is_number() && !root["seed"].is_number_integer())
      top.problem("seed", "expected a non-negative integer");
    s_.platform_path = resolve(top.text("platform", ""));
    if (!root.contains("platform")) top.problem("platform", "missing; expected the path of a SimGrid platform file");
    else if (s_.platform_path.empty() && (root["platform"].is_null() || root["platform"] == ""))
      top.problem("platform", "empty; expected the path of a SimGrid platform file");
    else if (std::string why = s_.platform_path.empty() ? "" : input_file_problem(s_.platform_path); !why.empty())
      top.problem("platform", fmt::format("{}: {}", why, abbreviate(s_.platform_path)));
    top.text("description", "");
    auto horizon = top.number("horizon_s", -1, 0, kMaxTime_s);
    if (horizon >= 0) s_.horizon_s = horizon;

    read_workload(section(root, "workload"), "/workload");
    if (!root.contains("workload")) top.problem("workload", "missing; expected {\"jobs\": {\"path\": ..., \"format\": ...}}");
    read_policy(section(root, "scheduler"), s_.scheduler, concern("scheduler.policy"));
    read_policy(section(root, "placement"), s_.placement, concern("placement.policy"));
    read_virtualization(section(root, "virtualization"));
    read_monitoring(section(root, "monitoring"));
    read_engine(section(root, "engine"));
    read_power(section(root, "power"));
    read_policy(section(root, "quota"), s_.quota, concern("quota.policy"));
    read_autoscaling(section(root, "autoscaling"));
    s_.has_cost = root.contains("cost") && !root["cost"].is_null();
    if (s_.has_cost) read_policy(section(root, "cost"), s_.cost, concern("cost.preset"), "preset");
    s_.has_failures = root.contains("failures") && !root["failures"].is_null();
    if (s_.has_failures && !root["failures"].is_object())
      top.problem("failures", fmt::format("found {}, expected an object (docs/failures.md) or null", root["failures"].type_name()));
    top.reject_unknown({"quota", "autoscaling", "failures", "scheduler", "placement", "virtualization", "monitoring",
                        "engine", "workload", "power", "cost"});
  }

 private:
  const nlohmann::json& section(const nlohmann::json& parent, const char* key) {
    static const nlohmann::json kEmpty = nlohmann::json::object();
    auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return kEmpty;
    return *it;
  }
  std::string resolve(const std::string& relative) {
    if (relative.empty()) return relative;
    fs::path p(relative);
    if (p.is_absolute()) return p.string();
    return (fs::path(s_.file).parent_path() / p).lexically_normal().string();
  }
  void expect_object(const nlohmann::json& j, const std::string& pointer) {
    if (!j.is_object())
      problems_.add(s_.file, s_.located.line(pointer), pointer, fmt::format("found {}, expected an object", j.dump()));
  }
  // The implementation a concern's section names (sim/config/concerns.hpp), checked against its registry.
  std::string choose(OptionReader& r, const std::string& key, const ConcernDecl& c) {
    return s_.choices[c.choice_path] = r.text(key, c.default_choice, c.names(registries_));
  }
  void read_policy(const nlohmann::json& j, PolicyChoice& choice, const ConcernDecl& c, const char* key = "policy") {
    expect_object(j, choice.pointer);
    OptionReader r(j, choice.pointer, s_.file, &s_.located, problems_);
    choice.policy = choose(r, key, c);
    // Policy-specific keys are checked when the policy is instantiated.
  }
  void read_workload(const nlohmann::json& j, const std::string& pointer) {
    expect_object(j, pointer);
    OptionReader r(j, pointer, s_.file, &s_.located, problems_);
    r.has("services");  // read with the services (models/inference/service.cpp) once the platform is known
    r.reject_unknown({"jobs", "services"});
    const nlohmann::json& jobs = section(j, "jobs");
    std::string jp = pointer + "/jobs";
    if (!j.contains("jobs")) {
      // A workload of inference services alone needs no job trace.
      const nlohmann::json& services = section(j, "services");
      if (!services.is_array() || services.empty())
        r.problem("jobs", "missing; expected {\"path\": ..., \"format\": \"native\"} (or inference services)");
      return;
    }
    expect_object(jobs, jp);
    OptionReader jr(jobs, jp, s_.file, &s_.located, problems_);
    s_.jobs.path = resolve(jr.text("path", ""));
    if (s_.jobs.path.empty()) jr.problem("path", "missing; expected the path of the job trace");
    else if (std::string why = input_file_problem(s_.jobs.path); !why.empty())
      jr.problem("path", fmt::format("{}: {}", why, abbreviate(s_.jobs.path)));
    s_.jobs.format = choose(jr, "format", concern("workload.jobs.format"));
    s_.jobs.limit = jr.integer("limit", -1, -1, 2147483647);
    auto window = jr.numbers("time_window", {});
    if (!window.empty()) {
      if (window.size() != 2 || window[0] < 0 || window[1] <= window[0])
        jr.problem("time_window", "expected [start_s, end_s] with 0 <= start_s < end_s");
      else {
        s_.jobs.window_start_s = window[0];
        s_.jobs.window_end_s = window[1];
      }
    }
    s_.jobs.time_scale = jr.number("time_scale", 1, 1e-9, 1e9);
    s_.workload_model.policy = choose(jr, "model", concern("workload.jobs.model"));
    // Reader-specific keys are checked when the reader is instantiated.
  }
  // autoscaling.services and autoscaling.nodes are read by their models (models/autoscaling/) once the
  // services and the platform are known.
  void read_autoscaling(const nlohmann::json& j) {
    expect_object(j, "/autoscaling");
    OptionReader r(j, "/autoscaling", s_.file, &s_.located, problems_);
    r.reject_unknown({"services", "nodes"});
    if (j.is_object() && j.contains("nodes") && !j["nodes"].is_null()) expect_object(j["nodes"], "/autoscaling/nodes");
  }
  void read_virtualization(const nlohmann::json& j) {
    expect_object(j, "/virtualization");
    OptionReader r(j, "/virtualization", s_.file, &s_.located, problems_);
    s_.runtime = choose(r, "runtime", concern("virtualization.runtime"));
    s_.gpu_sharing = choose(r, "gpu_sharing", concern("virtualization.gpu_sharing"));
    // Keys of the GPU-sharing modes (models/sharing/); each mode reports those it does not use when
    // it is instantiated (docs/gpu_sharing.md). A runtime's options are in its own section.
    std::vector<std::string> known = {"oversubscription", "interference_factor", "context_switch_overhead", "replicas",
                                      "layouts", "reconfigure_s"};
    for (const auto& name : registries_.runtimes.names()) known.push_back(name);
    r.reject_unknown(known);
  }
  void read_monitoring(const nlohmann::json& j) {
    expect_object(j, "/monitoring");
    OptionReader r(j, "/monitoring", s_.file, &s_.located, problems_);
    s_.monitoring_interval_s = r.number("interval_s", 60, 1e-3, kMaxTime_s);
    s_.monitoring_max_samples = r.integer("max_samples", 1000000, 1, 100000000);
    s_.monitor.policy = choose(r, "policy", concern("monitoring.policy"));
  }
  void read_engine(const nlohmann::json& j) {
    expect_object(j, "/engine");
    OptionReader r(j, "/engine", s_.file, &s_.located, problems_);
    s_.always_simgrid_activities = r.text("activities", "shared", {"shared", "always"}) == "always";
    s_.network_model = r.text("network_model", "LV08", {"LV08", "CM02"});
    r.reject_unknown();
  }

  // "power": {"off_after_s": null | seconds, "boot_s": seconds} (docs/energy.md).
  void read_power(const nlohmann::json& j) {
    expect_object(j, "/power");
    OptionReader r(j, "/power", s_.file, &s_.located, problems_);
    double off_after = r.number("off_after_s", -1, 0, kMaxTime_s);
    if (off_after >= 0) s_.power_off_after_s = off_after;
    s_.power_boot_s = r.number("boot_s", 0, 0, kMaxTime_s);
    r.reject_unknown();
  }

  Scenario& s_;
  const Registries& registries_;
  ProblemList& problems_;
};
}  // namespace

std::string Scenario::choice(const std::string& choice_path) const {
  auto it = choices.find(choice_path);
  return it != choices.end() ? it->second : concern(choice_path).default_choice;
}

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides,
                       std::optional<std::uint64_t> seed, const Registries& registries, ProblemList& problems) {
  Scenario s;
  s.file = path;
  s.located = load_located_json(path);
  s.resolved = s.located.value;
  if (s.resolved.is_object()) {
    ProblemList override_problems;
    for (const auto& o : overrides) apply_override(s.resolved, o, override_problems);
    override_problems.throw_if_any();
    if (seed) s.resolved["seed"] = *seed;
  }
  ScenarioReader(s, registries, problems).read();
  if (!s.resolved.is_object()) problems.throw_if_any();
  return s;
}

}  // namespace aidcsim
