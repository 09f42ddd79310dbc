#pragma once
// The simulation core: job table, queue, ledger and policies. It owns what happens at an instant;
// the engine (engine.cpp, the only SimGrid code) owns time and tells the core when things happen.
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/events.hpp"
#include "sim/core/ledger.hpp"
#include "sim/core/lifecycle.hpp"
#include "sim/policy/gpu_sharing.hpp"
#include "sim/policy/monitor.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/quota.hpp"
#include "sim/policy/runtime.hpp"
#include "sim/policy/scheduler.hpp"
#include "sim/policy/workload_model.hpp"
#include "sim/core/request.hpp"
#include "sim/core/text_table.hpp"

namespace aidcsim {

// A job's record, kept for every job of the trace until the outputs are written. Fields are grouped
// by size so that the million-job replay's per-job memory stays small (docs/performance.md): what
// only a job still in the system needs is in its LiveRun instead.
struct JobRun {
  double start_s = kNoTime;  // first start
  double end_s = kNoTime;
  // Preemption bookkeeping.
  double run_s = 0;              // time spent running, all runs
  double done_fraction = 0;      // share of the work done before the current run
  double restart_penalty_s = 0;  // paid at the next start
  double attained_gpu_s = 0;     // service of finished runs
  // GPU sharing: time the runs would take with the requested share alone (jobs.csv slowdown_sharing).
  double alone_s = 0;            // of ended runs
  // Runtimes: time between a run's start and its work's start (image pulls, boots), all runs.
  double startup_s = 0;
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;
  std::uint32_t live = kNoSlot;  // its LiveRun (Core::live_run) from arrival until it ends
  std::uint32_t final_hosts = kNoSlot;  // where it ended, in Core::final_hosts(); none without resources
  TenantIndex tenant = 0;
  std::uint32_t reason = 0;      // why rejected or unfinished: Core::reason(j); 0 = none
  int preemptions = 0;
  // Live migration of the job's VM (consolidation): the run goes on, in segments.
  int migrations = 0;            // of its VM while it ran
  std::uint32_t epoch = 0;       // bumped at each preemption or segment: stale completions are ignored
  std::uint32_t running_slot = 0;  // position in the running list
  JobState state = JobState::pending;
  bool awaiting_quota = false;   // pending but not admitted by the quota policy: not the scheduler's
  bool held = false;             // pending, held by its model (JobSpec::held, Core::park): not the scheduler's
};

// What only a job in the system (arrived and not ended) needs: its request and its current run's
// accounting. The core keeps these in a table of slots that jobs reuse once they end, so a trace of
// a million jobs holds as many as are in the system at once.
struct LiveRun {
  Request request;
  Allocation allocation;           // of the current run; empty while pending
  double run_started_s = kNoTime;
  double run_delay_s = 0;          // delay before work in the current run
  double run_work_s = 0;           // work time of the current run at full speed
  double run_alone_work_s = 0;     // work time of the current run with its requested share alone
  double run_startup_s = kNoTime;  // start-up of the current run; NaN until known (pulls still under way)
  double paused_delay_s = 0;       // delay before work that was left when it paused
  double unit_share = 0;           // one of the model's work units as a share of the job (ActivityPlan::work_units)
  bool run_on_timer = false;       // the current run's end is known exactly
  bool paused = false;             // in a migration's stop-and-copy: no work runs
};

struct Policies {
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<PlacementPolicy> placement;
  std::unique_ptr<WorkloadModel> workload_model;
  std::unique_ptr<Monitor> monitor;
  std::unique_ptr<GpuSharing> gpu_sharing;  // null = exclusive
  std::unique_ptr<Runtime> runtime;         // null = bare metal
  std::unique_ptr<QuotaPolicy> quota;       // null = none: every job is admitted on arrival
};

// How a started job's activities are run; implemented by the engine. Runs whose end is known are
// not the executor's: the core keeps them in its event queue (sim/core/events.hpp).
class Executor {
 public:
  virtual ~Executor() = default;
  // Something may be shared: SimGrid runs the activities and reports the end. With image pulls,
  // they run first (as SimGrid communications) and the engine reports the work's start with
  // Core::work_started(); when `isolated_work_s` >= 0 the work then shares nothing and takes exactly
  // that long (no SimGrid execution is needed).
  virtual void run_activities(JobIndex j, std::uint32_t epoch, const ActivityPlan& plan,
                              const std::vector<ImagePull>& pulls = {}, double isolated_work_s = -1) = 0;
  // Stops the activities of j; returns the share of the plan's work they completed.
  virtual double stop_activities(JobIndex j) = 0;
  // Live migration `id` of a VM between two servers (sim/policy/runtime.hpp): the engine reports
  // the end of pre-copy with Core::migration_paused() and the end with Core::migration_done().
  virtual void migrate(std::size_t /*id*/, ServerIndex /*from*/, ServerIndex /*to*/, const MigrationTransfer&) {}
  // `bytes` from one server to another as a SimGrid communication (a disaggregated request's KV
  // cache); when it ends, the model event (handler, payload) is due then.
  virtual void transfer(ServerIndex from, ServerIndex to, double bytes, EventHandler* handler, std::uint64_t payload) = 0;
  // A model's work within a run (Core::run_model_work): `plan`'s executions start now, SimGrid
  // shares their hosts with whatever else runs there, and when the last one ends the model event
  // (handler, payload) is due then. Returns a handle for cancel_execution().
  virtual std::uint64_t execute(const ActivityPlan& plan, EventHandler* handler, std::uint64_t payload) = 0;
  // Stops the executions of `handle` (their run ended); their event never comes.
  virtual void cancel_execution(std::uint64_t handle) = 0;
};

struct CoreOptions {
  bool exclusive_gpus = true;       // gpu_sharing == exclusive
  bool always_activities = false;   // engine.activities == "always"
  std::vector<LifecycleObserver*> observers;      // told of every lifecycle event, in this order
  ServerAvailability* availability = nullptr;     // servers that power off (sim/metrics/energy.hpp); null = always on
  std::vector<StartupContributor*> startup_contributors;  // add to a run's start-up, in this order
};

class Core final : private SchedulingContext, private QuotaContext, private EventHandler {
 public:
  Core(const Cluster& cluster, std::vector<JobSpec> jobs, Policies policies, CoreOptions options);

