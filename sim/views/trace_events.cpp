#include "sim/views/trace_events.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "sim/core/csv.hpp"
#include "sim/core/errors.hpp"
#include "sim/core/units.hpp"

namespace aidcsim::views {

namespace {

using nlohmann::json;

// Microseconds of simulated time, rounded to the nanosecond so that 117.4 s prints as 117400000.
double to_us(double seconds) { return std::round(seconds * 1e9) / 1e3; }

struct Flow {
  int id;
  double ts_s;
  bool start;  // "s" (leaves this slice) or "f" (arrives in it)
};

struct Slice {
  double start_s = 0, end_s = 0;
  std::string name, cat;
  json args = json::object();
  double child_s = 0;  // a nested first slice (start-up, time to first token) of this length, or none
  std::string child_name;
  std::vector<Flow> flows;
};

// A row before lane packing: slices that may overlap (shared GPUs, a server's jobs, a replica's batch).
struct Row {
  std::string name;     // thread name of its first lane
  long long sort_key;   // order of the rows inside the process
  std::optional<int> preferred_tid;  // the GPU index for a GPU's first lane
  std::vector<Slice> slices;
};

struct Process {
  std::string name;
  std::map<std::string, Row> rows;  // by row key
};

HostSlot slot_of(const std::string& host) { return host_slot(host); }

std::string describe_args_gpus(const std::vector<std::string>& hosts) { return fmt::format("{}", fmt::join(hosts, ";")); }

json job_args(const JobRecord& j) {
  json a = {{"job_id", j.job_id}, {"tenant", j.tenant}, {"gpus", j.gpus}, {"state", j.state},
            {"hosts", describe_args_gpus(j.hosts)}, {"submit_s", j.submit_s}};
  if (j.gpu_milli != 1000) a["gpu_milli"] = j.gpu_milli;
  if (j.queue_delay_s) a["queue_delay_s"] = *j.queue_delay_s;
  if (j.jct_s) a["jct_s"] = *j.jct_s;
  if (j.startup_s > 0) a["startup_s"] = j.startup_s;
  if (j.preemptions) a["preemptions"] = j.preemptions;
  if (j.migrations) a["migrations"] = j.migrations;
  return a;
}

class TimelineBuilder {
 public:
  TimelineBuilder(const TimelineInput& input, const TraceEventOptions& options) : in_(input), opt_(options) {}

  std::string build() {
    add_jobs();
    add_migrations();
    add_requests();
    return emit();
  }

 private:
  Process& process(const std::string& key, const std::string& name) {
    auto [it, added] = processes_.try_emplace(key);
    if (added) it->second.name = name;
    return it->second;
  }
  Row& row(Process& p, const std::string& key, const std::string& name, long long sort_key,
           std::optional<int> tid = std::nullopt) {
    auto [it, added] = p.rows.try_emplace(key);
    if (added) it->second = Row{name, sort_key, tid, {}};
    return it->second;
  }

