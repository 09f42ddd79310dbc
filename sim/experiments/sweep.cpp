#include "sim/experiments/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/config/options.hpp"
#include "sim/core/registry.hpp"
#include "sim/config/scenario.hpp"

namespace aidcsim {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Points

nlohmann::json SweepPoint::canonical() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& p : fixed) j[p.key] = p.value;
  for (const auto& p : params) j[p.key] = p.value;
  return j;
}

std::vector<std::string> SweepPoint::run_args(const std::string& scenario, const std::string& out_dir) const {
  std::vector<std::string> args{"run", scenario, "--out", out_dir};
  std::optional<std::string> seed;
  auto add = [&](const SweepParameter& p) {
    if (p.key == "seed") seed = p.value.dump();
    else {
      args.push_back("--set");
      // The value as JSON, so a string that looks like a number stays a string.
      args.push_back(p.key + "=" + p.value.dump());
    }
  };
  for (const auto& p : fixed) add(p);
  for (const auto& p : params) add(p);
  if (seed) {
    args.push_back("--seed");
    args.push_back(*seed);
  }
  args.push_back("--quiet");
  return args;
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string sweep_point_id(const std::string& slug, const nlohmann::json& canonical) {
  std::uint64_t h = fnv1a64(canonical.dump());
  auto folded = static_cast<std::uint32_t>(h ^ (h >> 32));
  return fmt::format("{}-{:08x}", slug.empty() ? "point" : slug, folded);
}

const std::vector<std::string>& default_sweep_metrics() {
  static const std::vector<std::string> metrics{"jobs.completed", "jct_s.mean",     "jct_s.p95",
                                                "queue_delay_s.mean", "queue_delay_s.p95", "gpu_allocation",
                                                "makespan_s"};
  return metrics;
}

std::string SweepPlan::default_out_dir() const { return "results/sweeps/" + fs::path(file).stem().string(); }

nlohmann::json SweepPlan::to_json() const {
  nlohmann::json j;
  j["sweep"] = file;
  j["scenario"] = scenario;
  j["columns"] = columns;
  j["metrics"] = metrics;
  nlohmann::json points_json = nlohmann::json::array();
  for (const auto& p : points) {
    nlohmann::json pj;
    pj["index"] = p.index;
    pj["id"] = p.id;
    nlohmann::json params = nlohmann::json::array();
    for (const auto& q : p.params) params.push_back({{"key", q.key}, {"value", q.value}});
    pj["params"] = params;
    pj["args"] = p.run_args(scenario, "<OUT>/" + p.id);
    points_json.push_back(pj);
  }
  if (!points.empty()) {
    nlohmann::json fixed = nlohmann::json::object();
    for (const auto& q : points.front().fixed) fixed[q.key] = q.value;
    j["set"] = fixed;
  }
  j["points"] = points_json;
  return j;
}

// ---------------------------------------------------------------------------------------------
// Parsing and expansion

namespace {

std::string escape(const std::string& key) { return json_pointer_escape(key); }

// One axis of the product: a grid key, a zip group, or the seeds.
struct Dimension {
  std::vector<std::string> keys;
  std::vector<std::vector<nlohmann::json>> options;   // options[i][k]: value of keys[k] in option i
  std::vector<std::vector<std::string>> pointers;     // same shape: where each value is
};

std::string value_for_slug(const nlohmann::json& v) {
  std::string raw = v.is_string() ? v.get<std::string>() : v.dump();
  if (v.is_string() && raw.find('/') != std::string::npos) {
    // A path: its file name without extension says most ("../platforms/a100.xml" -> "a100").
    std::string stem = fs::path(raw).stem().string();
    if (!stem.empty()) raw = stem;
  }
  std::string out;
  for (char c : raw) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-';
    if (ok) out += c;
    else if (out.empty() || out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.size() > 24) out.resize(24);
  return out.empty() ? "_" : out;
}

class SweepReader {
 public:
  SweepReader(const std::string& text, const std::string& file, SweepPlan& plan, ProblemList& problems)
      : file_(file), plan_(plan), problems_(problems) {
    plan_.file = file;
    plan_.located = parse_located_json(text, file);  // throws on a syntax error
    ordered_ = nlohmann::ordered_json::parse(text);
  }

  void read() {
    const nlohmann::json& root = plan_.located.value;
    if (!root.is_object()) {
      problems_.add(file_, 1, "", "a sweep file must be a JSON object with \"scenario\" and \"grid\"");
      return;
    }
    OptionReader top(root, "", file_, &plan_.located, problems_);
    std::string scenario = top.text("scenario", "");
    if (!root.contains("scenario")) top.problem("scenario", "missing; expected the scenario file, relative to the sweep file");
    else if (scenario.empty() && root["scenario"].is_string()) top.problem("scenario", "empty; expected a file name");
    if (!scenario.empty()) {
      fs::path p(scenario);
      plan_.scenario = p.is_absolute() ? p.string() : (fs::path(file_).parent_path() / p).lexically_normal().string();
    }
    top.text("description", "");
    top.text("name", "");

    std::vector<Dimension> dims;
    if (top.has("grid")) read_grid(dims);
    if (top.has("zip")) read_zip(dims);
    std::vector<SweepParameter> fixed;
    if (top.has("set")) read_set(fixed);
    if (top.has("seeds")) read_seeds(dims, fixed);
    if (!root.contains("grid") && !root.contains("zip") && !root.contains("seeds"))
      top.problem("", "nothing to vary: expected \"grid\" (and optionally \"zip\" or \"seeds\")");
    read_metrics(top);
    if (top.has("slurm")) read_slurm(root["slurm"]);
    top.reject_unknown({"grid", "zip", "set", "seeds", "metrics", "slurm"});
    if (problems_.empty()) expand(dims, fixed);
  }

 private:
  int line(const std::string& pointer) const { return plan_.located.line(pointer); }
  void problem(const std::string& pointer, const std::string& what) { problems_.add(file_, line(pointer), pointer, what); }

  // A key names a --set path ("scheduler.policy") or "seed"; the first time a key is seen wins.
  bool claim_key(const std::string& key, const std::string& pointer) {
    if (key.empty() || key.front() == '.' || key.back() == '.' || key.find("..") != std::string::npos) {
      problem(pointer, fmt::format("bad key \"{}\"; expected a dotted scenario path such as scheduler.policy, or seed", key));
      return false;
    }
    if (key.find('=') != std::string::npos) {
      problem(pointer, fmt::format("bad key \"{}\": a --set path cannot contain '='", key));
      return false;
    }
    auto [it, inserted] = keys_.emplace(key, pointer);
    if (!inserted) {
      problem(pointer, fmt::format("\"{}\" is already varied or set at {}; each key may appear once", key, it->second));
      return false;
    }
    return true;
  }

  bool check_seed_value(const nlohmann::json& v, const std::string& pointer) {
    if (v.is_number_unsigned() || (v.is_number_integer() && v.get<long long>() >= 0)) return true;
    problem(pointer, fmt::format("found {}, expected a non-negative integer seed", v.dump()));
    return false;
  }

  // Values of one varied key: a non-empty array without repeats.
  bool check_values(const std::string& key, const nlohmann::json& values, const std::string& pointer) {
    if (!values.is_array() || values.empty()) {
      problem(pointer, fmt::format("found {}, expected a non-empty array of values for \"{}\"", values.dump(), key));
      return false;
    }
    bool ok = true;
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::string vp = fmt::format("{}/{}", pointer, i);
      if (key == "seed") ok = check_seed_value(values[i], vp) && ok;
      if (values[i].is_null()) {
        problem(vp, "found null; expected a value (null cannot be passed with --set)");
        ok = false;
      }
    }
    return ok;
  }

  void read_grid(std::vector<Dimension>& dims) {
    const auto& grid = ordered_["grid"];
    if (!grid.is_object()) {
      problem("/grid", fmt::format("found {}, expected an object mapping --set paths to lists of values",
                                   plan_.located.value["grid"].dump()));
      return;
    }
    for (const auto& [key, values_ordered] : grid.items()) {
      std::string pointer = "/grid/" + escape(key);
      nlohmann::json values = plan_.located.value["grid"][key];
      if (!claim_key(key, pointer) || !check_values(key, values, pointer)) continue;
      Dimension d;
      d.keys = {key};
      std::vector<nlohmann::json> seen;
      for (std::size_t i = 0; i < values.size(); ++i) {
        std::string vp = fmt::format("{}/{}", pointer, i);
        auto same = std::find(seen.begin(), seen.end(), values[i]);
        if (same != seen.end()) {
          problem(vp, fmt::format("duplicate value {} (also at {}/{}); each point must differ",
                                  values[i].dump(), pointer, same - seen.begin()));
          continue;
        }
        seen.push_back(values[i]);
        d.options.push_back({values[i]});
        d.pointers.push_back({vp});
      }
      dims.push_back(std::move(d));
    }
  }

  void read_zip_group(const nlohmann::ordered_json& group, const nlohmann::json& plain, const std::string& pointer,
                      std::vector<Dimension>& dims) {
    if (!group.is_object() || group.empty()) {
      problem(pointer, fmt::format("found {}, expected an object of equally long lists, e.g. "
                                   "{{\"workload.jobs.time_scale\": [1, 0.5], \"horizon_s\": [1e5, 2e5]}}",
                                   plain.dump()));
      return;
    }
    Dimension d;
    std::size_t length = 0;
    std::string first_key;
    bool ok = true;
    for (const auto& [key, unused] : group.items()) {
      std::string kp = pointer + "/" + escape(key);
      const nlohmann::json& values = plain[key];
      if (!claim_key(key, kp) || !check_values(key, values, kp)) {
        ok = false;
        continue;
      }
      if (d.keys.empty()) {
        length = values.size();
        first_key = key;
      } else if (values.size() != length) {
        problem(kp, fmt::format("has {} values but \"{}\" has {}; lists in one zip vary together and must "
                                "have the same length", values.size(), first_key, length));
        ok = false;
        continue;
      }
      d.keys.push_back(key);
    }
    if (!ok || d.keys.empty()) return;
    for (std::size_t i = 0; i < length; ++i) {
      std::vector<nlohmann::json> option;
      std::vector<std::string> pointers;
      for (const auto& key : d.keys) {
        option.push_back(plain[key][i]);
        pointers.push_back(fmt::format("{}/{}/{}", pointer, escape(key), i));
      }
      auto same = std::find(d.options.begin(), d.options.end(), option);
      if (same != d.options.end()) {
        problem(pointers.front(), fmt::format("entry {} repeats entry {} of this zip; each point must differ", i,
                                              same - d.options.begin()));
        continue;
      }
      d.options.push_back(option);
      d.pointers.push_back(pointers);
    }
    dims.push_back(std::move(d));
  }

  void read_zip(std::vector<Dimension>& dims) {
    const auto& zip = ordered_["zip"];
    const auto& plain = plan_.located.value["zip"];
    if (zip.is_array()) {
      for (std::size_t g = 0; g < zip.size(); ++g) read_zip_group(zip[g], plain[g], fmt::format("/zip/{}", g), dims);
    } else {
      read_zip_group(zip, plain, "/zip", dims);
    }
  }

  void read_set(std::vector<SweepParameter>& fixed) {
    const auto& set = ordered_["set"];
    if (!set.is_object()) {
      problem("/set", fmt::format("found {}, expected an object of --set paths and values applied to every point",
                                  plan_.located.value["set"].dump()));
      return;
    }
    for (const auto& [key, unused] : set.items()) {
      std::string pointer = "/set/" + escape(key);
      const nlohmann::json& value = plan_.located.value["set"][key];
      if (!claim_key(key, pointer)) continue;
      if (key == "seed" && !check_seed_value(value, pointer)) continue;
      if (value.is_null()) {
        problem(pointer, "found null; expected a value (null cannot be passed with --set)");
        continue;
      }
      fixed.push_back({key, value, pointer});
    }
  }

  void read_seeds(std::vector<Dimension>& dims, std::vector<SweepParameter>&) {
    const nlohmann::json& seeds = plan_.located.value["seeds"];
    if (keys_.count("seed")) {
      problem("/seeds", fmt::format("\"seeds\" cannot be used when \"seed\" is already varied or set at {}",
                                    keys_["seed"]));
      return;
    }
    Dimension d;
    d.keys = {"seed"};
    if (seeds.is_number_integer() && seeds.get<long long>() >= 1 && seeds.get<long long>() <= 100000) {
      // A count: seeds 1..N.
      for (long long s = 1; s <= seeds.get<long long>(); ++s) {
        d.options.push_back({nlohmann::json(s)});
        d.pointers.push_back({"/seeds"});
      }
    } else if (seeds.is_array() && !seeds.empty()) {
      if (!check_values("seed", seeds, "/seeds")) return;
      std::vector<nlohmann::json> seen;
      for (std::size_t i = 0; i < seeds.size(); ++i) {
        std::string vp = fmt::format("/seeds/{}", i);
        if (std::find(seen.begin(), seen.end(), seeds[i]) != seen.end()) {
          problem(vp, fmt::format("duplicate seed {}", seeds[i].dump()));
          continue;
        }
        seen.push_back(seeds[i]);
        d.options.push_back({seeds[i]});
        d.pointers.push_back({vp});
      }
    } else {
      problem("/seeds", fmt::format("found {}, expected a number of repetitions (1..100000, giving seeds 1..N) "
                                    "or a non-empty list of seeds", seeds.dump()));
      return;
    }
    keys_.emplace("seed", "/seeds");
    dims.push_back(std::move(d));
  }

  void read_metrics(OptionReader& top) {
    const nlohmann::json& root = plan_.located.value;
    if (!top.has("metrics")) {
      plan_.metrics = default_sweep_metrics();
      return;
    }
    const nlohmann::json& metrics = root["metrics"];
    if (!metrics.is_array() || metrics.empty()) {
      problem("/metrics", fmt::format("found {}, expected a non-empty list of dotted paths into summary.json, "
                                      "e.g. [\"jct_s.mean\", \"gpu_allocation\"]", metrics.dump()));
      return;
    }
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      std::string pointer = fmt::format("/metrics/{}", i);
      const auto& m = metrics[i];
      if (!m.is_string() || m.get<std::string>().empty()) {
        problem(pointer, fmt::format("found {}, expected a dotted path into summary.json such as \"jct_s.mean\"", m.dump()));
        continue;
      }
      std::string name = m.get<std::string>();
      if (std::find(plan_.metrics.begin(), plan_.metrics.end(), name) != plan_.metrics.end()) {
        problem(pointer, fmt::format("\"{}\" is listed twice", name));
        continue;
      }
      plan_.metrics.push_back(name);
    }
  }

  std::vector<std::string> strings(OptionReader& r, const nlohmann::json& section, const std::string& key) {
    if (!r.has(key)) return {};
    const nlohmann::json& v = section[key];
    if (v.is_string()) return {v.get<std::string>()};
    if (v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& x) { return x.is_string(); }))
      return v.get<std::vector<std::string>>();
    r.problem(key, fmt::format("found {}, expected a list of strings", v.dump()));
    return {};
  }

  void read_slurm(const nlohmann::json& section) {
    if (section.is_null()) return;
    if (!section.is_object()) {
      problem("/slurm", fmt::format("found {}, expected an object such as {{\"partition\": \"cpu\", \"time\": \"00:30:00\"}}",
                                    section.dump()));
      return;
    }
    SlurmSettings& s = plan_.slurm;
    OptionReader r(section, "/slurm", file_, &plan_.located, problems_);
    s.partition = r.text("partition", "");
    s.time = time_text(r, section);
    s.mem = r.text("mem", "");
    s.mem_per_cpu = r.text("mem_per_cpu", "");
    s.account = r.text("account", "");
    s.qos = r.text("qos", "");
    s.job_name = r.text("job_name", "");
    s.aidcsim = r.text("aidcsim", "");
    s.cpus_per_task = r.integer("cpus_per_task", 1, 1, 4096);
    s.max_parallel = r.integer("max_parallel", 0, 0, 1000000);
    s.extra = strings(r, section, "extra");
    s.setup = strings(r, section, "setup");
    if (!s.mem.empty() && !s.mem_per_cpu.empty()) r.problem("mem_per_cpu", "give either mem or mem_per_cpu, not both");
    for (std::size_t i = 0; i < s.extra.size(); ++i) {
      if (s.extra[i].find('\n') != std::string::npos)
        problem(fmt::format("/slurm/extra/{}", i), "an #SBATCH line cannot contain a newline");
    }
    r.reject_unknown({"extra", "setup", "time"});
  }

  std::string time_text(OptionReader& r, const nlohmann::json& section) {
    // "time": "HH:MM:SS" (any sbatch --time form) or a number of minutes.
    if (!r.has("time")) return "";
    const auto& v = section["time"];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer() && v.get<long long>() > 0) return std::to_string(v.get<long long>());
    r.problem("time", fmt::format("found {}, expected an sbatch time limit such as \"00:30:00\" or a number of minutes",
                                  v.dump()));
    return "";
  }

  void expand(const std::vector<Dimension>& dims, const std::vector<SweepParameter>& fixed) {
    double total = 1;
    for (const auto& d : dims) total *= static_cast<double>(d.options.size());
    if (total > 1e6) {
      problem("", fmt::format("the sweep has {:.0f} points; more than 1000000 is surely a mistake", total));
      return;
    }
    for (const auto& d : dims) plan_.columns.insert(plan_.columns.end(), d.keys.begin(), d.keys.end());

    // Slug labels: the last path component, or the full path where two columns would share it.
    std::map<std::string, int> last_count;
    auto last_of = [](const std::string& k) { return k.substr(k.rfind('.') == std::string::npos ? 0 : k.rfind('.') + 1); };
    for (const auto& c : plan_.columns) ++last_count[last_of(c)];
    std::vector<std::string> labels;
    std::vector<bool> in_slug;
    for (const auto& d : dims) {
      for (const auto& k : d.keys) {
        labels.push_back(last_count[last_of(k)] > 1 ? k : last_of(k));
        in_slug.push_back(d.options.size() > 1);  // a single-valued key says nothing about the point
      }
    }

    std::vector<std::size_t> slug_order(plan_.columns.size());
    for (std::size_t c = 0; c < slug_order.size(); ++c) slug_order[c] = c;
    std::sort(slug_order.begin(), slug_order.end(),
              [&](std::size_t a, std::size_t b) { return plan_.columns[a] < plan_.columns[b]; });
    auto count = static_cast<std::size_t>(total);
    std::map<std::string, std::size_t> ids;
    std::vector<std::size_t> digit(dims.size(), 0);
    for (std::size_t n = 0; n < count; ++n) {
      SweepPoint p;
      p.index = n;
      p.fixed = fixed;
      for (std::size_t di = 0; di < dims.size(); ++di) {
        const auto& d = dims[di];
        for (std::size_t k = 0; k < d.keys.size(); ++k)
          p.params.push_back({d.keys[k], d.options[digit[di]][k], d.pointers[digit[di]][k]});
      }
      // The slug lists keys in sorted order, like the hashed canonical JSON, so reordering the keys of
      // the sweep file renames nothing.
      std::string slug;
      for (std::size_t c : slug_order) {
        if (!in_slug[c]) continue;
        std::string part = labels[c] + "-" + value_for_slug(p.params[c].value);
        if (slug.size() + part.size() + 1 > 96) break;
        slug += (slug.empty() ? "" : "_") + part;
      }
      p.id = sweep_point_id(slug, p.canonical());
      auto [it, inserted] = ids.emplace(p.id, n);
      if (!inserted) {
        problem("", fmt::format("points {} and {} have the same id {}; change a value", it->second, n, p.id));
        return;
      }
      plan_.points.push_back(std::move(p));
      // Next index: the last dimension varies fastest (like nested loops in file order).
      for (std::size_t di = dims.size(); di-- > 0;) {
        if (++digit[di] < dims[di].options.size()) break;
        digit[di] = 0;
      }
    }
  }

  std::string file_;
  SweepPlan& plan_;
  ProblemList& problems_;
  nlohmann::ordered_json ordered_;
  std::map<std::string, std::string> keys_;  // key -> pointer of its first appearance
};

}  // namespace

