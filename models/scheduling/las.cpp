// LAS: Tiresias' discretized two-dimensional least-attained-service scheduler (Gu et al.,
// "Tiresias: A GPU Cluster Manager for Distributed Deep Learning", NSDI 2019, §4.2; defaults from
// the authors' simulator, github.com/SymbioticLab/Tiresias, simulator/jobs.py and run_sim.py).
//
// A job's attained service is its GPU-seconds so far (GPUs held x time run, all runs: the "2D" of
// 2D-LAS). K = len(thresholds_gpu_s) + 1 priority queues: a job is in queue q when it has attained
// at least thresholds_gpu_s[q-1] and less than thresholds_gpu_s[q]; new jobs start in queue 0 (the
// highest priority). Within a queue, jobs go in arrival order. Each pass visits the pending jobs
// queue by queue; one that fits starts; one that does not may preempt running jobs of strictly
// lower-priority queues, taken from the lowest queue and, within a queue, latest-arrived first,
// until it fits (then any victim it can do without is spared). A job never preempts one of its own
// or a higher queue, so there is no preemption thrash. A job that cannot start is skipped, and later
// (lower-priority) jobs may use what is left. Preempted jobs keep their progress and pay
// `restart_cost_s` when they next start.
//
// Starvation (Tiresias' PROMOTE knob, here an absolute limit): a pending job that has waited at
// least `starvation_s` since it last became pending (arrival or preemption) is promoted to queue 0
// and, as in Tiresias, its service for queue purposes restarts from zero (progress is kept).
//
// Timing: as in Tiresias' simulator, a pass runs at the exact instant a running job crosses a
// threshold and a pending job reaches the starvation limit (the policy asks the core for a wake-up
// at each such time), besides every arrival, completion and monitoring sample.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

constexpr double kServiceTolerance_gpu_s = 1e-6;
constexpr double kTimeTolerance_s = 1e-9;
constexpr double kNever = -std::numeric_limits<double>::infinity();

class Las final : public Scheduler {
 public:
  Las(std::vector<double> thresholds_gpu_s, double restart_cost_s, double starvation_s)
      : thresholds_(std::move(thresholds_gpu_s)), restart_cost_s_(restart_cost_s), starvation_s_(starvation_s),
        queued_(thresholds_.size() + 1) {}

  void schedule(SchedulingContext& ctx) override {
    const double now = ctx.now();
    sync_queues(ctx);
    if (std::isfinite(starvation_s_)) promote_starved(ctx, now);
    levels_known_ = false;  // running jobs' queues: computed when a preemption is first considered
    memo_.new_pass(ctx);
    hopeless_.clear();
    victims_built_ = false;
    started_.clear();
    victims_.clear();
    for (int q = 0; q < static_cast<int>(queued_.size()); ++q) {
      if (queued_[q].empty()) continue;
      // A queue can preempt only when something runs in a lower one. If it cannot, and no
      // pending job could fit in the free GPU capacity, none of its jobs can start.
      bool can_preempt = false;
      auto may_preempt = [&]() {
        if (!levels_known_) compute_running_levels(ctx, now);
        can_preempt = q < max_running_queue_;
        return can_preempt;
      };
      if (memo_.nothing_fits(ctx) && !may_preempt()) continue;
      bool asked = false;
      for (JobIndex j : queued_[q]) {
        if (!memo_.known_unfit(ctx, j)) {
          if (start(ctx, j, now)) continue;
          memo_.mark_unfit(ctx, j);
        }
        if (!asked) asked = true, may_preempt();
        if (can_preempt) {
          start_by_preempting(ctx, j, q, now);
        } else if (memo_.nothing_fits(ctx)) {
          break;
        }
      }
    }
    for (JobIndex j : started_) dequeue(j);
    for (JobIndex v : victims_) enqueue(ctx, v, now);
  }

 private:
  int queue_of_service(double service_gpu_s) const {
    return static_cast<int>(std::upper_bound(thresholds_.begin(), thresholds_.end(), service_gpu_s + kServiceTolerance_gpu_s) -
                            thresholds_.begin());
  }

  void grow(JobIndex j) {
    if (j >= offset_gpu_s_.size()) {
      std::size_t n = j + 1;
      offset_gpu_s_.resize(n, 0);
      pending_since_s_.resize(n, kNever);
      queue_.resize(n, -1);
      run_.resize(n);
    }
  }

