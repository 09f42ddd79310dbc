#pragma once
// One self-contained HTML page about a finished run (docs/timeline.md#the-html-report): the summary,
// the standard figures as inline SVG (GPUs allocated and jobs pending over time, CDFs of job completion
// time and queueing delay, service latency when requests.csv exists) and the per-tenant table. No
// script or style is fetched: it opens offline.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/views/run_files.hpp"

namespace aidcsim::views {

struct ReportInput {
  std::string run_dir;
  nlohmann::json summary;                  // summary.json
  nlohmann::json run = nlohmann::json();   // run.json, null when absent
  std::vector<SeriesSample> timeseries;    // timeseries.csv
  std::vector<JobRecord> jobs;             // jobs.csv
  std::vector<RequestRecord> requests;     // requests.csv, empty when absent
};

ReportInput read_report_input(const std::string& run_dir);

std::string html_report(const ReportInput& input);

}  // namespace aidcsim::views
