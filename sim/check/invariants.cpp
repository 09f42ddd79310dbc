#include "sim/check/invariants.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "sim/check/alert_rules.hpp"
#include "sim/check/failure_rules.hpp"
#include "sim/check/scaling_rules.hpp"
#include "sim/check/check_values.hpp"
#include "sim/check/python_text.hpp"
#include "sim/check/quota_rules.hpp"
#include "sim/check/service_rules.hpp"
#include "sim/check/run_tables.hpp"
#include "sim/core/errors.hpp"

namespace aidcsim::check {
namespace {

using nlohmann::json;

const char* const kStates[] = {"completed", "rejected", "unfinished"};  // sorted
const char* const kRequired[] = {"job_id", "tenant",   "submit_s", "start_s", "end_s", "queue_delay_s",
                                 "jct_s",  "gpus",     "gpu_milli", "state",  "hosts"};
// Each figure is printed rounded to 6 decimals: a difference of two of them may be off by 1e-6 from
// the printed difference, on top of the 1e-6 we allow.
constexpr double kTolerance = 1e-6 + 1.5e-6;

bool close(double a, double b) {
  return std::fabs(a - b) <= kTolerance + 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

std::optional<double> number(const Text& text) {
  auto value = python_number(text);
  if (value && !std::isfinite(*value)) throw UnreadableNumber{fmt::format("not a finite number: {}", python_repr(*text))};
  return value;
}

std::string joined(const std::vector<std::string>& hosts) { return fmt::format("{}", fmt::join(hosts, ";")); }

std::vector<std::string> distinct(const std::vector<std::string>& hosts) {
  std::vector<std::string> out;
  for (const auto& h : hosts)
    if (std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
  return out;
}

// How Python's f-string prints a JSON value (str) and whether it equals a count (5.0 == 5, True == 1).
std::string python_value(const json& v) {
  if (v.is_null()) return "None";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_number_float()) return python_str(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}
std::string python_value_repr(const json& v) {
  return v.is_string() ? python_repr(v.get<std::string>()) : python_value(v);
}
bool equals_count(const json& v, std::size_t count) {
  if (v.is_boolean()) return (v.get<bool>() ? 1u : 0u) == count;
  if (v.is_number()) return v.get<double>() == static_cast<double>(count);
  return false;
}

struct Migration {
  double start_s = 0, end_s = 0;
  std::vector<std::string> from, to;
};

class Checker {
 public:
  explicit Checker(CheckReport& report) : report_(report) {}
  void add(const char* rule, std::string message) { report_.violations.push_back({rule, std::move(message)}); }

  // job_id -> the migrations that moved it, by start.
  std::map<std::string, std::vector<Migration>> read_migrations(const std::string& path) {
    std::map<std::string, std::vector<Migration>> moves;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return moves;
    ProblemList problems;
    CsvTable table = CsvTable::read(path, problems);
    problems.throw_if_any();
    for (const auto& row : table.rows()) {
      if (table.get(row, "job_moved") != Text("1")) continue;
      std::optional<double> start, end;
      try {
        for (const char* column : {"start_s", "end_s"})
          if (!table.has_column(column)) throw UnreadableNumber{fmt::format("'{}'", column)};  // Python's KeyError
        start = number(table.get(row, "start_s"));
        end = number(table.get(row, "end_s"));
      } catch (const UnreadableNumber& e) {
        add("migrations", fmt::format("migrations.csv:{}: unreadable row ({})", row.line, e.message));
        continue;
      }
      if (!start || !end || *end < *start - kTolerance) {
        add("migrations", fmt::format("migrations.csv:{}: start_s {} / end_s {} out of order", row.line,
                                      repr(table.get(row, "start_s")), repr(table.get(row, "end_s"))));
        continue;
      }
      moves[table.get(row, "job_id").value_or("")].push_back(
          {*start, *end, split_hosts(table.get(row, "from_hosts")), split_hosts(table.get(row, "to_hosts"))});
    }
    for (auto& [job, list] : moves)
      std::stable_sort(list.begin(), list.end(), [](const Migration& a, const Migration& b) { return a.start_s < b.start_s; });
    return moves;
  }

  struct Interval {
    std::vector<std::string> hosts;
    double from_s, to_s;
  };
  // The (hosts, from, to) intervals a job held, following its migrations.
  std::vector<Interval> occupancy(const std::string& where, double start, double stop,
                                  const std::vector<std::string>& hosts, const std::vector<Migration>& moves) {
    if (moves.empty()) return {{distinct(hosts), start, stop}};
    std::vector<Interval> out;
    std::vector<std::string> holder = moves.front().from;
    double since = start;
    for (const auto& m : moves) {
      if (m.from != holder)
        add("migrations", fmt::format("{}: migration at {} leaves {}, but the job was on {}", where,
                                      python_g(m.start_s), joined(m.from), joined(holder)));
      out.push_back({distinct(holder), since, m.end_s});
      holder = m.to;
      since = m.start_s;
    }
    out.push_back({distinct(holder), since, stop});
    if (holder != hosts)
      add("migrations", fmt::format("{}: hosts is {}, but its last migration moved it to {}", where, joined(hosts),
                                    joined(holder)));
    return out;
  }

 private:
  CheckReport& report_;
};

struct Event {
  double time_s;
  int order;  // 0 = release, 1 = acquire: at equal times releases come first
  std::string host;
  long long delta_milli;
  Text job_id;
};

}  // namespace

CheckReport check_run_dir(const std::string& run_dir, const CheckOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec))
    throw InputErrors({{run_dir, 0, "", "not a directory (expected the output directory of `aidcsim run`)"}});
  const std::string summary_path = (fs::path(run_dir) / "summary.json").string();
  const std::string jobs_path = (fs::path(run_dir) / "jobs.csv").string();
  ProblemList problems;
  json summary = read_json_file(summary_path, problems);
  json run_json = read_json_file((fs::path(run_dir) / "run.json").string(), problems);
  CsvTable jobs = CsvTable::read(jobs_path, problems);
  long long gpus_total = 0;
  if (!summary.is_null() && !summary.is_object()) {
    problems.add(summary_path, 0, "", "expected a JSON object");
  } else if (summary.is_object()) {
    json total = summary.contains("gpus_total") ? summary["gpus_total"] : json(nullptr);
    bool integral = total.is_number_integer() || total.is_boolean();
    if (integral) gpus_total = total.is_boolean() ? total.get<bool>() : total.get<long long>();
    if (!integral || gpus_total < 0)
      problems.add(summary_path, 0, "/gpus_total",
                   fmt::format("gpus_total is {}, expected a non-negative integer", python_value_repr(total)));
  }
  if (problems.empty()) {
    std::vector<std::string> missing;
    for (const char* c : kRequired)
      if (!jobs.has_column(c)) missing.push_back(c);
    if (!missing.empty())
      problems.add(jobs_path, 1, "", fmt::format("missing column(s) {}; header is {}", fmt::join(missing, ", "),
                                                 jobs.has_header() ? fmt::format("{}", fmt::join(jobs.header(), ","))
                                                                   : std::string("empty")));
  }
  problems.throw_if_any();

