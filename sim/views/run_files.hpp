#pragma once
// The outputs of a finished run (jobs.csv, migrations.csv, requests.csv, timeseries.csv, summary.json,
// run.json) read back for the views of a run: the trace-event timeline and the HTML report. Strict: a
// missing required column or a value of the wrong type is an input error naming the file, the physical
// line and the column; every problem of a file is collected before throwing.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace aidcsim::views {

struct JobRecord {
  int line = 0;  // physical line in jobs.csv, for messages
  std::string job_id, tenant, state;
  double submit_s = 0;
  std::optional<double> start_s, end_s, queue_delay_s, jct_s;
  int gpus = 0;
  int gpu_milli = 1000;
  std::vector<std::string> hosts;  // GPU host ids (server ids for CPU-only jobs); the last run's
  int preemptions = 0;             // 0 when the column is absent
  double startup_s = 0;            // 0 when the column is absent
  int migrations = 0;              // 0 when the column is absent
};

struct MigrationRecord {
  int line = 0;
  std::string vm, job_id;  // job_id empty when the VM held no job
  bool job_moved = false;
  std::vector<std::string> from_hosts, to_hosts;
  double start_s = 0, paused_s = 0, end_s = 0, bytes = 0;
};

struct RequestRecord {
  std::string service, request_id, replica, state;
  double arrival_s = 0;
  std::optional<double> first_token_s, end_s;
};

struct SeriesSample {
  double time_s = 0;
  std::string metric, label;
  double value = 0;
};

// Each reader throws InputErrors (every problem of the file) when the file is unreadable or malformed.
std::vector<JobRecord> read_jobs_csv(const std::string& path);
std::vector<MigrationRecord> read_migrations_csv(const std::string& path);
std::vector<RequestRecord> read_requests_csv(const std::string& path);
std::vector<SeriesSample> read_timeseries_csv(const std::string& path);
nlohmann::json read_json_object(const std::string& path);

// `dir/name` when that file exists, else nullopt; throws InputErrors when `dir` is not a directory.
std::optional<std::string> run_file(const std::string& dir, const std::string& name);
// `dir/name`, or an InputErrors naming it when it is missing (a run directory always has it).
std::string required_run_file(const std::string& dir, const std::string& name);

// "a;b;c" -> {a, b, c}; empty text -> {}.
std::vector<std::string> split_hosts(const std::string& text);

}  // namespace aidcsim::views
