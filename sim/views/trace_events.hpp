#pragma once
// A finished run as Chrome trace-event JSON (the "JSON Object Format": {"traceEvents": [...]}), which
// Perfetto (ui.perfetto.dev) and chrome://tracing open: complete events (ph "X", ts/dur in microseconds
// of simulated time) for the jobs on their GPUs or servers, their start-ups, VM migrations (slices and
// flow arrows) and inference requests; metadata events (ph "M") name the rows. docs/timeline.md.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sim/views/run_files.hpp"

namespace aidcsim::views {

enum class TimelineRows { gpu, server };

struct TraceEventOptions {
  TimelineRows rows = TimelineRows::gpu;
  // Requests beyond this many are sampled (every k-th, in requests.csv order); 0 = keep all.
  std::size_t max_requests = 20000;
};

struct TimelineInput {
  std::vector<JobRecord> jobs;
  std::vector<MigrationRecord> migrations;
  std::vector<RequestRecord> requests;
  double end_s = 0;  // where slices of jobs still running at the end of the run stop
};

// Reads jobs.csv, and migrations.csv, requests.csv and run.json when present.
TimelineInput read_timeline_input(const std::string& run_dir);

// The whole JSON document, one event per line, deterministic.
std::string trace_events_json(const TimelineInput& input, const TraceEventOptions& options);

// "srv-00000-gpu-3" -> {"srv-00000", 3}: GPU hosts are "<server>-gpu-<index>" on every platform
// aidcsim generates; any other host id (a server of a CPU-only job) is its own server, no index.
struct HostSlot {
  std::string server;
  std::optional<int> gpu;
};
HostSlot host_slot(const std::string& host);

}  // namespace aidcsim::views
