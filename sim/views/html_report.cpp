#include "sim/views/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "sim/views/svg_chart.hpp"

namespace aidcsim::views {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxTenantLines = 8;  // more tenants make an unreadable chart: the table has them all
constexpr std::size_t kCdfPoints = 1000;

std::string number_text(const json& v) {
  if (v.is_null()) return "&mdash;";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_integer() || v.is_number_unsigned()) return fmt::format("{}", v.dump());
  if (!v.is_number()) return escape_html(v.is_string() ? v.get<std::string>() : v.dump());
  double x = v.get<double>();
  double a = std::fabs(x);
  std::string s = a >= 1000 ? fmt::format("{:.0f}", x) : a >= 1 ? fmt::format("{:.2f}", x) : fmt::format("{:.4f}", x);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

const json& at(const json& object, const std::string& key) {
  static const json null_value;
  return object.is_object() && object.contains(key) ? object[key] : null_value;
}

std::string row(const std::string& label, const std::string& value) {
  return fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", label, value);
}

std::string summary_table(const json& s) {
  std::string t = "<table class=\"summary\">\n";
  t += row("scenario", number_text(at(s, "scenario")));
  t += row("seed", number_text(at(s, "seed")));
  const json& jobs = at(s, "jobs");
  t += row("jobs", fmt::format("{} submitted, {} completed, {} rejected, {} unfinished", number_text(at(jobs, "submitted")),
                               number_text(at(jobs, "completed")), number_text(at(jobs, "rejected")),
                               number_text(at(jobs, "unfinished"))));
  t += row("GPUs on the platform", number_text(at(s, "gpus_total")));
  t += row("GPU allocation (time-weighted mean fraction allocated)", number_text(at(s, "gpu_allocation")));
  t += row("GPU busy (mean fraction of GPU speed used)", number_text(at(s, "gpu_busy")));
  t += row("GPU fragmentation (mean fraction of GPUs fragmented)", number_text(at(s, "gpu_fragmentation")));
  const json& makespan = at(s, "makespan_s");
  t += row("makespan (first submission to last completion)",
           makespan.is_number() ? fmt::format("{} s ({} h)", number_text(makespan),
                                              number_text(json(makespan.get<double>() / 3600)))
                                : number_text(makespan));
  t += row("Jain's fairness index over tenants", number_text(at(s, "fairness_jain")));
  if (const json& energy = at(s, "energy_j"); energy.is_object() && at(energy, "total").is_number())
    t += row("energy", fmt::format("{} kWh", number_text(json(at(energy, "total").get<double>() / 3.6e6))));
  if (const json& cost = at(s, "cost"); cost.is_object())
    t += row("cost", fmt::format("{} {}", number_text(at(cost, "total")), number_text(at(cost, "currency"))));
  if (const json& vm = at(s, "vm_migrations"); vm.is_object())
    t += row("VM live migrations completed", number_text(at(vm, "completed")));
  t += row("horizon cut the run", number_text(at(s, "horizon_reached")));
  t += row("events processed", number_text(at(s, "events")));
  t += row("wall-clock time of the run (s)", number_text(at(s, "wall_s")));
  t += "</table>\n";
  // The distributions, one row each.
  t += "<table class=\"stats\">\n<tr><th>completed jobs</th><th>mean</th><th>p50</th><th>p95</th><th>p99</th>"
       "<th>max</th></tr>\n";
  for (auto [key, label] : {std::pair{"queue_delay_s", "queueing delay (s)"}, std::pair{"jct_s", "job completion time (s)"},
                            std::pair{"slowdown", "slowdown (JCT / run time)"}}) {
    const json& d = at(s, key);
    t += fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", label,
                     number_text(at(d, "mean")), number_text(at(d, "p50")), number_text(at(d, "p95")),
                     number_text(at(d, "p99")), number_text(at(d, "max")));
  }
  return t + "</table>\n";
}

std::string tenant_table(const json& tenants) {
  if (!tenants.is_object() || tenants.empty()) return "<p>summary.json has no per-tenant figures.</p>\n";
  std::string t =
      "<table class=\"tenants\">\n<tr><th>tenant</th><th>jobs submitted</th><th>completed</th>"
      "<th>mean JCT (s)</th><th>p95 JCT (s)</th><th>mean queueing delay (s)</th><th>p95 queueing delay (s)</th>"
      "<th>GPU-hours requested</th><th>GPU-hours received</th><th>share of demand received</th></tr>\n";
  for (const auto& [name, v] : tenants.items()) {
    const json& req = at(v, "gpu_seconds_requested");
    const json& got = at(v, "gpu_seconds_received");
    auto hours = [](const json& s) { return s.is_number() ? json(s.get<double>() / 3600) : json(); };
    json share = req.is_number() && got.is_number() && req.get<double>() > 0 ? json(got.get<double>() / req.get<double>())
                                                                             : json();
    t += fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                     "<td>{}</td><td>{}</td></tr>\n",
                     escape_html(name), number_text(at(v, "submitted")), number_text(at(v, "completed")),
                     number_text(at(at(v, "jct_s"), "mean")), number_text(at(at(v, "jct_s"), "p95")),
                     number_text(at(at(v, "queue_delay_s"), "mean")), number_text(at(at(v, "queue_delay_s"), "p95")),
                     number_text(hours(req)), number_text(hours(got)), number_text(share));
  }
  return t + "</table>\n";
}

