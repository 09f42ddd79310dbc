// `aidcsim export openmetrics` (sim/io/openmetrics_export.cpp): dates, timestamps Prometheus reads
// back exactly, families grouped with their series in time order, scrapes.om re-timestamped, and
// input errors naming file and line. The real promtool + Prometheus check is
// tests/scenarios/test_prometheus_export.sh.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>

#include "sim/io/openmetrics_export.hpp"
#include "unit_support.hpp"

namespace aidcsim {
namespace {

constexpr long long kStart2026 = 1767225600000LL;  // 2026-01-01T00:00:00Z

TEST(OpenMetricsExport, ParsesRfc3339Dates) {
  EXPECT_EQ(parse_rfc3339_ms("2026-01-01T00:00:00Z"), kStart2026);
  EXPECT_EQ(parse_rfc3339_ms("2026-01-01"), kStart2026);
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339_ms("2026-01-01t02:00:00.25+02:00"), kStart2026 + 250);
  EXPECT_EQ(parse_rfc3339_ms("2025-12-31 19:00:00-05:00"), kStart2026);
  EXPECT_EQ(parse_rfc3339_ms("2024-02-29T12:34:56.789Z"), 1709210096789LL);
  for (const char* bad : {"", "2026", "2026-13-01T00:00:00Z", "2025-02-29", "2026-01-01T00:00:00",
                          "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+0200", "2026-01-01T00:00:00Zjunk",
                          "1969-12-31T23:59:59Z", "2026-01-01T00:00:00.Z", "yesterday"})
    EXPECT_FALSE(parse_rfc3339_ms(bad)) << bad;
}

// What Prometheus' OpenMetrics parser does with a timestamp: int64(float seconds * 1000).
long long prometheus_ms(const std::string& text) {
  double s = 0;
  std::from_chars(text.data(), text.data() + text.size(), s);
  return static_cast<long long>(s * 1000);
}

TEST(OpenMetricsExport, TimestampsReadBackToTheExactMillisecond) {
  EXPECT_EQ(openmetrics_timestamp(kStart2026), "1767225600");
  EXPECT_EQ(openmetrics_timestamp(kStart2026 + 117400), "1767225717.4");
  // Around 1987 (541,000,000 s) many decimal timestamps parse just below their millisecond, and
  // truncation would store the one before: 541000000.035 -> ...034 ms.
  constexpr long long k1987 = 541000000000LL;
  ASSERT_EQ(prometheus_ms("541000000.035"), k1987 + 34);
  EXPECT_EQ(openmetrics_timestamp(k1987 + 35), "541000000.035001");
  int corrected = 0;
  for (long long base : {0LL, k1987, kStart2026, 4102444800000LL})
    for (long long ms = base; ms < base + 20000; ms += 7) {
      std::string text = openmetrics_timestamp(ms);
      EXPECT_EQ(prometheus_ms(text), ms) << text;
      corrected += text.size() > 3 && text.substr(text.size() - 3) == "001" && text.find('.') != std::string::npos &&
                   text.size() - text.find('.') == 7;
    }
  EXPECT_GT(corrected, 500);  // the correction is needed often, not in a corner case
}

TEST(OpenMetricsExport, ValuesAndLabelNames) {
  EXPECT_EQ(openmetrics_value(0.0625), "0.0625");
  EXPECT_EQ(openmetrics_value(1725), "1725");
  EXPECT_EQ(openmetrics_value(NAN), "NaN");
  EXPECT_EQ(openmetrics_value(-INFINITY), "-Inf");
  EXPECT_EQ(openmetrics_label_name("tenant_gpus_allocated"), "tenant");
  EXPECT_EQ(openmetrics_label_name("service_batch_size"), "service");
  EXPECT_EQ(openmetrics_label_name("node_group_nodes_ready"), "node_group");
  EXPECT_EQ(openmetrics_label_name("quota_gpus_used"), "queue");
  EXPECT_EQ(openmetrics_label_name("power_w"), "part");
  EXPECT_EQ(openmetrics_label_name("something_new"), "label");
}

TEST(OpenMetricsExport, GroupsFamiliesAndKeepsEachSeriesInTimeOrder) {
  unit::TempDir dir("om-export");
  dir.write("timeseries.csv",
            "time_s,metric,label,value\n"
            "0,gpus_allocated,,1\n"
            "0,tenant_gpus_allocated,a,1\n"
            "0,tenant_gpus_allocated,\"b \"\"q\"\"\",0\n"
            "0,power_w,,100\n"
            "0,power_w,gpu,60\n"
            "60.5,gpus_allocated,,2\n"
            "60.5,tenant_gpus_allocated,a,1\n"
            "60.5,tenant_gpus_allocated,\"b \"\"q\"\"\",1\n"
            "60.5,power_w,,\n"
            "60.5,power_w,gpu,70\n");
  OpenMetricsExport r = export_openmetrics(dir.path(), kStart2026);
  EXPECT_EQ(r.text,
            "# TYPE aidcsim_gpus_allocated gauge\n"
            "# HELP aidcsim_gpus_allocated timeseries.csv metric gpus_allocated (docs/outputs.md)\n"
            "aidcsim_gpus_allocated 1 1767225600\n"
            "aidcsim_gpus_allocated 2 1767225660.5\n"
            "# TYPE aidcsim_tenant_gpus_allocated gauge\n"
            "# HELP aidcsim_tenant_gpus_allocated timeseries.csv metric tenant_gpus_allocated (docs/outputs.md)\n"
            "aidcsim_tenant_gpus_allocated{tenant=\"a\"} 1 1767225600\n"
            "aidcsim_tenant_gpus_allocated{tenant=\"a\"} 1 1767225660.5\n"
            "aidcsim_tenant_gpus_allocated{tenant=\"b \\\"q\\\"\"} 0 1767225600\n"
            "aidcsim_tenant_gpus_allocated{tenant=\"b \\\"q\\\"\"} 1 1767225660.5\n"
            "# TYPE aidcsim_power_w gauge\n"
            "# HELP aidcsim_power_w timeseries.csv metric power_w (docs/outputs.md)\n"
            "aidcsim_power_w 100 1767225600\n"
            "aidcsim_power_w NaN 1767225660.5\n"
            "aidcsim_power_w{part=\"gpu\"} 60 1767225600\n"
            "aidcsim_power_w{part=\"gpu\"} 70 1767225660.5\n"
            "# EOF\n");
  EXPECT_EQ(r.families, 3u);
  EXPECT_EQ(r.series, 5u);
  EXPECT_EQ(r.samples, 10u);
  EXPECT_FALSE(r.has_scrapes);
}

TEST(OpenMetricsExport, RetimestampsScrapesAndPrefersTheirFamilies) {
  unit::TempDir dir("om-scrapes");
  dir.write("timeseries.csv",
            "time_s,metric,label,value\n"
            "0,gpus_allocated,,4\n"
            "0,queue_length,,3\n"
            "60,gpus_allocated,,4\n"
            "60,queue_length,,2\n");
  dir.write("scrapes.om",
            "# TYPE aidcsim_gpus_allocated gauge\n"
            "# HELP aidcsim_gpus_allocated GPUs allocated\n"
            "aidcsim_gpus_allocated{gpu_model=\"A100\"} 4 0\n"
            "aidcsim_gpus_allocated{gpu_model=\"A100\"} 4 14\n"
            "# TYPE aidcsim_service_requests counter\n"
            "# HELP aidcsim_service_requests requests that arrived\n"
            "aidcsim_service_requests_total{service=\"chat\"} 0 0\n"
            "aidcsim_service_requests_total{service=\"chat\"} 12 14\n"
            "# EOF\n");
  OpenMetricsExport r = export_openmetrics(dir.path(), kStart2026);
  EXPECT_EQ(r.text,
            "# TYPE aidcsim_queue_length gauge\n"
            "# HELP aidcsim_queue_length timeseries.csv metric queue_length (docs/outputs.md)\n"
            "aidcsim_queue_length 3 1767225600\n"
            "aidcsim_queue_length 2 1767225660\n"
            "# TYPE aidcsim_gpus_allocated gauge\n"
            "# HELP aidcsim_gpus_allocated GPUs allocated\n"
            "aidcsim_gpus_allocated{gpu_model=\"A100\"} 4 1767225600\n"
            "aidcsim_gpus_allocated{gpu_model=\"A100\"} 4 1767225614\n"
            "# TYPE aidcsim_service_requests counter\n"
            "# HELP aidcsim_service_requests requests that arrived\n"
            "aidcsim_service_requests_total{service=\"chat\"} 0 1767225600\n"
            "aidcsim_service_requests_total{service=\"chat\"} 12 1767225614\n"
            "# EOF\n");
  EXPECT_TRUE(r.has_scrapes);
  EXPECT_EQ(r.replaced_by_scrapes, std::vector<std::string>{"gpus_allocated"});
}

// The message of the InputErrors `f` throws ("" when it throws none).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const InputErrors& e) {
    return e.what();
  }
  return "";
}