  // A pending job goes into its queue, by the service attained so far (minus what a promotion forgave).
  void enqueue(SchedulingContext& ctx, JobIndex j, double now) {
    grow(j);
    if (queue_[j] >= 0) return;
    JobStatus s = ctx.status(j);
    int q = queue_of_service(s.attained_gpu_s - offset_gpu_s_[j]);
    queue_[j] = q;
    queued_[q].insert(j);
    remember_need(ctx, j);
    if (zero_need_flag_[j]) ++zero_need_[q];
    if (pending_since_s_[j] == kNever) pending_since_s_[j] = std::isnan(s.start_s) ? ctx.spec(j).submit_s : now;
    ++queued_count_;
    if (q > 0 && std::isfinite(starvation_s_)) ctx.wake_at(pending_since_s_[j] + starvation_s_);
  }
  void dequeue(JobIndex j) {
    int q = queue_[j];
    if (q < 0) return;
    queued_[q].erase(j);
    if (job_need_zero(j)) --zero_need_[q];
    queue_[j] = -1;
    pending_since_s_[j] = kNever;
    --queued_count_;
  }
  bool job_need_zero(JobIndex j) { return zero_need_flag_.size() > j && zero_need_flag_[j]; }

  // The queues mirror pending(): new arrivals join queue 0 (they have no service yet), jobs this
  // policy started or preempted are moved as it does so; anything else makes them rebuild.
  void sync_queues(SchedulingContext& ctx) {
    const std::vector<JobIndex>& pending = ctx.pending();
    for (auto it = std::lower_bound(pending.begin(), pending.end(), next_unseen_); it != pending.end(); ++it)
      enqueue(ctx, *it, ctx.now());
    if (!pending.empty()) next_unseen_ = std::max<JobIndex>(next_unseen_, pending.back() + 1);
    if (queued_count_ == pending.size() && ctx.pending_reshuffles() == reshuffles_) return;
    reshuffles_ = ctx.pending_reshuffles();
    // Rebuild. Jobs still pending keep the time they became pending.
    std::vector<JobIndex> before;
    for (auto& q : queued_) {
      for (JobIndex j : q) queue_[j] = -1, before.push_back(j);
      q.clear();
    }
    std::fill(zero_need_.begin(), zero_need_.end(), 0);
    queued_count_ = 0;
    for (JobIndex j : pending) enqueue(ctx, j, ctx.now());
    for (JobIndex j : before)
      if (queue_[j] < 0) pending_since_s_[j] = kNever;
  }
  void remember_need(const SchedulingContext& ctx, JobIndex j) {
    grow(j);
    if (zero_need_flag_.size() <= j) zero_need_flag_.resize(j + 1, 0);
    zero_need_flag_[j] = memo_.need_milli(ctx, j) == 0;
  }

  // Tiresias' PROMOTE: a job that has waited starvation_s since it last became pending goes back
  // to queue 0, its service for queue purposes counted from zero again.
  void promote_starved(const SchedulingContext& ctx, double now) {
    for (std::size_t q = 1; q < queued_.size(); ++q) {
      for (auto it = queued_[q].begin(); it != queued_[q].end();) {
        JobIndex j = *it;
        if (now - pending_since_s_[j] < starvation_s_ - kTimeTolerance_s) {
          ++it;
          continue;
        }
        offset_gpu_s_[j] = ctx.status(j).attained_gpu_s;
        it = queued_[q].erase(it);
        queued_[0].insert(j);
        queue_[j] = 0;
        if (job_need_zero(j)) --zero_need_[q], ++zero_need_[0];
      }
    }
  }

  // Service of running jobs from what was recorded at their start (no status() call per job).
  void compute_running_levels(SchedulingContext& ctx, double now) {
    levels_known_ = true;
    running_levels_.clear();
    max_running_queue_ = 0;
    for (JobIndex j : ctx.running()) {
      grow(j);
      RunInfo& r = run_[j];
      if (!r.known) {  // started before this policy saw it (not by this policy)
        JobStatus s = ctx.status(j);
        if (s.state != JobState::running) continue;
        r = {true, s.run_started_s, s.attained_gpu_s - scheduling::allocated_gpus(*s.allocation) * (now - s.run_started_s),
             scheduling::allocated_gpus(*s.allocation)};
      }
      int q = queue_of_service(r.base_gpu_s + r.gpus * (now - r.start_s) - offset_gpu_s_[j]);
      running_levels_.push_back({j, q});
      max_running_queue_ = std::max(max_running_queue_, q);
    }
  }

