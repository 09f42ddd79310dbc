// Alert rules and the PromQL subset (models/monitoring/): the fact sheet's alert timeline F-D
// (../shared/notes/k8s-prometheus-llm-semantics.md, from Prometheus' rules/alerting.go) with and
// without keep_firing_for, an alert that is dropped before it fires, the lag a scrape delay adds, and
// Prometheus' range functions on hand-computed series.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "models/monitoring/alerting.hpp"
#include "models/monitoring/promql.hpp"

namespace aidcsim {
namespace {

// One gauge whose value is a function of the scrape time.
class FunctionSource final : public MetricSource {
 public:
  explicit FunctionSource(std::function<double(double)> f) : f_(std::move(f)) {}
  void collect(double now, const MetricSink& sink) override { sink("aidcsim_jobs_pending", {}, f_(now)); }

 private:
  std::function<double(double)> f_;
};

PromExpr parse(const std::string& text) {
  std::string error;
  auto e = PromExpr::parse(text, error);
  EXPECT_TRUE(e) << text << ": " << error;
  return e ? *e : PromExpr{};
}

// Scrapes every 60 s from 0, evaluations every 60 s at offset 30 (F-D), until `until_s`; returns alerts.csv.
std::string run_alerts(std::function<double(double)> value, double for_s, double keep_s, double delay_s = 0,
                       double until_s = 2000) {
  MonitoringConfig c;
  c.scrape_interval_s = 60;
  c.evaluation_interval_s = 60;
  c.evaluation_offset_s = 30;
  c.scrape_delay_s = delay_s;
  AlertRule rule;
  rule.name = "GPUHot";
  rule.severity = "warning";
  rule.for_s = for_s;
  rule.keep_firing_for_s = keep_s;
  rule.expr = parse("aidcsim_jobs_pending > 0.9");
  c.alerts.push_back(rule);
  FunctionSource source(std::move(value));
  Alerting alerting(c);
  EventQueue queue;
  alerting.start(queue, 0, {&source});
  while (queue.next_model_event_s() <= until_s) queue.pop_due(queue.next_model_event_s(), [](JobIndex, std::uint32_t, double) {});
  return alerting.alerts_csv();
}

const char* kHeader = "rule,labels,pending_s,firing_s,resolved_s,value,severity\n";

// gpu_util 0.5 before 600, 0.95 for the scrapes at 600..1140, 0.5 from 1200.
double hot_600_to_1140(double t) { return t >= 600 && t < 1200 ? 0.95 : 0.5; }

TEST(Alerting, PendingForThenFiringThenResolved) {
  // 630 pending (sample@600), 810 firing (180 >= for 180), 1230 resolved (sample@1200 = 0.5).
  EXPECT_EQ(run_alerts(hot_600_to_1140, 180, 0), std::string(kHeader) + "GPUHot,{},630,810,1230,0.95,warning\n");
}

TEST(Alerting, KeepFiringForHoldsItTwoMoreEvaluations) {
  // KeepFiringSince 1230; 1290 (60 < 120) still firing; 1350 (120 < 120 false) resolved.
  EXPECT_EQ(run_alerts(hot_600_to_1140, 180, 120), std::string(kHeader) + "GPUHot,{},630,810,1350,0.95,warning\n");
}

TEST(Alerting, DroppedWhilePendingNeverFires) {
  // Hot only for the scrapes at 600 and 660: pending at 630 and 690, gone at 750.
  auto f = [](double t) { return t >= 600 && t < 720 ? 0.95 : 0.5; };
  EXPECT_EQ(run_alerts(f, 180, 0), std::string(kHeader) + "GPUHot,{},630,,750,0.95,warning\n");
  // With for 0 it fires at the first evaluation that sees it.
  EXPECT_EQ(run_alerts(f, 0, 0), std::string(kHeader) + "GPUHot,{},630,630,750,0.95,warning\n");
}

TEST(Alerting, ScrapeDelayLagsWhatTheRuleSees) {
  // 45 s until a scrape is visible: the sample@600 is seen from 645, so the evaluation at 690 is the
  // first to see it; every step moves one evaluation later.
  EXPECT_EQ(run_alerts(hot_600_to_1140, 180, 0, 45), std::string(kHeader) + "GPUHot,{},690,870,1290,0.95,warning\n");
}

TEST(Alerting, StillFiringAtTheEndHasNoResolution) {
  EXPECT_EQ(run_alerts(hot_600_to_1140, 180, 0, 0, 1000), std::string(kHeader) + "GPUHot,{},630,810,,0.95,warning\n");
}

// What an autoscaler reads: the newest visible scrape, lagging by the scrape delay; a scrape due at
// the query's instant is taken first.
TEST(Alerting, LatestIsTheNewestVisibleScrape) {
  MonitoringConfig c;
  c.scrape_interval_s = 15;
  c.scrape_delay_s = 20;
  c.write_scrapes = true;
  FunctionSource source([](double t) { return t; });
  Alerting scraper(c);
  EventQueue queue;
  scraper.start(queue, 0, {&source});
  while (queue.next_model_event_s() < 60) queue.pop_due(queue.next_model_event_s(), [](JobIndex, std::uint32_t, double) {});
  // Scrapes at 0, 15, 30, 45 done; the one at 60 is due: taken by the query. Visible at 60: those
  // scraped by 40, the newest at 30.
  EXPECT_EQ(scraper.latest("aidcsim_jobs_pending", {}, 60), 30);
  EXPECT_EQ(scraper.latest("aidcsim_jobs_running", {}, 60), std::nullopt);
  // Nothing more is scraped before 75: at 70 the 45 sample is visible (45 + 20 <= 70).
  EXPECT_EQ(scraper.latest("aidcsim_jobs_pending", {}, 70), 45);
  EXPECT_NE(scraper.openmetrics().find("aidcsim_jobs_pending 60 60\n"), std::string::npos);
}

// A counter read as a rate (Scraper::latest_rate, PromQL's irate): over the two newest visible scrapes;
// a reset (a smaller value) counts the newer value as the increase; samples before not_before_s and
// a single sample give none.
TEST(Alerting, LatestRateIsTheIrateOfTheTwoNewestScrapes) {
  MonitoringConfig c;
  c.scrape_interval_s = 10;
  c.scrape_delay_s = 5;
  FunctionSource source([](double t) { return t < 35 ? 0.5 * t : t - 35; });  // reset between 30 and 40
  Alerting scraper(c);
  EventQueue queue;
  scraper.start(queue, 0, {&source});
  auto run_to = [&](double t) {
    while (queue.next_model_event_s() < t) queue.pop_due(queue.next_model_event_s(), [](JobIndex, std::uint32_t, double) {});
  };
  run_to(26);
  // Visible at 26: scrapes 0, 10, 20 (20 + 5 <= 26): (10 - 5) / 10.
  EXPECT_EQ(scraper.latest_rate("aidcsim_jobs_pending", {}, 26), 0.5);
  EXPECT_EQ(scraper.latest_rate("aidcsim_jobs_pending", {}, 26, 15), std::nullopt);  // only the 20 one
  EXPECT_EQ(scraper.latest_rate("aidcsim_jobs_running", {}, 26), std::nullopt);
  run_to(46);
  // 40's 5 after 30's 15: a reset, the increase is 5 over 10 s.
  EXPECT_EQ(scraper.latest_rate("aidcsim_jobs_pending", {}, 46), 0.5);
  EXPECT_EQ(scraper.latest_rate("aidcsim_jobs_pending", {}, 44), 0.5);  // 30 and 20: (15 - 10) / 10
}

SeriesStore store_of(const std::vector<std::tuple<std::string, MetricLabels, double, double>>& points, double delay_s = 0) {
  SeriesStore s(delay_s);
  for (const auto& [name, labels, t, v] : points) s.add(name, labels, t, v);
  return s;
}

TEST(PromQl, SelectorsAggregationsAndLookback) {
  MetricLabels a = {{"service", "chat"}, {"replica", "0"}}, b = {{"service", "chat"}, {"replica", "1"}},
               c = {{"service", "code"}, {"replica", "0"}};
  auto s = store_of({{"aidcsim_service_requests_in_flight", a, 0, 3}, {"aidcsim_service_requests_in_flight", b, 0, 5},
                     {"aidcsim_service_requests_in_flight", c, 0, 1}, {"aidcsim_service_requests_in_flight", a, 60, 7}});
  auto r = parse("sum by (service) (aidcsim_service_requests_in_flight) > 0").eval(s, 60);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].labels.at("service"), "chat");
  EXPECT_EQ(r[0].value, 12);  // the newest of each series: 7 + 5
  EXPECT_EQ(r[1].value, 1);
  EXPECT_EQ(parse("avg(aidcsim_service_requests_in_flight{service=\"chat\"}) >= 6").eval(s, 60).at(0).value, 6);
  EXPECT_EQ(parse("max(aidcsim_service_requests_in_flight{replica=~\"0|2\"}) > 0").eval(s, 60).at(0).value, 7);
  EXPECT_EQ(parse("count(aidcsim_service_requests_in_flight{service!=\"chat\"}) == 1").eval(s, 60).size(), 1u);
  // Lookback: a sample exactly 5 min old is no longer seen.
  EXPECT_EQ(parse("aidcsim_service_requests_in_flight{service=\"code\"} > 0").eval(s, 299.9).size(), 1u);
  EXPECT_TRUE(parse("aidcsim_service_requests_in_flight{service=\"code\"} > 0").eval(s, 300).empty());
}