TEST(OpenMetricsExport, InputErrorsNameTheFileAndLine) {
  unit::TempDir dir("om-errors");
  EXPECT_NE(error_of([&] { export_openmetrics(dir.file("missing"), 0); }).find("folder not found"), std::string::npos);
  std::string csv = dir.file("timeseries.csv");
  EXPECT_NE(error_of([&] { export_openmetrics(dir.path(), 0); }).find(csv + ": file not found"), std::string::npos);
  auto error_for = [&](const std::string& timeseries, const std::string& scrapes = "") {
    dir.write("timeseries.csv", timeseries);
    std::filesystem::remove(dir.file("scrapes.om"));
    if (!scrapes.empty()) dir.write("scrapes.om", scrapes);
    return error_of([&] { export_openmetrics(dir.path(), kStart2026); });
  };
  const std::string header = "time_s,metric,label,value\n";
  EXPECT_EQ(error_for(""), "error: " + csv + ": empty file, expected the header time_s,metric,label,value\n");
  EXPECT_EQ(error_for("time_s,metric,value\n"),
            "error: " + csv + ":1: label: missing column; expected the header time_s,metric,label,value\n");
  EXPECT_EQ(error_for(header + "0,a,,1\n0,b\n"),
            "error: " + csv + ":3: found 2 fields, expected 4 (time_s,metric,label,value)\n");
  EXPECT_EQ(error_for(header + "soon,a,,1\n"), "error: " + csv + ":2: time_s: found \"soon\", expected a number of seconds\n");
  EXPECT_EQ(error_for(header + "0,a,,lots\n"),
            "error: " + csv + ":2: value: found \"lots\", expected a number (empty: not defined)\n");
  EXPECT_EQ(error_for(header + "0,a b,,1\n"),
            "error: " + csv + ":2: metric: found \"a b\", expected a name of letters, digits, _ and :\n");
  EXPECT_EQ(error_for(header + "60,a,,1\n0,a,,2\n"),
            "error: " + csv + ":3: sample of aidcsim_a not after its previous one (at the same millisecond or earlier); "
            "each series must go forward in time\n");
  std::string om = dir.file("scrapes.om");
  EXPECT_EQ(error_for(header, "# TYPE x gauge\nx 1 0\n"), "error: " + om + ": no # EOF at the end: the file is incomplete\n");
  EXPECT_EQ(error_for(header, "# TYPE x gauge\nx 1\n# EOF\n"),
            "error: " + om + ":2: expected a value and a timestamp after x, found 1 fields (exemplars are not supported)\n");
  EXPECT_EQ(error_for(header, "# EOF\nx 1 0\n"), "error: " + om + ":2: data after # EOF\n");
  EXPECT_EQ(error_for(header, "x{a=\"1} 1 0\n# EOF\n"), "error: " + om + ":1: unterminated label set: expected }\n");
}

}  // namespace
}  // namespace aidcsim