std::string service_table(const json& services) {
  std::string t =
      "<table class=\"services\">\n<tr><th>service</th><th>requests completed</th><th>p50 TTFT (s)</th>"
      "<th>p95 TTFT (s)</th><th>p95 time between tokens (s)</th><th>p95 end-to-end (s)</th><th>SLO attainment</th>"
      "<th>replica-hours</th></tr>\n";
  for (const auto& [name, v] : services.items())
    t += fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     escape_html(name), number_text(at(at(v, "requests"), "completed")),
                     number_text(at(at(v, "ttft_s"), "p50")), number_text(at(at(v, "ttft_s"), "p95")),
                     number_text(at(at(v, "tbt_s"), "p95")), number_text(at(at(v, "e2e_s"), "p95")),
                     number_text(at(v, "slo_attainment")), number_text(at(v, "replica_hours")));
  return t + "</table>\n";
}

// Empirical CDF, at most kCdfPoints points chosen evenly by rank (the largest value always kept).
ChartSeries cdf(std::string name, std::vector<double> values) {
  ChartSeries s{std::move(name), {}, true};
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  std::size_t stride = std::max<std::size_t>(1, n / kCdfPoints);
  for (std::size_t i = 0; i < n; i += stride) s.points.emplace_back(values[i], double(i + 1) / n);
  if (n && s.points.back().second < 1) s.points.emplace_back(values.back(), 1.0);
  return s;
}

std::string figure(const ChartSpec& spec, const std::string& caption) {
  return "<figure>\n" + svg_line_chart(spec) + "<figcaption>" + caption + "</figcaption>\n</figure>\n";
}

std::string time_figures(const ReportInput& in) {
  std::map<std::string, ChartSeries> alloc;  // "" = all, else tenant
  ChartSeries pending{"pending jobs", {}, true}, running{"running jobs", {}, true};
  for (const auto& s : in.timeseries) {
    double h = s.time_s / 3600;
    if (s.metric == "gpus_allocated" && s.label.empty()) alloc[""].points.emplace_back(h, s.value);
    else if (s.metric == "tenant_gpus_allocated") alloc[s.label].points.emplace_back(h, s.value);
    else if (s.metric == "queue_length") pending.points.emplace_back(h, s.value);
    else if (s.metric == "running_jobs") running.points.emplace_back(h, s.value);
  }
  ChartSpec gpus{"GPUs allocated over time", "simulated time (hours)",
                 fmt::format("GPUs allocated (of {})", number_text(at(in.summary, "gpus_total"))), {}, false, 0.0,
                 std::nullopt};
  if (const json& total = at(in.summary, "gpus_total"); total.is_number()) gpus.y_max = total.get<double>();
  std::size_t tenants = 0;
  for (auto& [label, series] : alloc) {
    if (!label.empty() && tenants++ >= kMaxTenantLines) continue;
    series.name = label.empty() ? "all tenants" : "tenant " + label;
    series.step = true;
    gpus.series.push_back(std::move(series));
  }
  std::string note = tenants > kMaxTenantLines ? fmt::format(" (the first {} of {} tenants)", kMaxTenantLines, tenants) : "";
  std::string out = figure(gpus, "GPUs allocated to jobs at each monitoring sample (timeseries.csv: gpus_allocated, "
                                 "tenant_gpus_allocated" + note + ").");
  ChartSpec jobs{"Pending and running jobs over time", "simulated time (hours)", "jobs (count)",
                 {std::move(pending), std::move(running)}, false, 0.0, std::nullopt};
  out += figure(jobs, "Jobs waiting in the queue and jobs running at each monitoring sample (timeseries.csv: "
                      "queue_length, running_jobs).");
  return out;
}

std::string job_cdf_figure(const ReportInput& in) {
  std::vector<std::string> replica_prefixes;
  if (const json& services = at(in.summary, "services"); services.is_object())
    for (const auto& [name, v] : services.items()) replica_prefixes.push_back(name + "/replica-");
  std::vector<double> jct, delay;
  for (const auto& j : in.jobs) {
    if (j.state != "completed" || !j.jct_s) continue;
    if (std::any_of(replica_prefixes.begin(), replica_prefixes.end(),
                    [&](const std::string& p) { return j.job_id.rfind(p, 0) == 0; }))
      continue;  // inference replicas: their figures are the services'
    jct.push_back(*j.jct_s);
    if (j.queue_delay_s) delay.push_back(*j.queue_delay_s);
  }
  ChartSpec spec{"Job completion time and queueing delay (CDF)", "seconds (log scale)", "fraction of completed jobs",
                 {cdf("job completion time", jct), cdf("queueing delay", delay)}, true, 0.0, 1.0};
  return figure(spec, fmt::format("Cumulative distribution over the {} completed jobs of jobs.csv (inference replicas "
                                  "left out); a delay of 0 s is drawn at the left edge.",
                                  jct.size()));
}

