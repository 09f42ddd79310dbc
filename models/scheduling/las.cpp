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
// Timing: attained service changes only while time passes, and a pass runs at every event
// (arrival, completion, monitoring sample). A running job that crosses a threshold, or a pending
// job that reaches the starvation limit, changes queue at the next event after that instant (at
// most one monitoring interval later). Tiresias' simulator schedules a pass at the exact crossing
// time; the same needs a core timer that a scheduler can request.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/options.hpp"

namespace aidcsim {
namespace {

constexpr double kServiceTolerance_gpu_s = 1e-6;

class Las final : public Scheduler {
 public:
  Las(std::vector<double> thresholds_gpu_s, double restart_cost_s, double starvation_s)
      : thresholds_(std::move(thresholds_gpu_s)), restart_cost_s_(restart_cost_s), starvation_s_(starvation_s) {}

  void schedule(SchedulingContext& ctx) override {
    const double now = ctx.now();
    const int queues = static_cast<int>(thresholds_.size()) + 1;

    // Running jobs, lowest priority first: the order in which they are preempted.
    victims_order_.clear();
    for (JobIndex j : ctx.running()) {
      JobStatus s = ctx.status(j);
      if (s.state != JobState::running) continue;
      grow(j);
      last_running_s_[j] = now;
      victims_order_.push_back({queue_of(j, s.attained_gpu_s), j});
    }
    std::sort(victims_order_.begin(), victims_order_.end(),
              [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second > b.second; });

    // Pending jobs by queue, arrival order within a queue; promotion of starved jobs.
    buckets_.resize(queues);
    for (auto& b : buckets_) b.clear();
    for (JobIndex j : ctx.pending()) {
      grow(j);
      JobStatus s = ctx.status(j);
      int q = queue_of(j, s.attained_gpu_s);
      if (q > 0 && std::isfinite(starvation_s_)) {
        double since_s = ctx.spec(j).submit_s;
        if (!std::isnan(last_running_s_[j])) since_s = std::max(since_s, last_running_s_[j]);
        if (now - since_s >= starvation_s_) {
          service_offset_gpu_s_[j] = s.attained_gpu_s;
          q = 0;
        }
      }
      buckets_[q].push_back(j);
    }

    memo_.new_pass(ctx);
    hopeless_.clear();
    for (int q = 0; q < queues; ++q) {
      for (JobIndex j : buckets_[q]) {
        if (!memo_.known_unfit(ctx, j)) {
          if (ctx.try_start(j)) continue;
          memo_.mark_unfit(ctx, j);
        }
        if (victims_order_.empty() || victims_order_.front().first <= q) continue;  // nobody below q runs
        auto key = std::make_pair(memo_.shape_of(ctx, j), q);
        if (hopeless_.count(key)) continue;
        candidates_.clear();
        for (const auto& [vq, v] : victims_order_) {
          if (vq <= q) break;
          if (ctx.status(v).state == JobState::running) candidates_.push_back(v);
        }
        auto victims = scheduling::choose_victims(ctx, *ctx.status(j).request, candidates_);
        if (!victims) {
          hopeless_.insert(key);
          continue;
        }
        for (JobIndex v : *victims) {
          ctx.preempt(v, restart_cost_s_);
          last_running_s_[v] = now;
        }
        memo_.forget();  // victims may have freed more than j takes
        hopeless_.clear();
        ctx.try_start(j);
      }
    }
  }

 private:
  int queue_of(JobIndex j, double attained_gpu_s) const {
    double service = attained_gpu_s - service_offset_gpu_s_[j] + kServiceTolerance_gpu_s;
    return static_cast<int>(std::upper_bound(thresholds_.begin(), thresholds_.end(), service) - thresholds_.begin());
  }
  void grow(JobIndex j) {
    if (j >= service_offset_gpu_s_.size()) {
      service_offset_gpu_s_.resize(j + 1, 0);
      last_running_s_.resize(j + 1, std::numeric_limits<double>::quiet_NaN());
    }
  }

  std::vector<double> thresholds_;
  double restart_cost_s_;
  double starvation_s_;
  std::vector<double> service_offset_gpu_s_;  // per job: service forgiven at its last promotion
  std::vector<double> last_running_s_;        // per job: last pass that saw it running (NaN: never)
  std::vector<std::pair<int, JobIndex>> victims_order_;
  std::vector<std::vector<JobIndex>> buckets_;
  std::vector<JobIndex> candidates_;
  std::set<std::pair<int, int>> hopeless_;  // (shape, queue) that no preemption can place this pass
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
  double restart_cost_s = o.number("restart_cost_s", 0, 0, 1e12);
  double starvation_s = o.number("starvation_s", std::numeric_limits<double>::infinity(), 0, 1e15);
  return std::make_unique<Las>(std::move(thresholds), restart_cost_s, starvation_s);
}

}  // namespace aidcsim
