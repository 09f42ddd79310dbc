// The views of a finished run (sim/views): trace-event rows and lanes, and the report's SVG charts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/views/html_report.hpp"
#include "sim/views/svg_chart.hpp"
#include "sim/views/trace_events.hpp"

using namespace aidcsim::views;
using nlohmann::json;

namespace {

JobRecord job(std::string id, double start_s, double end_s, std::vector<std::string> hosts) {
  JobRecord j;
  j.job_id = std::move(id);
  j.tenant = "t";
  j.state = "completed";
  j.submit_s = start_s;
  j.start_s = start_s;
  j.end_s = end_s;
  j.queue_delay_s = 0;
  j.gpus = static_cast<int>(hosts.size());
  j.hosts = std::move(hosts);
  return j;
}

std::vector<json> events_of(const std::string& text) { return json::parse(text)["traceEvents"].get<std::vector<json>>(); }

std::string thread_name(const std::vector<json>& events, int pid, int tid) {
  for (const auto& e : events)
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == pid && e["tid"] == tid) return e["args"]["name"];
  return "";
}

}  // namespace

TEST(TraceEvents, HostSlotSplitsGpuHostIds) {
  EXPECT_EQ(host_slot("srv-00001-gpu-7").server, "srv-00001");
  EXPECT_EQ(host_slot("srv-00001-gpu-7").gpu, 7);
  EXPECT_EQ(host_slot("venus-000-gpu-12").gpu, 12);
  EXPECT_FALSE(host_slot("srv-00001").gpu.has_value());
  EXPECT_FALSE(host_slot("srv-gpu-x").gpu.has_value());
  EXPECT_EQ(host_slot("srv-gpu-x").server, "srv-gpu-x");
}

TEST(TraceEvents, OneSlicePerGpuInMicrosecondsOnTheGpuIndexTid) {
  TimelineInput in;
  in.jobs = {job("a", 117.4, 225.4, {"s0-gpu-2", "s0-gpu-3"})};
  auto events = events_of(trace_events_json(in, {}));
  int slices = 0;
  for (const auto& e : events) {
    if (e["ph"] != "X") continue;
    ++slices;
    EXPECT_EQ(e["ts"].get<double>(), 117400000.0);
    EXPECT_EQ(e["dur"].get<double>(), 108000000.0);
    EXPECT_EQ(e["args"]["job_id"], "a");
    EXPECT_TRUE(e["tid"] == 2 || e["tid"] == 3) << e.dump();
    EXPECT_EQ(thread_name(events, e["pid"], e["tid"]), "GPU " + std::to_string(e["tid"].get<int>()));
  }
  EXPECT_EQ(slices, 2);
}

TEST(TraceEvents, SharedGpuGetsOneLanePerOverlap) {
  TimelineInput in;
  in.jobs = {job("a", 0, 100, {"s0-gpu-0"}), job("b", 50, 150, {"s0-gpu-0"}), job("c", 100, 200, {"s0-gpu-0"})};
  auto events = events_of(trace_events_json(in, {}));
  std::map<std::string, int> tid;
  for (const auto& e : events)
    if (e["ph"] == "X") tid[e["name"]] = e["tid"];
  EXPECT_EQ(tid["a"], 0);
  EXPECT_EQ(tid["c"], 0);  // a ended when c started: the same lane again
  EXPECT_NE(tid["b"], 0);
  EXPECT_EQ(thread_name(events, 1000001, tid["b"]), "GPU 0 (2)");
}

TEST(TraceEvents, MigratedJobIsSplitAtTheSwitchOverWithAnArrow) {
  TimelineInput in;
  in.jobs = {job("a", 0, 100, {"s1-gpu-0"})};
  in.jobs[0].migrations = 1;
  MigrationRecord m;
  m.vm = "7";
  m.job_id = "a";
  m.job_moved = true;
  m.from_hosts = {"s0-gpu-0"};
  m.to_hosts = {"s1-gpu-0"};
  m.start_s = 30;
  m.paused_s = 38;
  m.end_s = 40;
  in.migrations = {m};
  auto events = events_of(trace_events_json(in, {}));
  std::vector<std::pair<double, double>> segments;
  int flow_starts = 0, flow_ends = 0, migration_slices = 0;
  for (const auto& e : events) {
    if (e["ph"] == "X" && e["cat"] == "job") segments.emplace_back(e["ts"], e["dur"]);
    if (e["ph"] == "X" && e["cat"] == "migration") ++migration_slices;
    flow_starts += e["ph"] == "s";
    flow_ends += e["ph"] == "f";
  }
  std::sort(segments.begin(), segments.end());
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0], std::make_pair(0.0, 40e6));
  EXPECT_EQ(segments[1], std::make_pair(40e6, 60e6));
  EXPECT_EQ(flow_starts, 1);
  EXPECT_EQ(flow_ends, 1);
  EXPECT_EQ(migration_slices, 1);
}

