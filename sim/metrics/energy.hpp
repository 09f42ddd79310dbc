#pragma once
// Energy: the power draw of every GPU and server over time, computed by aidcsim itself with exactly
// the model of SimGrid's host energy plugin (most runs are exact timers with no SimGrid activity,
// which the plugin cannot see), and idle servers powered off and booted on demand (docs/energy.md).
// No SimGrid here: the core tells the model when runs start, when their work starts and when they
// end, and when a server's resources change.
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/ledger.hpp"
#include "sim/core/lifecycle.hpp"
#include "sim/policy/metrics.hpp"
#include "sim/policy/monitor.hpp"
#include "sim/policy/workload_model.hpp"

namespace aidcsim {

// Parses a host's `wattage_per_state` and `wattage_off` props as SimGrid 3.32's host energy plugin
// does: pstates separated by ',', one per pstate of the host; each "idle:all_cores" (epsilon =
// idle) or "idle:epsilon:all_cores". aidcsim uses pstate 0. `off` may be empty (0 W). Returns the
// profile, or nullopt with `error` set.
std::optional<HostPower> parse_host_power(const std::string& per_state, const std::string& off, int pstates,
                                          std::string& error);

// Energy as summary.json writes it: to the millijoule (whole joules from 1e12 J on).
double round_energy_j(double j);

// The plugin's power at a load in [0, 1] (used fraction of the host's cores x speed), host on.
double power_at_load(const HostPower& p, double load);

struct PowerOptions {
  double off_after_s = std::numeric_limits<double>::infinity();  // an idle server powers off after this
  double boot_s = 0;  // a powered-off server takes this long to come back when a job is placed on it
};

// What a run computes on one host once its work has started, in FLOP/s (its Exec's rate when alone).
struct HostDemand {
  bool on_gpu = true;
  std::uint32_t index = 0;  // GpuIndex or ServerIndex
  double flops_per_s = 0;
};
// The rates of a plan's steps: each step runs at min(core speed, its bound), as a SimGrid Exec does
// on one core of its host.
std::vector<HostDemand> host_demands(const ActivityPlan& plan, const Cluster& cluster);

// Observes the core's lifecycle events (sim/core/lifecycle.hpp) and keeps servers' power states.
class PowerModel final : public LifecycleObserver, public ServerAvailability, public MetricSource {
 public:
  // Energy is counted from `start_s` (the first submission); every server is on and idle then.
  // `jobs`: how many jobs there are (job indices below it cost no reallocation).
  PowerModel(const Cluster& cluster, PowerOptions options, double start_s);

  // True when some GPU or server has a power profile (otherwise there is no energy to report).
  bool has_power_data() const { return has_power_data_; }
  const PowerOptions& options() const { return options_; }

  // A run of job j starts at `now` on `allocation` (already in the ledger). Servers of it that are
  // powered off start booting now; returns how long the run must wait for its servers (0 when all
  // are on; the rest of a boot under way).
  double run_starting(JobIndex j, const Allocation& allocation, double now);
  // The run's work: `demand` from `work_start_s` on; NaN = not known yet (work_started() tells).
  void plan_work(JobIndex j, std::vector<HostDemand> demand, double work_start_s);
  void work_started(JobIndex j, double now) override;
  void run_ended(JobIndex j, double now);
  // The ledger changed on the servers of `allocation`: each is idle or not (Ledger::server_idle).
  void servers_changed(const Allocation& allocation, const Ledger& ledger, double now) override;

  // LifecycleObserver and ServerAvailability
  void work_planned(JobIndex j, const ActivityPlan& plan, double work_start_s, double now) override {
    advance_to(now);  // what ran before counts up to now, not to the last event
    plan_work(j, host_demands(plan, cluster_), work_start_s);
  }
  // A replica's iteration: its GPUs are loaded from now to the work's end (an empty plan).
  void model_work(JobIndex j, const ActivityPlan& plan, double now) override { work_planned(j, plan, now, now); }
  void run_ended(JobIndex j, RunEnd, double now) override { run_ended(j, now); }
  // An away server (not provisioned, failed) draws its wattage_off, like a powered-off one, but is
  // not counted as powered off; back, it is on and idle.
  void server_availability_changed(ServerIndex s, bool available, double now) override;
  int servers_away() const { return servers_away_; }
  double bring_up(const Allocation& allocation, double now) override { return run_starting(0, allocation, now); }
  void server_maybe_idle(ServerIndex s, bool idle, double now);

