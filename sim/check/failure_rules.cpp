#include "sim/check/failure_rules.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "sim/check/check_values.hpp"

namespace aidcsim::check {
namespace {

// failure_invariants.py's _float: a finite float(), else None.
std::optional<double> finite(const Text& text) {
  if (!text) return std::nullopt;
  auto value = python_float(*text);
  return value && std::isfinite(*value) ? value : std::nullopt;
}

std::optional<long long> whole_number(const Text& text) { return python_int(text.value_or("")); }

Text or_zero(const Text& text) { return text && !text->empty() ? text : Text("0"); }

}  // namespace

void check_failures(const std::string& run_dir, const CsvTable& jobs,
                    const std::function<void(const char* rule, std::string message)>& add) {
  const std::optional<CsvTable> failures_csv = read_optional_table(run_dir, "failures.csv");
  if (!failures_csv) return;
  const CsvTable& table = *failures_csv;
  std::set<std::string> ids;
  for (const auto& row : jobs.rows())
    if (auto id = jobs.get(row, "job_id")) ids.insert(*id);
  std::map<std::string, long long> hits;
  std::map<std::string, double> last_hit;
  std::vector<std::tuple<std::string, double, double>> downs;  // host, from, to
  std::optional<double> last_time;
  for (const auto& row : table.rows()) {
    const std::string where = fmt::format("failures.csv:{}: {}", row.line, str(table.get(row, "host")));
    auto t = finite(table.get(row, "time_s")), repair = finite(table.get(row, "repair_s"));
    auto count = whole_number(table.get(row, "jobs_hit"));
    if (!t || !repair || *repair < 0 || !count) {
      add("failure-rows", where + ": unreadable time_s, repair_s or jobs_hit");
      continue;
    }
    if (last_time && *t < *last_time)
      add("failure-rows", fmt::format("{}: at {}, before the previous row ({})", where, python_g(*t), python_g(*last_time)));
    last_time = *t;
    const Text kind = table.get(row, "kind");
    if (!kind || (*kind != "server" && *kind != "gpu"))
      add("failure-rows", fmt::format("{}: kind {}, expected server or gpu", where, repr(kind)));
    const std::vector<std::string> named = split_hosts(table.get(row, "job_ids"));
    if (*count != static_cast<long long>(named.size()))
      add("failure-rows", fmt::format("{}: jobs_hit is {}, job_ids names {}", where, *count, named.size()));
    for (const std::string& j : named) {
      if (!ids.count(j)) add("failure-rows", fmt::format("{}: job {} is not in jobs.csv", where, python_repr(j)));
      ++hits[j];
      last_hit[j] = *t;
    }
    downs.emplace_back(table.get(row, "host").value_or(""), *t, *t + *repair);
  }
  for (const auto& row : jobs.rows()) {
    const Text id = jobs.get(row, "job_id");
    const std::string where = fmt::format("jobs.csv:{}: job {}", row.line, repr(id));
    const long long hit = id && hits.count(*id) ? hits.at(*id) : 0;
    auto failures = whole_number(jobs.get(row, "failures"));
    auto preemptions = whole_number(or_zero(jobs.get(row, "preemptions")));
    if (failures && *failures != hit)
      add("failure-hits", fmt::format("{}: failures is {}, failures.csv names it {} times", where, *failures, hit));
    const Text lost_text = jobs.get(row, "lost_gpu_s");
    auto lost = finite(lost_text);
    if (lost_text && (!lost || *lost < 0))
      add("failure-hits", fmt::format("{}: lost_gpu_s is {}, expected a finite number >= 0", where, repr(lost_text)));
    if (failures && *failures != 0 && preemptions && *preemptions < *failures)
      add("failure-hits", fmt::format("{}: preempted {} times, fewer than its {} failures", where, *preemptions, *failures));
    auto end = finite(jobs.get(row, "end_s"));
    if (jobs.get(row, "state") == Text("completed") && end && id && last_hit.count(*id) && *end <= last_hit.at(*id))
      add("failure-hits", fmt::format("{}: ended at {}, not after its last failure at {}", where, python_g(*end),
                                      python_g(last_hit.at(*id))));
    auto start = finite(jobs.get(row, "start_s"));
    if (!start) continue;
    const bool whole = preemptions.value_or(0) == 0 && whole_number(or_zero(jobs.get(row, "migrations"))).value_or(0) == 0;
    const double until = end ? *end : std::numeric_limits<double>::infinity();
    for (const std::string& host : split_hosts(jobs.get(row, "hosts")))
      for (const auto& [down, from, to] : downs) {
        if (host != down && host.rfind(down + "-", 0) != 0) continue;
        if (whole && *start < to && from < until) {
          std::string span = end ? fmt::format("[{}, {}]", python_g(*start), python_g(*end))
                                 : fmt::format("from {} to the end", python_g(*start));
          add("failure-down", fmt::format("{}: ran on {} over {}, when {} was down ({} to {})", where, host, span, down,
                                          python_g(from), python_g(to)));
        } else if (!whole && end && from < *end && *end < to) {
          add("failure-down", fmt::format("{}: ended on {} at {}, when {} was down ({} to {})", where, host, python_g(*end),
                                          down, python_g(from), python_g(to)));
        }
      }
  }
}

}  // namespace aidcsim::check