  std::string sharing = "exclusive";
  if (run_json.is_object() && run_json.contains("scenario") && run_json["scenario"].is_object()) {
    const json& scenario = run_json["scenario"];
    if (scenario.contains("virtualization") && scenario["virtualization"].is_object()) {
      const json& v = scenario["virtualization"];
      if (v.contains("gpu_sharing") && v["gpu_sharing"].is_string() && !v["gpu_sharing"].get<std::string>().empty())
        sharing = v["gpu_sharing"].get<std::string>();
    }
  }
  const bool exclusive = sharing == "exclusive";

  CheckReport report;
  Checker v(report);
  auto migrations = v.read_migrations((fs::path(run_dir) / "migrations.csv").string());
  std::map<Text, int> seen;
  std::map<std::string, std::size_t> counts = {{"completed", 0}, {"rejected", 0}, {"unfinished", 0}};
  std::vector<Event> events;
  std::set<std::string> gpu_hosts;

  // The replica jobs of inference services (SERVICE/replica-K) count under services, not jobs.
  const json services = summary.contains("services") && summary["services"].is_object() ? summary["services"] : json::object();
  auto is_replica = [&](const Text& job_id) {
    const std::string id = job_id.value_or("");
    auto at = id.rfind("/replica-");
    if (at == std::string::npos) return false;
    std::string k = id.substr(at + 9);
    return services.contains(id.substr(0, at)) && !k.empty() && k.find_first_not_of("0123456789") == std::string::npos;
  };
  std::size_t replica_rows = 0;
  for (const auto& row : jobs.rows()) replica_rows += is_replica(jobs.get(row, "job_id")) ? 1 : 0;
  for (const auto& row : jobs.rows()) {
    auto col = [&](const char* name) { return jobs.get(row, name); };
    const Text job_id = col("job_id");
    const std::string where = fmt::format("jobs.csv:{}: job {}", row.line, repr(job_id));
    if (auto it = seen.find(job_id); it != seen.end()) {
      v.add("unique-job", fmt::format("{}: appears more than once (first on line {})", where, it->second));
      continue;
    }
    seen[job_id] = row.line;
    const Text state = col("state");
    if (!state || !counts.count(*state)) {
      v.add("state", fmt::format("{}: state {} is not one of {}", where, repr(state), fmt::join(kStates, ", ")));
      continue;
    }
    if (!is_replica(job_id)) ++counts[*state];
    std::optional<double> submit, start, end, queue_delay, jct, duration;
    long long gpus = 0, gpu_milli = 0;
    try {
      submit = number(col("submit_s"));
      start = number(col("start_s"));
      end = number(col("end_s"));
      queue_delay = number(col("queue_delay_s"));
      jct = number(col("jct_s"));
      gpus = integer(col("gpus"));
      gpu_milli = integer(col("gpu_milli"));
      duration = number(col("duration_s"));
    } catch (const UnreadableNumber& e) {
      v.add("numbers", fmt::format("{}: unreadable number ({})", where, e.message));
      continue;
    }
    if (!submit || *submit < 0) {
      v.add("submit", fmt::format("{}: submit_s is {}, expected a number >= 0", where, repr(col("submit_s"))));
      continue;
    }
    if (gpus < 0 || gpu_milli < 1 || gpu_milli > 1000) {
      v.add("request", fmt::format("{}: gpus={} gpu_milli={} out of range", where, gpus, gpu_milli));
      continue;
    }
    const Text hosts_text = col("hosts");
    const std::vector<std::string> hosts = split_hosts(hosts_text);

    if (*state == "completed" && (!start || !end)) {
      v.add("state-times", fmt::format("{}: completed without start_s and end_s", where));
      continue;
    }
    if (*state == "rejected" && (start || end || !hosts.empty())) {
      v.add("state-times", fmt::format("{}: rejected but has a start, an end or hosts", where));
      continue;
    }
    if (*state == "unfinished" && end) {
      v.add("state-times", fmt::format("{}: unfinished but has end_s {}", where, python_str(*end)));
      continue;
    }
    if (end && !start) {
      v.add("state-times", fmt::format("{}: has end_s but no start_s", where));
      continue;
    }
    if (start && *start < *submit - kTolerance)
      v.add("start-after-submit", fmt::format("{}: starts at {} before its submission at {}", where,
                                              python_str(*start), python_str(*submit)));
    if (start && end && *end < *start - kTolerance)
      v.add("end-after-start",
            fmt::format("{}: ends at {} before it starts at {}", where, python_str(*end), python_str(*start)));

    if (!start) {
      if (queue_delay)
        v.add("queue-delay",
              fmt::format("{}: queue_delay_s is {} but the job never started", where, python_str(*queue_delay)));
    } else if (!queue_delay || !close(*queue_delay, *start - *submit)) {
      v.add("queue-delay", fmt::format("{}: queue_delay_s is {}, expected start_s - submit_s = {:.6f}", where,
                                       repr(col("queue_delay_s")), *start - *submit));
    }
    if (!end) {
      if (jct) v.add("jct", fmt::format("{}: jct_s is {} but the job never ended", where, python_str(*jct)));
    } else if (!jct || !close(*jct, *end - *submit)) {
      v.add("jct", fmt::format("{}: jct_s is {}, expected end_s - submit_s = {:.6f}", where, repr(col("jct_s")),
                               *end - *submit));
    }
    // A preempted job ran in several pieces that jobs.csv does not list: its [start_s, end_s] is not one
    // occupancy interval, so it is left out of the sweep.
    const Text preemptions = col("preemptions");
    const bool preempted = preemptions && !preemptions->empty() && *preemptions != "0";
    if (preempted) ++report.preempted_skipped;
    static const std::vector<Migration> kNoMoves;
    auto found = job_id ? migrations.find(*job_id) : migrations.end();
    const std::vector<Migration>& moves = found == migrations.end() ? kNoMoves : found->second;
    const Text migrations_text = col("migrations");
    const std::string declared = migrations_text && !migrations_text->empty() ? *migrations_text : "0";
    auto declared_moves = python_int(declared);
    if (!declared_moves || *declared_moves != static_cast<long long>(moves.size()))
      v.add("migrations", fmt::format("{}: migrations is {}, but migrations.csv moved it {} time(s)", where,
                                      repr(migrations_text), moves.size()));
    if (options.replay_exact && !preempted && moves.empty() && *state == "completed" && duration &&
        !close(*end - *start, *duration))
      v.add("replay-exact", fmt::format("{}: ran {:.6f} s, expected exactly duration_s = {} (replay rule)", where,
                                        *end - *start, python_str(*duration)));

    if (!start || preempted) continue;
    if (gpus == 0) {
      if (hosts.empty()) v.add("gpu-hosts", fmt::format("{}: started without a server host in hosts", where));
      continue;
    }
    const std::size_t distinct_count = distinct(hosts).size();
    if (hosts.size() != static_cast<std::size_t>(gpus) || distinct_count != static_cast<std::size_t>(gpus))
      v.add("gpu-hosts", fmt::format("{}: asks for {} GPUs but hosts lists {} ({} distinct): {}", where, gpus,
                                     hosts.size(), distinct_count, hosts_text.value_or("None")));
    // What the mode took in the ledger (gpu_milli_held) when the run says so; else the request (a whole
    // GPU under exclusive).
    const Text held_text = col("gpu_milli_held");
    std::string held = held_text.value_or("");
    held.erase(0, held.find_first_not_of(" \t\r\n\f\v"));
    held.erase(held.find_last_not_of(" \t\r\n\f\v") + 1);
    long long milli = exclusive ? 1000 : gpu_milli;
    if (!held.empty()) {
      auto parsed = python_int(held);
      if (!parsed) {
        v.add("numbers", fmt::format("{}: unreadable number (invalid literal for int() with base 10: {})", where,
                                     python_repr(held)));
        continue;
      }
      milli = *parsed;
      if (milli < 1 || milli > 1000)
        v.add("request", fmt::format("{}: gpu_milli_held is {}, expected 1..1000", where, held));
    }
    const double stop = end ? *end : std::numeric_limits<double>::infinity();  // still running at the end
    for (const auto& interval : v.occupancy(where, *start, stop, hosts, moves)) {
      for (const auto& host : interval.hosts) {
        gpu_hosts.insert(host);
        events.push_back({interval.from_s, 1, host, milli, job_id});
        events.push_back({interval.to_s, 0, host, -milli, job_id});
      }
    }
  }

  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.time_s != b.time_s ? a.time_s < b.time_s : a.order < b.order;
  });
  std::map<std::string, long long> held;
  long long total = 0;
  std::set<std::string> reported_hosts;
  bool reported_total = false;
  for (const auto& e : events) {
    long long& on_host = held[e.host];
    on_host += e.delta_milli;
    total += e.delta_milli;
    if (on_host > 1000 && reported_hosts.insert(e.host).second)
      v.add("gpu-capacity", fmt::format("host {}: {} milli allocated at t={} s (job {} made it exceed 1000; "
                                        "gpu_sharing {})",
                                        e.host, on_host, python_g(e.time_s), repr(e.job_id), sharing));
    if (total > 1000 * gpus_total && !reported_total) {
      reported_total = true;
      v.add("platform-capacity", fmt::format("platform: {} GPUs allocated at t={} s, but summary.json says "
                                             "gpus_total = {}",
                                             python_g(static_cast<double>(total) / 1000), python_g(e.time_s),
                                             gpus_total));
    }
  }
  if (static_cast<long long>(gpu_hosts.size()) > gpus_total)
    v.add("platform-capacity", fmt::format("platform: jobs used {} distinct GPU hosts, but summary.json says "
                                           "gpus_total = {}",
                                           gpu_hosts.size(), gpus_total));

  const json jobs_summary =
      summary.contains("jobs") && summary["jobs"].is_object() ? summary["jobs"] : json::object();
  auto summary_value = [&](const char* key) { return jobs_summary.contains(key) ? jobs_summary[key] : json(nullptr); };
  const std::string besides = replica_rows ? fmt::format(" besides {} replica jobs", replica_rows) : "";
  if (!equals_count(summary_value("submitted"), jobs.rows().size() - replica_rows))
    v.add("summary-counts", fmt::format("summary.json: jobs.submitted is {}, jobs.csv has {} rows{}",
                                        python_value(summary_value("submitted")), jobs.rows().size() - replica_rows, besides));
  for (const char* state : kStates)
    if (!equals_count(summary_value(state), counts[state]))
      v.add("summary-counts", fmt::format("summary.json: jobs.{} is {}, jobs.csv has {}", state,
                                          python_value(summary_value(state)), counts[state]));
  // Inference services (requests.csv): service_invariants.py's rules.
  check_services(run_dir, jobs, [&](const char* rule, std::string message) { v.add(rule, std::move(message)); });
  // Alert rules (alerts.csv): alert_invariants.py's rules.
  check_alerts(run_dir, run_json, [&](const char* rule, std::string message) { v.add(rule, std::move(message)); });
  // Autoscaling (scaling.csv): scaling_invariants.py's rules.
  check_scaling(run_dir, run_json, [&](const char* rule, std::string message) { v.add(rule, std::move(message)); });
  // Failures (failures.csv): failure_invariants.py's rules.
  check_failures(run_dir, jobs, [&](const char* rule, std::string message) { v.add(rule, std::move(message)); });
  // Quota (admissions.csv and summary.json's quota): quota_invariants.py's rules.
  check_quota(run_dir, run_json, summary, jobs, exclusive, [&](const char* rule, std::string message) { v.add(rule, std::move(message)); });
  report.jobs = jobs.rows().size();
  return report;
}

}  // namespace aidcsim::check