  bool start(SchedulingContext& ctx, JobIndex j, double now) {
    if (!ctx.try_start(j)) return false;
    JobStatus s = ctx.status(j);
    RunInfo& r = run_[j];
    r = {true, now, s.attained_gpu_s, scheduling::allocated_gpus(*s.allocation)};
    started_.push_back(j);
    // A pass at each instant this run will cross a threshold (its queue then drops).
    if (r.gpus > 0)
      for (double threshold : thresholds_)
        if (double left_gpu_s = threshold + offset_gpu_s_[j] - r.base_gpu_s; left_gpu_s > kServiceTolerance_gpu_s)
          ctx.wake_at(now + left_gpu_s / r.gpus);
    return true;
  }

  bool start_by_preempting(SchedulingContext& ctx, JobIndex j, int q, double now) {
    // Hopeless stays hopeless for the rest of the pass, and for every later queue: a later queue has
    // fewer candidates (only queues below it), and a preemption never helps another shape, because
    // after it the free resources plus the remaining candidates are those before it less what the
    // started job took.
    const int shape = memo_.shape_of(ctx, j);
    if (auto it = hopeless_.find(shape); it != hopeless_.end() && it->second <= q) return false;
    if (!victims_built_) {
      std::vector<scheduling::VictimOrder::Item> items;
      for (auto [r, rq] : running_levels_)
        if (rq > 0) items.push_back({-static_cast<double>(rq), r});  // lowest queue first
      victims_order_.reset(std::move(items));
      victims_built_ = true;
    }
    std::size_t next = 0;
    auto candidate = [&]() -> std::optional<JobIndex> {
      for (const auto* item = victims_order_.at(next); item && -item->first > q; item = victims_order_.at(next)) {
        ++next;
        if (ctx.status(item->second).state == JobState::running) return item->second;
      }
      return std::nullopt;
    };
    auto victims = scheduling::choose_victims(ctx, *ctx.status(j).request, candidate);
    if (!victims) {
      hopeless_.emplace(shape, q);  // the first (lowest) queue it was hopeless in
      return false;
    }
    for (JobIndex v : *victims) {
      ctx.preempt(v, restart_cost_s_);
      run_[v].known = false;
      pending_since_s_[v] = now;
      victims_.push_back(v);
    }
    memo_.forget();  // victims may have freed more than j takes
    return start(ctx, j, now);
  }

  struct RunInfo {
    bool known = false;
    double start_s = 0;
    double base_gpu_s = 0;  // service attained before this run
    double gpus = 0;
  };

  std::vector<double> thresholds_;
  double restart_cost_s_;
  double starvation_s_;
  std::vector<std::set<JobIndex>> queued_;  // pending jobs per queue, arrival order
  std::vector<int> zero_need_ = std::vector<int>(thresholds_.size() + 1, 0);  // GPU-less jobs per queue
  std::size_t queued_count_ = 0;
  JobIndex next_unseen_ = 0;
  std::uint64_t reshuffles_ = 0;
  // Per job.
  std::vector<double> offset_gpu_s_;     // service forgiven at its last promotion
  std::vector<double> pending_since_s_;  // when it last became pending (kNever: not pending)
  std::vector<int> queue_;               // its queue while pending, else -1
  std::vector<char> zero_need_flag_;
  std::vector<RunInfo> run_;
  // Per pass.
  bool levels_known_ = false;
  std::vector<std::pair<JobIndex, int>> running_levels_;
  int max_running_queue_ = 0;
  bool victims_built_ = false;
  scheduling::VictimOrder victims_order_;
  std::vector<JobIndex> started_, victims_;
  std::map<int, int> hopeless_;  // shape -> lowest queue in which no preemption can place it, this pass
  scheduling::FitMemo memo_;
};

}  // namespace

std::unique_ptr<Scheduler> make_las(PolicyArgs& args) {
  OptionReader& o = args.options;
  std::vector<double> thresholds = o.numbers("thresholds_gpu_s", {3250, 7200});
  bool valid = true;
  for (std::size_t i = 0; i < thresholds.size(); ++i)
    if (!(thresholds[i] > 0) || (i > 0 && !(thresholds[i] > thresholds[i - 1]))) valid = false;
  if (!valid) {
    o.problem("thresholds_gpu_s", "expected positive GPU-second thresholds in increasing order, e.g. [3250, 7200]");
    thresholds = {3250, 7200};
  }
  double restart_cost_s = o.number("restart_cost_s", 0, 0, kMaxTime_s);
  double starvation_s = o.number("starvation_s", std::numeric_limits<double>::infinity(), 0, kMaxTime_s);
  return std::make_unique<Las>(std::move(thresholds), restart_cost_s, starvation_s);
}

}  // namespace aidcsim