  void set_executor(Executor* executor) { executor_ = executor; }
  // Time of the next submission, or +inf.
  double next_arrival_s() const;
  // The core's future events (sim/core/events.hpp): the engine asks when the next one is due and
  // hands the due ones over with handle_due_events().
  EventQueue& event_queue() { return event_queue_; }
  // Models' transfers between servers (Executor::transfer): the event (handler, payload) is due at
  // the transfer's end, as SimGrid tells.
  void transfer(ServerIndex from, ServerIndex to, double bytes, EventHandler* handler, std::uint64_t payload) {
    executor_->transfer(from, to, bytes, handler, payload);
  }
  // Work of the running job j that its model runs (JobSpec::work_by_model: an inference replica's
  // iteration): `alone_s` on each of the job's GPUs at its compute share with nothing else there.
  // The GPU sharing mode and the runtime adjust it as they adjust a run's work; it is SimGrid
  // executions on the GPU hosts when anything may be shared (so co-runners slow it and it slows
  // them), else an exact timer. The model event (handler, payload) is due at its end; observers
  // see its start and end (LifecycleObserver::model_work).
  // `phases` gives the step phases of its own (ActivityPlan without executions or delay): compute_parts
  // split each GPU's alone_s among computations (one share per GPU of the job, in its allocation's
  // order), comm_rounds are transfers between hosts, repeats and `phases` as in a run's plan. Such a
  // step always runs in SimGrid, phase by phase (sim/engine/plan_runner.cpp).
  void run_model_work(JobIndex j, double alone_s, EventHandler* handler, std::uint64_t payload, ActivityPlan phases = {});
  void handle_due_events(double now);
  void admit_arrivals(double now);
  // Ignored when `epoch` is stale (the run it belongs to was preempted).
  void finish(JobIndex j, std::uint32_t epoch, double now);
  void schedule(double now);
  // The work of run (j, epoch) starts at `now` (its image pulls and start-up delay are over).
  void work_started(JobIndex j, std::uint32_t epoch, double now);
  // The same, for work that shares nothing (isolated_work_s >= 0): its end becomes a timer of the core's
  // queue and the engine lets go of the run.
  void work_started_isolated(JobIndex j, std::uint32_t epoch, double now, double work_s);
  void sample(double now, std::vector<Sample>& out);
  // A live migration's pre-copy ended (its VM pauses), and the migration ended (`bytes` sent).
  // migration_paused() returns whether a job is paused in the VM (its state is copied too).
  bool migration_paused(std::size_t id, double now);
  void migration_done(std::size_t id, double now, double bytes);
  // The cluster changes: server s is withdrawn (its runs are preempted and requeue; placement passes
  // it over) or provisioned again (the node autoscaler). It is available when provisioned and not failed.
  void set_server_available(ServerIndex s, bool available, double now);
  // Server s fails at `now` (the failures concern): its running jobs are preempted, each to restart
  // after `restart_cost_s` from its last checkpoint, and it is away until repair_server(s).
  // Returns the jobs hit with the work each lost (seconds alone on its resources). None when s is away.
  std::vector<std::pair<JobIndex, double>> fail_server(ServerIndex s, double now, double restart_cost_s);
  void repair_server(ServerIndex s, double now);
  // The model of job j lets it go (JobSpec::held, or after park()): from `now` it is pending like an
  // arriving job (the quota policy's, or in the scheduler's queue).
  void release(JobIndex j, double now);
  // The model takes job j back: a run is stopped as a preemption (it ran in pieces) and the job waits,
  // held, until release(); a queued job leaves the queue. Not for a job waiting for quota admission.
  void park(JobIndex j, double now);
  bool is_held(JobIndex j) const { return runs_[j].held; }
  // A held job that ran before and will not be released again ends as completed at `end_s` (when its
  // last run stopped): a replica the autoscaler removed, once its service is over.
  void complete_held(JobIndex j, double end_s);
  // Ends the running job j now, as completed (a concern decides it is done: an inference replica whose
  // service has no more requests). Its remaining work is dropped.
  void complete_now(JobIndex j, double now);
  // Marks everything still pending or running as unfinished at `now` (end of run or horizon).
  void close(double now, const std::string& reason);

