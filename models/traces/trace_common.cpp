// Helpers shared by the readers of public traces: calendar time without locale or time zone, header
// checks with one clear message, skip counters and the options every such reader understands.
#include <fmt/format.h>

#include <cmath>

#include "models/traces/readers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {

// Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date.
long long days_from_civil(long long year, unsigned month, unsigned day) {
  year -= month <= 2;
  const long long era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                   // [0, 146096]
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

static bool is_leap(long long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(long long y, unsigned m) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads exactly `n` digits at `pos`.
static bool digits(std::string_view t, std::size_t pos, std::size_t n, unsigned& out) {
  if (pos + n > t.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(t[i] - '0');
  }
  return true;
}

std::optional<double> parse_civil_time(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  // YYYY-MM-DD HH:MM:SS[.fff]
  unsigned y, mo, d, h, mi, s;
  if (t.size() < 19 || !digits(t, 0, 4, y) || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
      !digits(t, 8, 2, d) || (t[10] != ' ' && t[10] != 'T') || !digits(t, 11, 2, h) || t[13] != ':' ||
      !digits(t, 14, 2, mi) || t[16] != ':' || !digits(t, 17, 2, s))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60) return std::nullopt;
  double fraction = 0;
  if (t.size() > 19) {
    if (t[19] != '.' || t.size() == 20) return std::nullopt;
    double scale = 0.1;
    for (std::size_t i = 20; i < t.size(); ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      fraction += (t[i] - '0') * scale;
      scale /= 10;
    }
  }
  return static_cast<double>(days_from_civil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + s + fraction;
}

std::optional<CsvHeader> read_trace_header(LineInput& in, const std::string& path, const std::string& format,
                                           const std::vector<std::string>& required, ProblemList& problems) {
  std::string line;
  if (!in.ok()) {
    problems.add(path, 0, "", "cannot open the trace file");
    return std::nullopt;
  }
  if (!in.next(line)) {
    problems.add(path, 0, "", fmt::format("empty file; expected a {} header row: {}", format, join_names(required)));
    return std::nullopt;
  }
  std::vector<std::string> fields;
  split_csv(line, fields);
  CsvHeader header(fields);
  std::vector<std::string> missing;
  for (const auto& name : required)
    if (header.index(name) < 0) missing.push_back(name);
  if (!missing.empty()) {
    std::vector<std::string> quoted;
    for (const auto& m : missing) quoted.push_back(fmt::format("\"{}\"", m));
    problems.add(path, 1, "",
                 fmt::format("not a {} trace: missing column{} {}; expected a header with the columns {} (found: {})",
                             format, missing.size() > 1 ? "s" : "", join_names(quoted), join_names(required),
                             join_names(header.names())));
    return std::nullopt;
  }
  return header;
}

void SkipCounter::add(const std::string& reason, long long count) {
  for (auto& [r, n] : counts_)
    if (r == reason) {
      n += count;
      return;
    }
  counts_.emplace_back(reason, count);
}

std::vector<std::pair<std::string, long long>> SkipCounter::result() const { return counts_; }

long long SkipCounter::total() const {
  long long sum = 0;
  for (const auto& [r, n] : counts_) sum += n;
  return sum;
}

ZeroDuration read_zero_duration(OptionReader& options, ZeroDuration fallback) {
  std::string value = options.text("zero_duration", fallback == ZeroDuration::skip ? "skip" : "one-second",
                                   {"skip", "one-second"});
  return value == "one-second" ? ZeroDuration::one_second : ZeroDuration::skip;
}

double TimeZero::origin(double earliest_s) const {
  switch (kind) {
    case first_submit: return earliest_s;
    case first_midnight: return std::floor(earliest_s / 86400.0) * 86400.0;
    case fixed: return fixed_s;
  }
  return earliest_s;
}

TimeZero read_time_zero(OptionReader& options) {
  TimeZero tz;
  std::string value = options.text("time_zero", "first-submit");
  if (value == "first-submit") return tz;
  if (value == "first-midnight") {
    tz.kind = TimeZero::first_midnight;
    return tz;
  }
  if (auto t = parse_civil_time(value)) {
    tz.kind = TimeZero::fixed;
    tz.fixed_s = *t;
    return tz;
  }
  options.problem("time_zero", fmt::format("found \"{}\", expected \"first-submit\", \"first-midnight\" or a "
                                           "time \"YYYY-MM-DD HH:MM:SS\"",
                                           value));
  return tz;
}

void apply_time_zero(std::vector<JobSpec>& jobs, const TimeZero& tz, double earliest_s, SkipCounter& skipped) {
  if (jobs.empty()) return;
  const double origin = tz.origin(earliest_s);
  std::size_t kept = 0;
  for (auto& j : jobs) {
    j.submit_s -= origin;
    if (j.submit_s < 0) continue;
    if (&jobs[kept] != &j) jobs[kept] = std::move(j);
    ++kept;
  }
  if (kept < jobs.size()) skipped.add("submitted before time_zero", static_cast<long long>(jobs.size() - kept));
  jobs.resize(kept);
}

}  // namespace aidcsim
