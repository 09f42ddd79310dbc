// EASY backfilling (Lifka, "The ANL/IBM SP scheduling system", JSSPP 1995; as defined by Mu'alem &
// Feitelson, "Utilization, predictability, workloads, and user runtime estimates in scheduling the
// IBM SP2 with backfilling", IEEE TPDS 12(6), 2001).
//
// Each pass:
//  1. Jobs start in arrival order while they fit (FIFO).
//  2. The first job that does not fit (the head) gets a reservation: running jobs release their
//     resources, on a copy of the ledger, in order of their estimated end; the shadow time is the
//     first estimated end at which the placement policy would place the head. The copy at that time
//     (every job estimated to end by then released) is the ledger at the shadow time.
//  3. Every later job, in arrival order, starts now if it fits now and
//       (a) it is estimated to end by the shadow time, or
//       (b) it uses only resources the head does not need at the shadow time: with its allocation
//           also held on the ledger at the shadow time, the head still fits there. Jobs started
//           this way stay on that ledger, so later candidates see what is left of the extra.
//     Only the head holds a reservation (EASY, not conservative backfilling); it is recomputed at
//     every pass.
//
// Estimates: a job's run time is its estimate_s when the trace has one, else its duration_s,
// multiplied by `overestimate_factor` (default 1: exact estimates). A running job's estimated end is
// the core's expected end corrected by that estimate's error on the work left; an end estimated in
// the past (an underestimate) counts as now. Jobs are never killed at their estimate.
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/options.hpp"

namespace aidcsim {
namespace {

constexpr double kTimeTolerance_s = 1e-9;

bool same_allocation(const Allocation& a, const Allocation& b) {
  if (a.gpus.size() != b.gpus.size() || a.servers.size() != b.servers.size()) return false;
  for (std::size_t i = 0; i < a.gpus.size(); ++i)
    if (a.gpus[i].gpu != b.gpus[i].gpu || a.gpus[i].milli != b.gpus[i].milli) return false;
  for (std::size_t i = 0; i < a.servers.size(); ++i)
    if (a.servers[i].server != b.servers[i].server || a.servers[i].cpus != b.servers[i].cpus ||
        a.servers[i].mem_gib != b.servers[i].mem_gib)
      return false;
  return true;
}

class EasyBackfill final : public Scheduler {
 public:
  explicit EasyBackfill(double overestimate_factor) : factor_(overestimate_factor) {}

  void schedule(SchedulingContext& ctx) override {
    pass(ctx);
    watch_.end();
  }

 private:
  void pass(SchedulingContext& ctx) {
    const std::vector<JobIndex>& pending = ctx.pending();
    const bool full = watch_.begin(ctx);
    started_.clear();
    std::size_t i = 0;
    // Without a completion since the last pass, a head that waited then still waits.
    if (full || pending.empty() || pending.front() >= watch_.first_new()) {
      for (; i < pending.size(); ++i) {
        if (!ctx.try_start(pending[i])) break;
        started_.push_back(pending[i]);
        watch_.started();
      }
    }
    if (i + 1 >= pending.size()) return;  // everything started, or nothing behind the head
    const JobIndex head = pending[i];
    const Request& head_request = *ctx.status(head).request;
    const double now = ctx.now();
    memo_.new_pass(ctx);
    std::optional<Reservation> reservation;  // computed when a candidate first fits
    std::size_t first = i + 1;
    if (!full)  // jobs that could not backfill then cannot now: only new arrivals
      first = std::max<std::size_t>(first, std::lower_bound(pending.begin(), pending.end(), watch_.first_new()) - pending.begin());
    for (std::size_t c = first; c < pending.size(); ++c) {
      const JobIndex k = pending[c];
      if (memo_.nothing_fits(ctx)) break;
      if (memo_.known_unfit(ctx, k)) continue;
      const JobStatus status = ctx.status(k);
      std::optional<Allocation> proposal = ctx.propose(*status.request, ctx.ledger());
      if (!proposal) {
        memo_.mark_unfit(ctx, k);
        continue;
      }
      if (!reservation) reservation.emplace(reserve(ctx, head_request));
      Reservation& r = *reservation;
      double end_s = now + estimated_run_s(ctx.spec(k)) * (1 - status.done_fraction);
      if (end_s <= r.shadow_s + kTimeTolerance_s) {  // (a) done before the head needs anything
        if (ctx.try_start(k)) watch_.started();
        continue;
      }
      r.ledger.apply(*proposal);  // (b) held through the shadow time: does the head still fit?
      if (ctx.would_fit(head_request, r.ledger) && ctx.try_start(k)) {
        watch_.started();
        const Allocation& actual = *ctx.status(k).allocation;
        if (!same_allocation(actual, *proposal)) {  // only with a placement that is not deterministic
          r.ledger.release(*proposal);
          r.ledger.apply(actual);
        }
      } else {
        r.ledger.release(*proposal);
      }
    }
  }

  struct Reservation {
    double shadow_s;
    Ledger ledger;  // what is free at the shadow time
  };

  double estimated_run_s(const JobSpec& j) const { return scheduling::estimated_run_s(j) * factor_; }

  // A running job's estimated end: the core's expected end at full speed, corrected by the error of
  // the scheduler's estimate on the work left.
  double estimated_end_s(SchedulingContext& ctx, JobIndex j, const JobStatus& s) const {
    const JobSpec& spec = ctx.spec(j);
    double end_s = s.expected_end_s + (estimated_run_s(spec) - spec.duration_s) * (1 - s.done_fraction);
    return std::max(ctx.now(), end_s);
  }

  Reservation reserve(SchedulingContext& ctx, const Request& head) {
    ends_.clear();
    auto add = [&](JobIndex j) {
      JobStatus s = ctx.status(j);
      if (s.state == JobState::running) ends_.push_back({estimated_end_s(ctx, j, s), j});
    };
    for (JobIndex j : ctx.running()) add(j);
    for (JobIndex j : started_) add(j);  // started in this pass: not in running() yet
    std::sort(ends_.begin(), ends_.end());
    Reservation r{std::numeric_limits<double>::infinity(), ctx.ledger()};
    const long long capacity_milli = static_cast<long long>(ctx.cluster().gpus.size()) * kWholeGpuMilli;
    const long long need_milli = static_cast<long long>(head.gpus) * head.gpu_milli;
    for (std::size_t e = 0; e < ends_.size();) {
      const double t = ends_[e].first;
      for (; e < ends_.size() && ends_[e].first == t; ++e) r.ledger.release(*ctx.status(ends_[e].second).allocation);
      if (capacity_milli - r.ledger.allocated_milli() >= need_milli && ctx.would_fit(head, r.ledger)) {
        r.shadow_s = t;
        return r;
      }
    }
    // The head does not fit even on an empty platform (the placement policy refuses it): no
    // reservation, and backfilling is plain first fit.
    return r;
  }

  double factor_;
  scheduling::PassWatch watch_;
  std::vector<JobIndex> started_;
  std::vector<std::pair<double, JobIndex>> ends_;
  scheduling::FitMemo memo_;
};

}  // namespace

std::unique_ptr<Scheduler> make_backfill(PolicyArgs& args) {
  double factor = args.options.number("overestimate_factor", 1.0, 1e-6, 1e6);
  return std::make_unique<EasyBackfill>(factor);
}

}  // namespace aidcsim