  // One job run on a list of hosts from start to end: a slice per GPU (or per server with --by server).
  void place_run(const JobRecord& j, const std::vector<std::string>& hosts, double start_s, double end_s,
                 bool first_run, const std::vector<Flow>& flows_out, const std::vector<Flow>& flows_in) {
    Slice s;
    s.start_s = start_s;
    s.end_s = end_s;
    s.name = j.job_id;
    s.cat = "job";
    s.args = job_args(j);
    if (first_run && j.startup_s > 0) {
      s.child_s = std::min(j.startup_s, end_s - start_s);
      s.child_name = "start-up";
    }
    if (opt_.rows == TimelineRows::gpu) {
      bool first_host = true;
      for (const auto& h : hosts) {
        HostSlot slot = slot_of(h);
        Process& p = process("0 " + slot.server, slot.server);
        Slice copy = s;
        if (first_host) {  // the migration arrows join the jobs' first GPUs
          copy.flows = flows_out;
          copy.flows.insert(copy.flows.end(), flows_in.begin(), flows_in.end());
        }
        first_host = false;
        if (slot.gpu)
          row(p, fmt::format("gpu {:09d}", *slot.gpu), fmt::format("GPU {}", *slot.gpu), *slot.gpu, *slot.gpu)
              .slices.push_back(std::move(copy));
        else
          row(p, "cpu", "CPU-only jobs", 1'000'000'000).slices.push_back(std::move(copy));
      }
      return;
    }
    std::map<std::string, std::vector<std::string>> by_server;
    for (const auto& h : hosts) by_server[slot_of(h).server].push_back(h);
    bool first_server = true;
    for (const auto& [server, on_server] : by_server) {
      Slice copy = s;
      copy.args["hosts_here"] = describe_args_gpus(on_server);
      if (first_server) {
        copy.flows = flows_out;
        copy.flows.insert(copy.flows.end(), flows_in.begin(), flows_in.end());
      }
      first_server = false;
      row(process("0 " + server, server), "jobs", "jobs", 0).slices.push_back(std::move(copy));
    }
  }

  void add_jobs() {
    std::map<std::string, std::vector<const MigrationRecord*>> moves;
    for (const auto& m : in_.migrations)
      if (m.job_moved && !m.job_id.empty()) moves[m.job_id].push_back(&m);
    for (auto& [id, list] : moves)
      std::stable_sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->end_s < b->end_s; });
    for (const auto& j : in_.jobs) {
      if (!j.start_s) {
        ++never_started_;
        continue;
      }
      double end_s = j.end_s.value_or(std::max(in_.end_s, *j.start_s));
      if (!j.end_s) ++running_at_end_;
      if (j.preemptions > 0) {
        // jobs.csv keeps only the first start, the last end and the last run's hosts: the runs in
        // between are not known, so the job's whole span goes to a row of its own.
        Slice s{*j.start_s, end_s, j.job_id, "preempted job", job_args(j), 0, "", {}};
        row(process("2 preempted", "preempted jobs (first start to last end; runs not recorded)"), "jobs", "jobs", 0)
            .slices.push_back(std::move(s));
        continue;
      }
      auto it = moves.find(j.job_id);
      if (it == moves.end()) {
        place_run(j, j.hosts, *j.start_s, end_s, true, {}, {});
        continue;
      }
      // A live-migrated VM: the job ran on each move's from_hosts until its switch-over (end_s).
      double run_start = *j.start_s;
      std::vector<Flow> in_flows;
      for (std::size_t k = 0; k < it->second.size(); ++k) {
        const MigrationRecord& m = *it->second[k];
        double switch_s = std::clamp(m.end_s, run_start, end_s);
        int flow = ++flow_ids_;
        place_run(j, m.from_hosts, run_start, switch_s, k == 0, {{flow, std::max(m.start_s, run_start), true}},
                  in_flows);
        in_flows = {{flow, switch_s, false}};
        run_start = switch_s;
      }
      place_run(j, j.hosts, run_start, end_s, false, {}, in_flows);
    }
  }

  void add_migrations() {
    for (const auto& m : in_.migrations) {
      json a = {{"vm", m.vm}, {"from_hosts", describe_args_gpus(m.from_hosts)},
                {"to_hosts", describe_args_gpus(m.to_hosts)}, {"paused_s", m.paused_s}, {"bytes", m.bytes}};
      if (!m.job_id.empty()) a["job_id"] = m.job_id;
      Slice s{m.start_s, m.end_s, fmt::format("migrate VM {}", m.vm), "migration", a, 0, "", {}};
      row(process("1 migrations", "VM live migrations"), "all", "migrations", 0).slices.push_back(std::move(s));
    }
  }

