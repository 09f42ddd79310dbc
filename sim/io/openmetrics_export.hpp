#pragma once
// `aidcsim export openmetrics` (docs/prometheus.md): a finished run's time series in the OpenMetrics
// text format, simulated time mapped onto a calendar date, for `promtool tsdb create-blocks-from
// openmetrics` and a real Prometheus. Reads files only; every input problem is an InputErrors.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aidcsim {

// An RFC 3339 date-time (`2026-01-01T00:00:00Z`, `2026-01-01T02:00:00.5+02:00`; `T` may be `t` or a
// space) or a bare date (`2026-01-01`, midnight UTC), as Unix milliseconds (fractions of a
// millisecond rounded). nullopt when malformed, not a calendar date, or before 1970.
std::optional<long long> parse_rfc3339_ms(std::string_view text);

// The timestamp text for Unix milliseconds `ms` that Prometheus' OpenMetrics parser reads back as
// exactly `ms`: it computes int64(seconds * 1000), which truncates, so "1767225717.4" (parsed just
// below .4) would land a millisecond early; such a timestamp gets one more microsecond ("...4001").
std::string openmetrics_timestamp(long long ms);

// An OpenMetrics sample value: shortest round-trip decimal, `NaN`, `+Inf` or `-Inf`.
std::string openmetrics_value(double value);

// The label name under which timeseries.csv's `label` column is exported for `metric`: `tenant`
// (tenant_*), `service` (service_*), `node_group` (node_group_*), `queue` (quota_*), `part` (power_w:
// `gpu`, `server`; the total has none), else `label`.
std::string openmetrics_label_name(std::string_view metric);

struct OpenMetricsExport {
  std::string text;  // the whole exposition, `# EOF` included
  std::size_t families = 0, series = 0, samples = 0;
  // timeseries.csv metrics left out because scrapes.om has a family of the same name (their
  // Prometheus-named series, with finer labels, are exported instead).
  std::vector<std::string> replaced_by_scrapes;
  bool has_scrapes = false;
};

// RUN_DIR/timeseries.csv (required) and RUN_DIR/scrapes.om (when present), each sample at
// start_ms + its simulated time. Throws InputErrors naming the file and line.
OpenMetricsExport export_openmetrics(const std::string& run_dir, long long start_ms);

}  // namespace aidcsim
