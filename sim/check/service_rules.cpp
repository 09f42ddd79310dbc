#include "sim/check/service_rules.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "sim/check/check_values.hpp"

namespace aidcsim::check {
namespace {

constexpr double kTolerance = 3e-6;  // service_invariants.py's TOL
const std::set<std::string> kStates = {"completed", "rejected", "unfinished"};

// Python's r["column"]: a KeyError when the file has no such column.
Text column(const CsvTable& table, const CsvRecord& row, const char* name) {
  if (!table.has_column(name)) throw UnreadableNumber{python_repr(name)};
  return table.get(row, name);
}

// f"{startup}" where startup is `x or 0`: 0 prints as an int.
std::string startup_text(double startup) { return startup == 0 ? "0" : python_str(startup); }

}  // namespace

void check_services(const std::string& run_dir, const CsvTable& jobs,
                    const std::function<void(const char* rule, std::string message)>& add) {
  const std::optional<CsvTable> requests_csv = read_optional_table(run_dir, "requests.csv");
  if (!requests_csv) return;
  const CsvTable& requests = *requests_csv;
  std::map<std::string, const CsvRecord*> replicas;
  for (const auto& row : jobs.rows()) replicas[jobs.get(row, "job_id").value_or("")] = &row;  // the last wins, as a dict
  std::set<std::pair<Text, Text>> seen;
  for (const auto& r : requests.rows()) {
    auto get = [&](const char* name) { return requests.get(r, name); };
    const std::string where = fmt::format("requests.csv:{}: request {}/{}", r.line, str(get("service")), str(get("request_id")));
    if (!seen.insert({get("service"), get("request_id")}).second) {
      add("request-unique", where + ": appears more than once");
      continue;
    }
    if (!get("state") || !kStates.count(*get("state"))) {
      add("request-state", fmt::format("{}: state {} is not one of completed, rejected, unfinished", where, repr(get("state"))));
      continue;
    }
    std::optional<double> arrival, first, end, ttft, e2e, tbt;
    long long outputs = 0;
    try {
      arrival = python_number(column(requests, r, "arrival_s"));
      first = python_number(column(requests, r, "first_token_s"));
      end = python_number(column(requests, r, "end_s"));
      ttft = python_number(column(requests, r, "ttft_s"));
      e2e = python_number(column(requests, r, "e2e_s"));
      tbt = python_number(column(requests, r, "tbt_mean_s"));
      outputs = integer(column(requests, r, "output_tokens"));
    } catch (const UnreadableNumber& e) {
      add("request-numbers", fmt::format("{}: unreadable row ({})", where, e.message));
      continue;
    }
    const std::string state = *get("state");
    if (state == "rejected" && first) add("request-rejected", fmt::format("{}: rejected but produced a token at {}", where, python_g(*first)));
    if (state != "completed") continue;
    if (!first || !end || !arrival || !(*arrival - kTolerance <= *first && *first <= *end + kTolerance)) {
      add("request-order", fmt::format("{}: completed with arrival_s {}, first_token_s {}, end_s {} out of order", where,
                                       repr(get("arrival_s")), repr(get("first_token_s")), repr(get("end_s"))));
      continue;
    }
    if (!ttft || std::fabs(*ttft - (*first - *arrival)) > kTolerance || !e2e || std::fabs(*e2e - (*end - *arrival)) > kTolerance)
      add("request-latency", fmt::format("{}: ttft_s {} / e2e_s {} do not match its times", where, repr(get("ttft_s")), repr(get("e2e_s"))));
    if (tbt.has_value() != (outputs > 1))
      add("request-tbt", fmt::format("{}: tbt_mean_s {} with {} output token(s)", where, repr(get("tbt_mean_s")), outputs));
    auto replica = replicas.find(fmt::format("{}/replica-{}", str(get("service")), str(get("replica"))));
    if (replica == replicas.end()) {
      add("request-replica", fmt::format("{}: replica {} is not a job of jobs.csv", where, repr(get("replica"))));
      continue;
    }
    const CsvRecord& job = *replica->second;
    std::optional<double> start, stop;
    double startup = 0;
    try {
      start = python_number(jobs.get(job, "start_s"));
      stop = python_number(jobs.get(job, "end_s"));
      Text preemptions = jobs.get(job, "preemptions");
      // startup_s sums every run's start-up: the first one's is known when it ran once.
      if (!preemptions || *preemptions == "0") startup = python_number(jobs.get(job, "startup_s")).value_or(0);
    } catch (const UnreadableNumber& e) {
      add("request-replica", fmt::format("{}: unreadable row of its replica in jobs.csv ({})", where, e.message));
      continue;
    }
    if (!start || *end < *start + startup - kTolerance || (stop && *end > *stop + kTolerance))
      add("request-replica", fmt::format("{}: last token at {} while its replica served from {}+{} to {}", where, python_g(*end),
                                         start ? python_str(*start) : "None", startup_text(startup), repr(jobs.get(job, "end_s"))));
  }
  const std::optional<CsvTable> series_csv = read_optional_table(run_dir, "timeseries.csv");
  if (!series_csv) return;
  const CsvTable& series = *series_csv;
  for (const auto& r : series.rows()) {
    if (series.get(r, "metric") != Text("service_kv_cache_used")) continue;
    std::optional<double> used;
    if (Text value = series.get(r, "value")) used = python_float(*value);
    if (!used || !(0 <= *used && *used <= 1 + 1e-9))
      add("kv-capacity", fmt::format("timeseries.csv:{}: service_kv_cache_used {} of {} is outside [0, 1]", r.line,
                                     str(series.get(r, "value")), str(series.get(r, "label"))));
  }
}

}  // namespace aidcsim::check