TEST(PromQl, RangeFunctionsAsPrometheusComputesThem) {
  // A counter scraped every 15 s: 0, 15, 30, 45, 60 at t = 0..60; rate over [1m] at t = 60 sees the
  // samples in (0, 60]: 15..60 (sampled interval 45 s, increase 45). To the range start 15 s < 1.1 x 15:
  // extrapolated to it, but no further than the counter's zero point (15 s before the first sample):
  // 45 x 60/45 = 60 -> rate 1/s, increase 60.
  std::vector<std::tuple<std::string, MetricLabels, double, double>> points;
  for (int i = 0; i <= 4; ++i) points.emplace_back("aidcsim_service_requests_total", MetricLabels{{"service", "chat"}}, 15.0 * i, 15.0 * i);
  auto s = store_of(points);
  EXPECT_DOUBLE_EQ(parse("rate(aidcsim_service_requests_total[1m]) > 0").eval(s, 60).at(0).value, 1.0);
  EXPECT_DOUBLE_EQ(parse("increase(aidcsim_service_requests_total[1m]) > 0").eval(s, 60).at(0).value, 60.0);
  EXPECT_DOUBLE_EQ(parse("avg_over_time(aidcsim_service_requests_total[1m]) > 0").eval(s, 60).at(0).value, 37.5);
  EXPECT_DOUBLE_EQ(parse("max_over_time(aidcsim_service_requests_total[30s]) > 0").eval(s, 60).at(0).value, 60);
  EXPECT_DOUBLE_EQ(parse("count_over_time(aidcsim_service_requests_total[1m]) > 0").eval(s, 60).at(0).value, 4);
  // A reset (60 -> 10) counts as the value before it plus what follows.
  points.emplace_back("aidcsim_service_requests_total", MetricLabels{{"service", "chat"}}, 75, 10);
  auto reset = store_of(points);
  // Samples in (15, 75]: 30, 45, 60, 10: increase = 10 - 30 + 60 = 40 over 45 s, extrapolated by
  // 15 s at the start (no zero-point cut: 45 x 30/40 = 33.75 > 15): 40 x 60/45.
  EXPECT_DOUBLE_EQ(parse("increase(aidcsim_service_requests_total[1m]) > 0").eval(reset, 75).at(0).value, 40.0 * 60 / 45);
  // With a scrape delay of 20 s the newest sample (75) is not visible at 80.
  auto delayed = store_of(points, 20);
  EXPECT_DOUBLE_EQ(parse("last_over_time(aidcsim_service_requests_total[1m]) > 0").eval(delayed, 80).at(0).value, 60);
}