  bool all_arrived() const { return next_arrival_ == jobs_.size(); }
  // For a controller that simulates placement (the Cluster Autoscaler): the scheduler's pending jobs,
  // and where the placement policy would put a request on a what-if ledger (none: nowhere).
  const std::vector<JobIndex>& pending_jobs() const { return queue_; }
  std::uint64_t pending_reshuffle_count() const { return pending_reshuffles_; }
  std::optional<Allocation> simulate_placement(const Request& r, const Ledger& ledger) { return place(r, ledger); }
  std::size_t running_count() const { return running_list_.size(); }
  std::size_t queued_count() const { return queue_.size(); }
  const std::vector<JobSpec>& jobs() const { return jobs_; }
  const std::vector<JobRun>& runs() const { return runs_; }
  // Job j's request and current run while it is in the system (arrived and not ended); null otherwise.
  const LiveRun* live_run(JobIndex j) const { return runs_[j].live == JobRun::kNoSlot ? nullptr : &live_[runs_[j].live]; }
  // Its request while it is in the system; a logic error otherwise (an ended job has none).
  const Request& request(JobIndex j) const;
  // What its current run holds; empty when it is not running.
  const Allocation& allocation(JobIndex j) const {
    const LiveRun* lv = live_run(j);
    return lv ? lv->allocation : no_allocation_;
  }
  // What an ended job held when it ended (jobs.csv hosts, gpu_milli_held): its GPUs, or its servers
  // when it held no GPU, and what it took on its first GPU; nothing when it ended holding nothing.
  struct FinalHosts {
    bool servers = false;   // ids are ServerIndex, else GpuIndex
    int first_gpu_milli = -1;
    const std::uint32_t* ids = nullptr;
    std::size_t count = 0;
  };
  FinalHosts final_hosts(JobIndex j) const;
  // Why job j was rejected or left unfinished ("" when neither).
  const std::string& reason(JobIndex j) const { return reasons_.text(runs_[j].reason); }
  const std::vector<std::string>& tenants() const { return tenant_names_; }
  const std::vector<double>& tenant_allocated_gpus() const { return tenant_allocated_gpus_; }
  const Cluster& cluster() const override { return cluster_; }
  const Ledger& ledger() const override { return ledger_; }
  QuotaPolicy* quota() const { return policies_.quota.get(); }
  const WorkloadModel& workload_model() const { return *policies_.workload_model; }