  void add_requests() {
    std::size_t finished = 0;
    for (const auto& r : in_.requests)
      if (r.end_s) ++finished;
    std::size_t stride = 1;
    if (opt_.max_requests > 0 && finished > opt_.max_requests)
      stride = (finished + opt_.max_requests - 1) / opt_.max_requests;
    std::size_t seen = 0;
    for (const auto& r : in_.requests) {
      if (!r.end_s) {
        ++requests_unfinished_;
        continue;
      }
      if (seen++ % stride != 0) continue;
      ++requests_shown_;
      json a = {{"service", r.service}, {"request_id", r.request_id}, {"replica", r.replica}, {"state", r.state},
                {"arrival_s", r.arrival_s}, {"e2e_s", *r.end_s - r.arrival_s}};
      Slice s{r.arrival_s, *r.end_s, fmt::format("request {}", r.request_id), "request", a, 0, "", {}};
      if (r.first_token_s && *r.first_token_s >= r.arrival_s && *r.first_token_s <= *r.end_s) {
        s.args["ttft_s"] = *r.first_token_s - r.arrival_s;
        s.child_s = *r.first_token_s - r.arrival_s;
        s.child_name = "to first token";
      }
      auto replica = parse_integer(r.replica);
      Process& p = process("3 service " + r.service, fmt::format("service {} (requests)", r.service));
      row(p, fmt::format("{:012d} {}", replica.value_or(0), r.replica),
          r.replica.empty() ? "not served" : fmt::format("replica {}", r.replica), replica.value_or(-1))
          .slices.push_back(std::move(s));
    }
    requests_sampled_ = stride > 1;
    request_stride_ = stride;
  }

  static json metadata(const char* name, int pid, std::optional<int> tid, json args) {
    json e = {{"ph", "M"}, {"name", name}, {"pid", pid}, {"args", std::move(args)}};
    if (tid) e["tid"] = *tid;
    return e;
  }

  std::string emit() {
    std::vector<std::string> events;
    auto add = [&](const json& e) { events.push_back(e.dump()); };
    // pids from 1,000,001: never 0 (Perfetto treats pid 0 as the kernel's) and never equal to a tid
    // (a thread whose tid is its pid would be taken for the process's main thread).
    int pid = 1'000'000;
    for (auto& [key, p] : processes_) {
      ++pid;
      add(metadata("process_name", pid, std::nullopt, {{"name", p.name}}));
      add(metadata("process_sort_index", pid, std::nullopt, {{"sort_index", pid}}));
      // Rows in order; a GPU's first lane keeps the GPU index as its tid, every other lane a tid above.
      std::vector<Row*> rows;
      int next_free_tid = 0;
      for (auto& [rk, r] : p.rows) {
        rows.push_back(&r);
        if (r.preferred_tid) next_free_tid = std::max(next_free_tid, *r.preferred_tid + 1);
      }
      std::stable_sort(rows.begin(), rows.end(), [](Row* a, Row* b) { return a->sort_key < b->sort_key; });
      int sort_index = 0;
      for (Row* r : rows) {
        std::stable_sort(r->slices.begin(), r->slices.end(), [](const Slice& a, const Slice& b) {
          return a.start_s != b.start_s ? a.start_s < b.start_s : a.end_s > b.end_s;
        });
        std::vector<double> lane_end;  // greedy interval partitioning: fewest lanes, deterministic
        std::vector<int> lane_of(r->slices.size());
        for (std::size_t i = 0; i < r->slices.size(); ++i) {
          double s0 = to_us(r->slices[i].start_s);
          std::size_t lane = 0;
          while (lane < lane_end.size() && lane_end[lane] > s0) ++lane;
          if (lane == lane_end.size()) lane_end.push_back(0);
          lane_end[lane] = to_us(r->slices[i].end_s);
          lane_of[i] = static_cast<int>(lane);
        }
        if (lane_end.empty()) lane_end.push_back(0);
        std::vector<int> tids(lane_end.size());
        for (std::size_t lane = 0; lane < lane_end.size(); ++lane) {
          tids[lane] = lane == 0 && r->preferred_tid ? *r->preferred_tid : next_free_tid++;
          std::string name = lane == 0 ? r->name : fmt::format("{} ({})", r->name, lane + 1);
          add(metadata("thread_name", pid, tids[lane], {{"name", name}}));
          add(metadata("thread_sort_index", pid, tids[lane], {{"sort_index", sort_index++}}));
        }
        for (std::size_t i = 0; i < r->slices.size(); ++i) emit_slice(r->slices[i], pid, tids[lane_of[i]], add);
      }
    }
    json other = {{"generator", "aidcsim export trace-events"},
                  {"time", "ts and dur are microseconds of simulated time since the run's time zero"},
                  {"rows", opt_.rows == TimelineRows::gpu ? "one process per server, one thread per GPU"
                                                          : "one process per server, one thread per job slot"},
                  {"jobs_never_started", never_started_},
                  {"jobs_running_at_end", running_at_end_},
                  {"requests_shown", requests_shown_},
                  {"requests_unfinished_left_out", requests_unfinished_}};
    if (requests_sampled_)
      other["requests_sampled"] = fmt::format("every {}th finished request of requests.csv (more than {})",
                                              request_stride_, opt_.max_requests);
    std::string out = "{\"traceEvents\":[\n";
    for (std::size_t i = 0; i < events.size(); ++i) {
      out += events[i];
      out += i + 1 < events.size() ? ",\n" : "\n";
    }
    out += "],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":" + other.dump() + "}\n";
    return out;
  }