TEST(PromQl, ParseErrorsSayWhatWasExpected) {
  std::string error;
  EXPECT_FALSE(PromExpr::parse("aidcsim_jobs_pending", error));
  EXPECT_NE(error.find("expected a comparison with a number"), std::string::npos) << error;
  EXPECT_FALSE(PromExpr::parse("avg_over_time(aidcsim_jobs_pending) > 1", error));
  EXPECT_NE(error.find("expected a range such as [5m]"), std::string::npos) << error;
  EXPECT_FALSE(PromExpr::parse("aidcsim_jobs_pending[5m] > 1", error));
  EXPECT_NE(error.find("needs a range function"), std::string::npos) << error;
  EXPECT_FALSE(PromExpr::parse("sum(aidcsim_jobs_pending > 1", error));
  EXPECT_NE(error.find("expected \")\" closing sum"), std::string::npos) << error;
  EXPECT_FALSE(PromExpr::parse("aidcsim_jobs_pending{tenant=nlp} > 1", error));
  EXPECT_NE(error.find("expected label=\"value\""), std::string::npos) << error;
  EXPECT_FALSE(PromExpr::parse("rate(aidcsim_jobs_pending[5q]) > 1", error));
  EXPECT_NE(error.find("expected a duration"), std::string::npos) << error;
  EXPECT_EQ(parse_prom_duration("1h30m"), 5400);
  EXPECT_EQ(parse_prom_duration("250ms"), 0.25);
  EXPECT_FALSE(parse_prom_duration("5"));
}

}  // namespace
}  // namespace aidcsim