std::string latency_figure(const ReportInput& in) {
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by_service;
  for (const auto& r : in.requests) {
    if (!r.end_s) continue;
    auto& [ttft, e2e] = by_service[r.service];
    if (r.first_token_s) ttft.push_back(*r.first_token_s - r.arrival_s);
    e2e.push_back(*r.end_s - r.arrival_s);
  }
  ChartSpec spec{"Inference latency (CDF)", "seconds (log scale)", "fraction of completed requests", {}, true, 0.0, 1.0};
  for (auto& [service, v] : by_service) {
    spec.series.push_back(cdf(service + ": time to first token", v.first));
    spec.series.push_back(cdf(service + ": end to end", v.second));
  }
  return figure(spec, "Time to first token and end-to-end latency of the completed requests of requests.csv, per service.");
}

constexpr const char* kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto; max-width: 64em;
       padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th { background: #f5f5f5; text-align: left; font-weight: 600; }
figure { margin: 1em 0; } figcaption { font-size: 0.88em; color: #555; max-width: 760px; }
.chart { font-size: 12px; } .chart-title { font-size: 14px; font-weight: 600; }
.grid { stroke: #e6e6e6; } .frame { fill: none; stroke: #888; } .tick { fill: #444; }
.axis-label { fill: #222; font-size: 13px; } .legend { fill: #222; } .no-data { fill: #999; font-size: 16px; }
.meta { color: #555; font-size: 0.9em; } #render-status { color: #999; font-size: 0.8em; }
)";

// A marker for automated checks (tests/scenarios/test_report_chromium.sh): once the page has loaded, it
// says how many figures drew, and any script error. Viewing the page needs none of it.
constexpr const char* kRenderCheck = R"(<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  window.addEventListener("load", function () {
    var figures = document.querySelectorAll("figure"), drawn = 0;
    figures.forEach(function (f) {
      var svg = f.querySelector("svg");
      if (svg && svg.getBBox().width > 0 && svg.querySelectorAll("path").length > 0) drawn++;
    });
    var status = document.getElementById("render-status");
    status.textContent = "figures drawn: " + drawn + " of " + figures.length +
      (errors.length ? "; errors: " + errors.join("; ") : "; no errors");
    status.setAttribute("data-ok", drawn === figures.length && errors.length === 0 ? "yes" : "no");
  });
})();
</script>
)";

}  // namespace

ReportInput read_report_input(const std::string& run_dir) {
  ReportInput in;
  in.run_dir = run_dir;
  in.summary = read_json_object(required_run_file(run_dir, "summary.json"));
  if (auto path = run_file(run_dir, "run.json")) in.run = read_json_object(*path);
  in.timeseries = read_timeseries_csv(required_run_file(run_dir, "timeseries.csv"));
  in.jobs = read_jobs_csv(required_run_file(run_dir, "jobs.csv"));
  if (auto path = run_file(run_dir, "requests.csv")) in.requests = read_requests_csv(*path);
  return in;
}

std::string html_report(const ReportInput& in) {
  std::string scenario = at(in.summary, "scenario").is_string() ? at(in.summary, "scenario").get<std::string>() : "run";
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += fmt::format("<title>aidcsim run report: {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                      escape_html(scenario), kStyle);
  html += fmt::format("<h1>aidcsim run report: {}</h1>\n", escape_html(scenario));
  std::string meta = fmt::format("run directory {}", escape_html(in.run_dir));
  if (in.run.is_object()) {
    meta += fmt::format("; aidcsim {} (commit {}), SimGrid {}", number_text(at(in.run, "aidcsim_version")),
                        number_text(at(in.run, "git_commit")), number_text(at(in.run, "simgrid_version")));
    if (const json& wall = at(in.run, "wall_clock"); wall.is_object())
      meta += fmt::format("; run started {}", number_text(at(wall, "start")));
  }
  html += "<p class=\"meta\">" + meta + ". Times are simulated.</p>\n";
  html += "<h2 id=\"summary\">Summary</h2>\n" + summary_table(in.summary);
  html += "<h2 id=\"figures\">Figures</h2>\n" + time_figures(in) + job_cdf_figure(in);
  if (!in.requests.empty()) html += latency_figure(in);
  html += "<h2 id=\"tenants\">Tenants</h2>\n" + tenant_table(at(in.summary, "tenants"));
  if (const json& services = at(in.summary, "services"); services.is_object() && !services.empty())
    html += "<h2 id=\"services\">Inference services</h2>\n" + service_table(services);
  html += "<p class=\"meta\">Written by <code>aidcsim report</code> from summary.json, timeseries.csv, jobs.csv"
          + std::string(in.requests.empty() ? "" : " and requests.csv") + ".</p>\n";
  html += "<p id=\"render-status\" data-ok=\"pending\">figures not checked (scripts off)</p>\n";
  html += kRenderCheck;
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace aidcsim::views
