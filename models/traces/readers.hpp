#pragma once
// Factories of the trace readers, and the row helpers they share.
#include <map>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/csv.hpp"
#include "sim/core/errors.hpp"
#include "sim/policy/trace_reader.hpp"
#include "sim/core/registry.hpp"

namespace aidcsim {

std::unique_ptr<TraceReader> make_native_reader(PolicyArgs& args);
std::unique_ptr<TraceReader> make_openb_reader(PolicyArgs& args);         // openb.cpp
std::unique_ptr<TraceReader> make_philly_reader(PolicyArgs& args);        // philly.cpp
std::unique_ptr<TraceReader> make_swf_reader(PolicyArgs& args);           // swf.cpp
std::unique_ptr<TraceReader> make_helios_reader(PolicyArgs& args);        // helios.cpp
std::unique_ptr<TraceReader> make_alibaba_pai_reader(PolicyArgs& args);   // alibaba_pai.cpp
std::unique_ptr<TraceReader> make_alibaba_dlrm_reader(PolicyArgs& args);  // alibaba_dlrm.cpp
std::unique_ptr<TraceReader> make_k8s_reader(PolicyArgs& args);           // k8s.cpp (Kubernetes manifests)

// Reads the fields of one CSV row, recording every malformed field with its line and column.
// Every field is checked to be UTF-8 on construction (text fields end up in JSON outputs, which
// must be UTF-8): one that is not fails the row with its column.
struct RowReader {
  RowReader(const std::string& path, int line, const CsvHeader& header, const std::vector<std::string>& fields,
            ProblemList& problems);
  const std::string& path;
  int line;
  const CsvHeader& header;
  const std::vector<std::string>& fields;
  ProblemList& problems;
  bool ok = true;

  void fail(int column, const std::string& what);
  // Reports a row whose field count differs from the header's (fewer only, with allow_extra);
  // the row is then skipped by the caller.
  bool fields_match_header(bool allow_extra = false);
  std::string text(int column) const;  // "" when absent
  // An absent column (index < 0) or an empty optional field gives `fallback`; an empty required one fails.
  double number(int column, double fallback, double min, bool strictly_above_min, const char* expected,
                bool required = false);
  // A time or duration: number() that is also at most kMaxTime_s.
  double seconds(int column, double fallback, bool strictly_above_zero, bool required = false);
  long long integer(int column, long long fallback, long long min, long long max, const char* expected,
                    bool required = false);
};

std::vector<std::string> split_models(const std::string& text);  // "A|B" -> {A, B}

// How a row's field count must compare with the header's; a row that does not is reported and skipped.
enum class FieldCount { exact, at_least_header, unchecked };

// Every non-empty row after the header, split: `row` is called with its RowReader (problems recorded
// there) when its field count is as `count` asks.
void for_each_row(LineInput& in, const std::string& path, const CsvHeader& header, ProblemList& problems,
                  FieldCount count, const std::function<void(RowReader&)>& row);

// ---- Shared by the readers of public traces (trace_common.cpp) ----

// Days since 1970-01-01 of a proleptic Gregorian date (no time zone, no locale).
long long days_from_civil(long long year, unsigned month, unsigned day);
// "YYYY-MM-DD HH:MM:SS" (optionally "T" instead of the space, optional fractional seconds) ->
// seconds since 1970-01-01 00:00:00 of the same civil time. Nothing else is accepted.
std::optional<double> parse_civil_time(std::string_view text);

// Reads the header row of a CSV trace. Reports a missing/empty file, or every missing required column
// in one problem naming the expected columns, and returns nullopt then.
std::optional<CsvHeader> read_trace_header(LineInput& in, const std::string& path, const std::string& format,
                                           const std::vector<std::string>& required, ProblemList& problems);

// Rows skipped for a documented reason, counted in first-seen order.
class SkipCounter {
 public:
  void add(const std::string& reason, long long count = 1);
  std::vector<std::pair<std::string, long long>> result() const;
  long long total() const;

 private:
  std::vector<std::pair<std::string, long long>> counts_;
};

// What to do with a row whose run time is 0 s (option "zero_duration" of every public-trace reader).
// The public traces record whole seconds, so 0 means "less than a second".
enum class ZeroDuration { skip, one_second };
ZeroDuration read_zero_duration(OptionReader& options, ZeroDuration fallback);
inline constexpr const char* kZeroDurationReason = "run time 0 s";

// Time zero of traces with calendar timestamps (option "time_zero"): the first submission (default),
// midnight of the first submission's day, or an explicit "YYYY-MM-DD HH:MM:SS".
struct TimeZero {
  enum Kind { first_submit, first_midnight, fixed } kind = first_submit;
  double fixed_s = 0;  // seconds since 1970 when kind == fixed
  // The origin to subtract, given the earliest timestamp read.
  double origin(double earliest_s) const;
};
TimeZero read_time_zero(OptionReader& options);
// Subtracts time zero from every submit_s (absolute seconds on entry); drops and counts the jobs submitted
// before an explicit time zero.
void apply_time_zero(std::vector<JobSpec>& jobs, const TimeZero& tz, double earliest_s, SkipCounter& skipped);

}  // namespace aidcsim