  // Time-weighted allocation: integral of allocated GPUs over time, in GPU-seconds.
  double allocated_gpu_seconds() const { return allocated_gpu_seconds_; }
  // The same integral per GPU model (index into Cluster::gpu_models).
  const std::vector<double>& allocated_gpu_seconds_by_model() const { return allocated_gpu_seconds_by_model_; }
  double first_submit_s() const { return jobs_.empty() ? 0 : jobs_.front().submit_s; }
  double last_completion_s() const { return last_completion_s_; }
  long long events() const { return events_; }

 private:
  // SchedulingContext
  double now() const override { return now_; }
  const std::vector<JobIndex>& pending() const override { return queue_; }
  std::uint64_t pending_reshuffles() const override { return pending_reshuffles_; }
  bool is_pending(JobIndex j) const override {
    return runs_[j].state == JobState::pending && !runs_[j].awaiting_quota && !runs_[j].held;
  }
  const std::vector<JobIndex>& running() const override { return running_list_; }
  const JobSpec& spec(JobIndex j) const override { return jobs_[j]; }
  JobStatus status(JobIndex j) const override;
  bool try_start(JobIndex j) override;
  bool would_fit(const Request& r, const Ledger& ledger) override;
  std::optional<Allocation> propose(const Request& r, const Ledger& ledger) override;
  void preempt(JobIndex j, double restart_cost_s) override;
  void wake_at(double t_s) override {
    if (t_s > now_) event_queue_.wake_at(t_s);
  }
  void at(double t_s, EventHandler* handler, std::uint64_t payload, bool keeps_alive) override {
    event_queue_.at(std::max(t_s, now_), handler, payload, keeps_alive);
  }
  // QuotaContext (core_quota.cpp)
  const Request& request_of(JobIndex j) const override { return request(j); }
  bool exclusive_gpus() const override { return options_.exclusive_gpus; }
  bool is_running(JobIndex j) const override { return runs_[j].state == JobState::running; }
  bool has_started(JobIndex j) const override { return !std::isnan(runs_[j].start_s); }
  void admit(JobIndex j, const std::vector<char>* servers) override;
  void evict(JobIndex j, double restart_cost_s) override;
  void reject(JobIndex j, const std::string& reason) override;
  void at(double t_s, EventHandler* handler, std::uint64_t payload) override {
    event_queue_.at(std::max(t_s, now_), handler, payload, true);
  }
  // The view a placement policy sees for r: the ledger, or a copy where the servers r may not use
  // (Request::servers_allowed, a quota flavor's) are away.
  ClusterView view_for(const Request& r, const Ledger& ledger);
  std::optional<Allocation> place(const Request& r, const Ledger& ledger) {
    return policies_.placement->place(r, view_for(r, ledger));
  }
  std::optional<Ledger> masked_ledger_;
  double last_lost_work_s_ = 0;  // what the last stop_run() lost since the job's last checkpoint

  void mark_completed(JobIndex j, double now);  // the run ends, the job is completed
  void end_run(JobIndex j, RunEnd how);  // frees resources and closes the current run's accounting
  // The plan of the rest of j's work (1 - done_fraction) on its allocation, with the runtime's overheads.
  ActivityPlan rest_plan(JobIndex j) const;
  // The sharing mode's slowdown from the other jobs on each GPU (`counted_self`: 1 when j is counted there).
  void adjust_for_co_runners(JobIndex j, ActivityPlan& plan, int counted_self);
  double plan_work_time_s(JobIndex j, const ActivityPlan& p, double left) const;
  bool plan_is_isolated(const ActivityPlan& plan) const;
  // Whether run j's end is known exactly (its plan shares nothing, or its model ends it).
  bool run_isolated(JobIndex j, const ActivityPlan& plan) const {
    return jobs_[j].work_by_model || plan_is_isolated(plan);
  }
  // Model work under way (run_model_work): the model's event is passed on at its end (on_event).
  struct ModelWork {
    JobIndex job = 0;
    std::uint32_t epoch = 0;
    EventHandler* handler = nullptr;
    std::uint64_t payload = 0;
    std::optional<std::uint64_t> execution;  // SimGrid's (Executor::execute); none: a timer
  };
  void on_event(std::uint64_t slot, double now) override;  // a model work's end
  void cancel_model_work(JobIndex j);                       // its run ends
  std::vector<ModelWork> model_work_;
  std::vector<std::uint32_t> free_model_work_;
  // Live migration (core_migration.cpp): the runtime's consolidation orders, and the running job's
  // work cut into segments (stopped, then relaunched on its allocation, maybe slowed or paused).
  void start_migrations();
  double stop_segment(JobIndex j);  // returns the delay before work that was still to come
  void relaunch(JobIndex j, double delay_s, double stretch);
  void pause(JobIndex j);
  void remove_from_running(JobIndex j);
  // A pending job joins the scheduler's queue (in index order) or goes to the quota policy.
  void enqueue(JobIndex j);
  void insert_pending(JobIndex j);  // into the scheduler's queue, in index order
  // Stops j's current run as a preemption: its progress, the run's accounting, a new epoch.
  // `crash`: the run failed (Core::fail_server) and saved nothing since its last checkpoint.
  void stop_run(JobIndex j, double restart_cost_s, bool crash = false);
  template <class Event>
  void publish(Event&& event) {
    for (LifecycleObserver* o : options_.observers) event(*o);
  }