  template <class Add>
  void emit_slice(const Slice& s, int pid, int tid, Add& add) {
    double ts = to_us(s.start_s), end = to_us(s.end_s);
    add(json{{"ph", "X"}, {"name", s.name}, {"cat", s.cat}, {"pid", pid}, {"tid", tid}, {"ts", ts},
             {"dur", end - ts}, {"args", s.args}});
    if (s.child_s > 0)
      add(json{{"ph", "X"}, {"name", s.child_name}, {"cat", s.cat + " phase"}, {"pid", pid}, {"tid", tid},
               {"ts", ts}, {"dur", std::min(to_us(s.start_s + s.child_s), end) - ts}, {"args", json::object()}});
    for (const auto& f : s.flows) {
      json e = {{"ph", f.start ? "s" : "f"}, {"name", "migration"}, {"cat", "migration"}, {"id", f.id},
                {"pid", pid}, {"tid", tid}, {"ts", to_us(f.ts_s)}};
      if (!f.start) e["bp"] = "e";
      add(e);
    }
  }

  const TimelineInput& in_;
  const TraceEventOptions& opt_;
  std::map<std::string, Process> processes_;  // key orders them: servers, migrations, preempted, services
  int flow_ids_ = 0;
  long long never_started_ = 0, running_at_end_ = 0;
  std::size_t requests_shown_ = 0, requests_unfinished_ = 0, request_stride_ = 1;
  bool requests_sampled_ = false;
};

}  // namespace

HostSlot host_slot(const std::string& host) {
  auto pos = host.rfind("-gpu-");
  if (pos != std::string::npos && pos > 0) {
    auto index = parse_integer(std::string_view(host).substr(pos + 5));
    if (index && *index >= 0 && *index < 1'000'000) return {host.substr(0, pos), static_cast<int>(*index)};
  }
  return {host, std::nullopt};
}

TimelineInput read_timeline_input(const std::string& run_dir) {
  TimelineInput in;
  in.jobs = read_jobs_csv(required_run_file(run_dir, "jobs.csv"));
  if (auto path = run_file(run_dir, "migrations.csv")) in.migrations = read_migrations_csv(*path);
  if (auto path = run_file(run_dir, "requests.csv")) in.requests = read_requests_csv(*path);
  // Jobs still running at the end stop at the horizon when one cut the run (it is why they did not end),
  // else at the last start or end seen.
  for (const auto& j : in.jobs) in.end_s = std::max({in.end_s, j.start_s.value_or(0), j.end_s.value_or(0)});
  if (auto path = run_file(run_dir, "run.json")) {
    nlohmann::json run = read_json_object(*path);
    const auto* horizon = run.contains("scenario") && run["scenario"].is_object() && run["scenario"].contains("horizon_s")
                              ? &run["scenario"]["horizon_s"]
                              : nullptr;
    if (horizon && horizon->is_number()) in.end_s = horizon->get<double>();
  }
  return in;
}

std::string trace_events_json(const TimelineInput& input, const TraceEventOptions& options) {
  return TimelineBuilder(input, options).build();
}

}  // namespace aidcsim::views