SweepPlan parse_sweep(const std::string& text, const std::string& file) {
  SweepPlan plan;
  ProblemList problems;
  SweepReader(text, file, plan, problems).read();
  if (!problems.empty()) {
    std::vector<InputProblem> sorted = problems.items();
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
    throw InputErrors(sorted);
  }
  return plan;
}

static std::string dotted_to_pointer(const std::string& dotted) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    auto dot = dotted.find('.', start);
    (out += '/') += json_pointer_escape(dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

void check_sweep_points(const SweepPlan& plan, ProblemList& problems) {
  std::set<std::string> seen;
  auto add = [&](InputProblem p) {
    std::string key = p.format();
    if (seen.insert(key).second) problems.add(std::move(p));
  };
  const Registries& registries = builtin_registries();
  for (const auto& point : plan.points) {
    std::vector<Override> overrides;
    std::vector<const SweepParameter*> sources;
    std::optional<std::uint64_t> seed;
    for (const auto* list : {&point.fixed, &point.params}) {
      for (const auto& p : *list) {
        if (p.key == "seed") seed = p.value.get<std::uint64_t>();
        else {
          overrides.push_back({p.key, p.value.dump()});
          sources.push_back(&p);
        }
      }
    }
    ProblemList found;
    try {
      load_scenario(plan.scenario, overrides, seed, registries, found);
    } catch (const InputErrors& e) {
      for (const auto& p : e.problems()) found.add(p);
    }
    for (const auto& p : found.items()) {
      // A problem at (or inside) an overridden path comes from the sweep file: point at the value there.
      const SweepParameter* source = nullptr;
      for (const auto* s : sources) {
        std::string pointer = dotted_to_pointer(s->key);
        bool from_set = p.file == "--set" && p.where == s->key;
        bool inside = p.file == plan.scenario &&
                      (p.where == pointer || p.where.rfind(pointer + "/", 0) == 0);
        if (from_set || inside) source = s;
      }
      if (source) {
        std::string what = p.what;
        if (p.file == plan.scenario && p.where != dotted_to_pointer(source->key))
          what = fmt::format("{}: {}", p.where, what);
        add({plan.file, plan.located.line(source->pointer), source->pointer,
             fmt::format("{} (scenario {}, --set {})", what, plan.scenario, source->key)});
      } else {
        add(p);
      }
    }
  }
}

SweepPlan load_sweep(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputErrors({{path, 0, "", "cannot open the sweep file (does it exist and is it readable?)"}});
  std::stringstream buffer;
  buffer << in.rdbuf();
  SweepPlan plan = parse_sweep(buffer.str(), path);
  ProblemList problems;
  if (!fs::is_regular_file(plan.scenario)) {
    problems.add(path, plan.located.line("/scenario"), "/scenario",
                 fmt::format("scenario file not found: {} (relative paths are relative to the sweep file)",
                             plan.scenario));
  } else {
    check_sweep_points(plan, problems);
  }
  problems.throw_if_any();
  return plan;
}

}  // namespace aidcsim