TEST(TraceEvents, ByServerPacksJobsIntoSlots) {
  TimelineInput in;
  in.jobs = {job("a", 0, 100, {"s0-gpu-0", "s0-gpu-1", "s1-gpu-0"}), job("b", 10, 20, {"s0-gpu-2"})};
  TraceEventOptions options;
  options.rows = TimelineRows::server;
  auto events = events_of(trace_events_json(in, options));
  int a = 0, b = 0;
  std::set<int> s0_tids;
  for (const auto& e : events) {
    if (e["ph"] != "X") continue;
    (e["name"] == "a" ? a : b)++;
    if (e["pid"] == 1000001) s0_tids.insert(e["tid"].get<int>());
  }
  EXPECT_EQ(a, 2);  // once per server
  EXPECT_EQ(b, 1);
  EXPECT_EQ(s0_tids.size(), 2u);  // a and b overlap on s0: two slots
}

TEST(TraceEvents, RequestsAboveTheCapAreSampled) {
  TimelineInput in;
  for (int i = 0; i < 10; ++i) {
    RequestRecord r;
    r.service = "chat";
    r.request_id = std::to_string(i);
    r.replica = "0";
    r.arrival_s = i;
    r.first_token_s = i + 0.5;
    r.end_s = i + 1.0;
    in.requests.push_back(r);
  }
  TraceEventOptions options;
  options.max_requests = 4;
  json doc = json::parse(trace_events_json(in, options));
  int requests = 0, phases = 0;
  for (const auto& e : doc["traceEvents"]) {
    requests += e["ph"] == "X" && e["cat"] == "request";
    phases += e["ph"] == "X" && e["cat"] == "request phase";
  }
  EXPECT_EQ(requests, 4);  // every 3rd of 10: 0, 3, 6, 9
  EXPECT_EQ(phases, 4);
  EXPECT_TRUE(doc["otherData"].contains("requests_sampled"));
}

TEST(SvgChart, NiceTicksAreRound) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1}));
  EXPECT_EQ(nice_ticks(3, 97, 4).front(), 20);
}

TEST(SvgChart, DrawsEachSeriesWithItsLegendAndLabels) {
  ChartSpec spec{"GPUs & jobs", "simulated time (hours)", "GPUs allocated", {}, false, 0.0, std::nullopt};
  spec.series.push_back({"all <tenants>", {{0, 1}, {1, 3}, {2, 2}}, true});
  spec.series.push_back({"one", {{0, 0}, {2, 1}}, false});
  std::string svg = svg_line_chart(spec);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("GPUs &amp; jobs"), std::string::npos);
  EXPECT_NE(svg.find("all &lt;tenants&gt;"), std::string::npos);
  EXPECT_NE(svg.find("simulated time (hours)"), std::string::npos);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), 'M'), 2);  // one path per series ("M" starts each)
  EXPECT_NE(svg.find("H"), std::string::npos);           // the step series
  EXPECT_EQ(svg_line_chart({"empty", "x", "y", {}, true, std::nullopt, std::nullopt}).find("no data") != std::string::npos,
            true);
}

TEST(HtmlReport, HasTheSummaryTheFiguresAndTheTenantTable) {
  ReportInput in;
  in.run_dir = "results/x";
  in.summary = json::parse(R"({"scenario": "s<1>", "seed": 3, "gpus_total": 16, "jct_s": {"mean": 10.5},
    "tenants": {"vision": {"submitted": 2, "completed": 1, "gpu_seconds_requested": 7200,
                           "gpu_seconds_received": 3600}}})");
  in.timeseries = {{0, "gpus_allocated", "", 2}, {60, "gpus_allocated", "", 4}, {0, "queue_length", "", 1}};
  in.jobs = {job("a", 0, 100, {"s0-gpu-0"})};
  std::string html = html_report(in);
  EXPECT_NE(html.find("<title>aidcsim run report: s&lt;1&gt;</title>"), std::string::npos);
  EXPECT_EQ(std::count(html.begin(), html.end(), '\n') > 10, true);
  for (const char* part : {"GPUs allocated over time", "Pending and running jobs over time",
                           "Job completion time and queueing delay (CDF)", "<th>vision</th>", "10.5"})
    EXPECT_NE(html.find(part), std::string::npos) << part;
  EXPECT_EQ(html.find("Inference latency"), std::string::npos);  // no requests
  EXPECT_EQ(html.find("http"), std::string::npos);                // nothing fetched, nothing linked
}