  void advance_to(double now);  // accumulates the allocation integral

  const Cluster& cluster_;
  std::vector<JobSpec> jobs_;
  std::vector<JobRun> runs_;
  // LiveRun slots: a deque, so that a slot's address holds while others are added (a scheduler keeps
  // JobStatus::request for a pass). A job's slot is taken at its arrival; when it ends the slot is
  // freed from the next instant on (concerns told of the end at that instant may still read it).
  std::deque<LiveRun> live_;
  std::vector<std::uint32_t> free_live_, ended_live_;
  void take_live(JobIndex j);  // a slot for the arriving job j, with its request
  void end_live(JobIndex j);   // j ended (completed, rejected, unfinished): what it held goes to final_hosts_
  // Per ended job that held something (JobRun::final_hosts): count | servers flag << 31, first GPU's
  // milli, then the ids. A few words per job instead of an Allocation (docs/performance.md).
  std::vector<std::uint32_t> final_hosts_;
  Allocation no_allocation_;
  LiveRun& live(JobIndex j) { return live_[runs_[j].live]; }
  const LiveRun& live(JobIndex j) const { return live_[runs_[j].live]; }
  Policies policies_;
  CoreOptions options_;
  Ledger ledger_;
  TextTable reasons_;  // JobRun::reason
  // Why a server is away: withdrawn (set_server_available) and/or failed; empty until either happens.
  std::vector<std::uint8_t> withdrawn_, failed_;
  void apply_availability(ServerIndex s, double now);
  Executor* executor_ = nullptr;
  EventQueue event_queue_;

  std::vector<std::string> tenant_names_;
  std::vector<double> tenant_allocated_gpus_;
  std::vector<int> jobs_on_gpu_;  // running jobs per GPU (co-runners for GPU sharing)
  std::vector<JobIndex> queue_;
  std::vector<JobIndex> requeued_;      // preempted during a pass; merged into queue_ after it
  std::vector<JobIndex> running_list_;
  std::vector<JobIndex> started_in_pass_list_;  // joins running_list_ when the pass ends
  bool in_pass_ = false;
  std::uint64_t pending_reshuffles_ = 0;
  JobIndex next_unseen_in_queue_ = 0;  // one more than the largest index ever queued
  bool preempted_in_pass_ = false;
  std::unordered_map<std::string, std::string> never_fits_cache_;  // shape -> reason ("" = fits)
  std::size_t next_arrival_ = 0;
  bool started_in_pass_ = false;
  double now_ = 0;
  double last_change_s_ = 0;
  double allocated_gpu_seconds_ = 0;
  std::vector<double> allocated_gpu_seconds_by_model_;
  double last_completion_s_ = kNoTime;
  long long events_ = 0;
  struct MigrationRecord {
    VmMigration order;
    double started_s = 0;
    double paused_s = 0;
    std::optional<JobIndex> job;
  };
  std::map<std::size_t, MigrationRecord> migrations_;  // under way, by id
  std::size_t next_migration_id_ = 0;
};

}  // namespace aidcsim