  // power_w (labels "" = total, "gpu", "server") and servers_off at `now`.
  void sample(double now, std::vector<Sample>& out);
  // Energy from start_s to end_s: {total, gpu, server, by_gpu_model, servers_powered_off, boots}, in J.
  nlohmann::json summary(double end_s);

  // Totals so far (up to the last event or the last advance_to()), in J; power now, in W.
  void advance_to(double t);
  double energy_total_j() const { return energy_gpu_j_ + energy_server_j_; }
  double energy_gpu_j() const { return energy_gpu_j_; }
  double energy_server_j() const { return energy_server_j_; }
  double power_w() const { return power_gpu_w_ + power_server_w_; }
  // MetricSource: aidcsim_power_watts.
  void collect(double now, const MetricSink& sink) override {
    advance_to(now);
    sink("aidcsim_power_watts", {}, power_w());
  }
  // GPU-seconds of actual work from start_s to t: the integral over time of Σ_GPU load, where a
  // GPU's load is the share of its speed its running works use (min(1, Σ rates / speed)).
  double gpu_busy_s(double t) {
    advance_to(std::max(t, start_s_));
    return gpu_busy_s_;
  }
  int servers_off() const { return servers_off_; }
  long long power_off_events() const { return power_off_events_; }
  long long boots() const { return boots_; }
  bool server_off(ServerIndex s) const { return servers_[s].state == State::off; }

 private:
  enum class State : std::uint8_t { on, off, booting, away };
  struct HostState {
    HostPower profile;
    bool gpu = true;
    int model = -1;        // GPU model index
    double capacity = 0;   // cores x speed, FLOP/s
    double demand = 0;     // sum of the running works' rates
    int works = 0;         // works running on it
    bool off = false;
    double power_w = 0;
    double load = 0;  // share of its speed in use (GPU busy accounting)
  };
  struct ServerState {
    State state = State::on;
    double idle_since = 0;  // NaN when the ledger holds something on it
    double booted_at = 0;   // end of the last boot
    std::uint64_t generation = 0;  // bumped when idleness changes: stale power-off events are ignored
  };
  struct JobWork {
    std::vector<HostDemand> demand;
    std::uint32_t generation = 0;
    bool active = false;
  };
  struct Event {
    double t;
    std::uint64_t sequence;
    bool power_off;  // else a work start
    std::uint32_t index;
    std::uint64_t generation;
    bool operator>(const Event& o) const { return t != o.t ? t > o.t : sequence > o.sequence; }
  };

  std::size_t host_of(bool gpu, std::uint32_t index) const { return gpu ? index : gpus_ + index; }
  void integrate_to(double t);
  void refresh(std::size_t h);  // recomputes a host's power and the totals
  void set_work(JobWork& w, bool active);
  void power_off(ServerIndex s, double t);
  void set_server_hosts_off(ServerIndex s, bool off);  // the server and its GPUs draw wattage_off, or not
  void push(double t, bool power_off, std::uint32_t index, std::uint64_t generation);

  const Cluster& cluster_;
  PowerOptions options_;
  std::size_t gpus_ = 0;
  bool has_power_data_ = false;
  std::vector<HostState> hosts_;  // GPUs, then servers
  std::vector<ServerState> servers_;
  // The jobs whose run has not ended (a table of every job would be most of a million-job run's memory).
  std::unordered_map<JobIndex, JobWork> jobs_;
  JobWork* find_job(JobIndex j) {
    auto it = jobs_.find(j);
    return it == jobs_.end() ? nullptr : &it->second;
  }
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t sequence_ = 0;
  std::uint32_t job_generation_ = 0;
  double start_s_ = 0;
  double last_s_ = 0;
  double power_gpu_w_ = 0, power_server_w_ = 0;
  std::vector<double> power_model_w_;
  double energy_gpu_j_ = 0, energy_server_j_ = 0;
  std::vector<double> energy_model_j_;
  double busy_gpus_ = 0;   // Σ load over GPU hosts now
  double gpu_busy_s_ = 0;  // its integral
  int servers_off_ = 0;
  int servers_away_ = 0;
  long long power_off_events_ = 0;
  long long boots_ = 0;
};

}  // namespace aidcsim
