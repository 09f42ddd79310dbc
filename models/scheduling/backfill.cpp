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
//
// Cost (the answers are those of the plain algorithm above; tests/unit/test_schedulers_backfill.cpp
// checks it against a direct implementation). A pass runs at every event, with thousands of jobs
// running and queued, and each placement call looks at every server. So:
//  - Whether the head fits after the jobs ending by time t have released their resources only
//    changes once, from no to yes, as t grows (releasing only frees resources; PassWatch and FitMemo
//    rely on the same property of placement). The shadow time is found by bisection over the
//    estimated ends, O(log jobs) placement calls, starting from the previous pass's shadow time
//    when the head is the same (it rarely moves), after a cheap test: enough GPU capacity free.
//    The running jobs stay sorted by estimated end from one reservation to the next: only those
//    started since (or whose estimated end moved) are sorted, then merged in.
//  - When nothing was released since the last pass (PassWatch), a job that did not fit then does
//    not fit now: the candidates are the new arrivals and the jobs that fitted but were refused
//    (they may pass (b) on the other resources the placement now offers, or (a)/(b) once wrong
//    estimates have moved the shadow time). A request shape that did not fit now is not tried
//    again in the pass before something is released (FitMemo), and no pending job fits once the
//    free GPU capacity is below the smallest request.
//  - A candidate of the same shape as one refused by (b) since the last start in the pass would be
//    offered the same allocation on the same ledgers (placement decides from the view alone), so it
//    is refused without asking again unless (a) lets it start.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/config/options.hpp"

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
    watch_.end(ctx);
  }

 private:
  void pass(SchedulingContext& ctx) {
    const std::vector<JobIndex>& pending = ctx.pending();
    const bool full = watch_.begin(ctx);
    started_.clear();
    ++version_;
    std::size_t i = 0;
    // Without a release since the last pass (a completion, a VM shut down), a head that waited then still waits.
    if (full || pending.empty() || pending.front() >= watch_.first_new()) {
      for (; i < pending.size(); ++i) {
        if (!ctx.try_start(pending[i])) break;
        started_.push_back(pending[i]);
        started();
      }
    }
    refused_jobs_.swap(last_refused_);
    refused_jobs_.clear();
    if (i + 1 >= pending.size()) return;  // everything started, or nothing behind the head
    const JobIndex head = pending[i];
    const Request& head_request = *ctx.status(head).request;
    const double now = ctx.now();
    memo_.new_pass(ctx);
    std::optional<Reservation> reservation;  // computed when a candidate first fits
    // The candidates, in arrival order: everything behind the head, or without a release since the
    // last pass (the head is then the same) the jobs that fitted then but were refused, and the
    // new arrivals; a job that did not fit then does not fit now.
    const auto behind = pending.begin() + static_cast<std::ptrdiff_t>(i + 1);
    const auto arrivals = full ? behind : std::max(behind, std::lower_bound(pending.begin(), pending.end(), watch_.first_new()));
    const std::size_t rechecks = full ? 0 : last_refused_.size();
    const std::size_t candidates = rechecks + static_cast<std::size_t>(pending.end() - arrivals);
    for (std::size_t c = 0; c < candidates; ++c) {
      const JobIndex k = c < rechecks ? last_refused_[c] : arrivals[static_cast<std::ptrdiff_t>(c - rechecks)];
      if (c < rechecks && (k <= head || !ctx.is_pending(k))) continue;  // (cannot happen: the head is the same)
      if (memo_.nothing_fits(ctx)) break;
      if (memo_.known_unfit(ctx, k)) continue;
      const JobStatus status = ctx.status(k);
      const double end_s = now + estimated_run_s(ctx.spec(k)) * (1 - status.done_fraction);
      const int shape = memo_.shape_of(ctx, k);
      if (shape < static_cast<int>(refused_shape_.size()) && refused_shape_[shape] == version_) {
        // The same shape was refused by (b) and nothing started since: it fits now (the same
        // allocation would be offered) but only (a) can let it start.
        if (end_s <= reservation->shadow_s + kTimeTolerance_s && ctx.try_start(k)) started();
        else refused_jobs_.push_back(k);
        continue;
      }
      std::optional<Allocation> proposal = ctx.propose(*status.request, ctx.ledger());
      if (!proposal) {
        memo_.mark_unfit(ctx, k);
        continue;
      }
      if (!reservation) reservation.emplace(reserve(ctx, head));
      Reservation& r = *reservation;
      if (end_s <= r.shadow_s + kTimeTolerance_s) {  // (a) done before the head needs anything
        if (ctx.try_start(k)) started();
        else refused_jobs_.push_back(k);
        continue;
      }
      r.ledger.apply(*proposal);  // (b) held through the shadow time: does the head still fit?
      const bool head_fits = ctx.would_fit(head_request, r.ledger);
      if (head_fits && ctx.try_start(k)) {
        started();
        const Allocation& actual = *ctx.status(k).allocation;
        if (!same_allocation(actual, *proposal)) {  // a placement that is not deterministic, or a reuse
          r.ledger.release(*proposal);
          // A runtime may start the job on resources it already holds (an idle VM of its tenant):
          // they are held in the shadow ledger already, and the job takes nothing more.
          if (r.ledger.check(actual).empty()) r.ledger.apply(actual);
        }
      } else {
        r.ledger.release(*proposal);
        refused_jobs_.push_back(k);
        if (!head_fits) {
          if (shape >= static_cast<int>(refused_shape_.size())) refused_shape_.resize(shape + 1, 0);
          refused_shape_[shape] = version_;
        }
      }
    }
  }

  struct Reservation {
    double shadow_s;
    Ledger ledger;  // what is free at the shadow time
  };

  // A running job and its estimated end; ordered by end, then job (the order releases happen in).
  struct End {
    double end_s;
    JobIndex job;
    const Allocation* allocation;
    bool operator<(const End& o) const { return end_s != o.end_s ? end_s < o.end_s : job < o.job; }
  };

  void started() {
    watch_.started();
    ++version_;  // the ledger changed: (b) refusals no longer hold
  }

  double estimated_run_s(const JobSpec& j) const { return scheduling::estimated_run_s(j) * factor_; }

  // A running job's estimated end: the core's expected end at full speed, corrected by the error of
  // the scheduler's estimate on the work left.
  double estimated_end_s(SchedulingContext& ctx, JobIndex j, const JobStatus& s) const {
    const JobSpec& spec = ctx.spec(j);
    double end_s = s.expected_end_s + (estimated_run_s(spec) - spec.duration_s) * (1 - s.done_fraction);
    return std::max(ctx.now(), end_s);
  }

  // ends_: every running job (started in this pass included) by estimated end. Most of them are
  // where the previous call put them (same job, same end): only the others are sorted, then merged.
  void sort_ends(SchedulingContext& ctx) {
    const std::uint64_t previous = sorts_++;
    changed_.clear();
    auto add = [&](JobIndex j) {
      JobStatus s = ctx.status(j);
      if (s.state != JobState::running) return;
      if (j >= sorted_at_.size()) sorted_at_.resize(j + 1, Sorted{});
      Sorted& m = sorted_at_[j];
      const double end_s = estimated_end_s(ctx, j, s);
      const bool kept = m.sort == previous && m.end_s == end_s;
      m = {end_s, s.allocation, sorts_, kept};
      if (!kept) changed_.push_back({end_s, j, s.allocation});
    };
    for (JobIndex j : ctx.running()) add(j);
    for (JobIndex j : started_) add(j);  // started in this pass: not in running() yet
    std::sort(changed_.begin(), changed_.end());
    kept_.clear();
    for (const End& e : ends_)
      if (const Sorted& m = sorted_at_[e.job]; m.sort == sorts_ && m.kept) kept_.push_back({e.end_s, e.job, m.allocation});
    ends_.clear();
    std::merge(kept_.begin(), kept_.end(), changed_.begin(), changed_.end(), std::back_inserter(ends_));
  }

  // The reservation of `head`: running jobs release their resources, on a copy of the ledger, in
  // order of estimated end, jobs ending at the same time together (a group); the shadow time is the
  // end of the first group after whose release the placement policy would place the head.
  //
  // Fitting is monotone in the group (see the top of the file), so the first group that fits is
  // bracketed then bisected. Every ledger probed is built from the current one by releasing groups
  // in order, as the plain scan does, so each is exactly the ledger that scan would look at.
  Reservation reserve(SchedulingContext& ctx, JobIndex head_job) {
    const Request& head = *ctx.status(head_job).request;
    sort_ends(ctx);
    group_end_.clear();  // group g is ends_[group_end_[g-1], group_end_[g])
    for (std::size_t e = 0; e < ends_.size(); ++e)
      if (e + 1 == ends_.size() || ends_[e + 1].end_s != ends_[e].end_s) group_end_.push_back(e + 1);
    const std::size_t groups = group_end_.size();
    auto begin_of = [&](std::size_t g) { return g == 0 ? std::size_t{0} : group_end_[g - 1]; };
    auto release_groups = [&](Ledger& ledger, std::size_t from, std::size_t to) {  // groups [from, to)
      for (std::size_t e = begin_of(from); e < begin_of(to); ++e) ledger.release(*ends_[e].allocation);
    };

    // No placement call before the group that frees enough GPU capacity in total.
    const long long capacity_milli = static_cast<long long>(ctx.cluster().gpus.size()) * kWholeGpuMilli;
    const long long need_milli = static_cast<long long>(head.gpus) * head.gpu_milli;
    long long allocated_milli = ctx.ledger().allocated_milli();
    std::size_t lowest = 0;  // the first group that may fit
    while (lowest < groups && capacity_milli - allocated_milli < need_milli) {
      for (std::size_t e = begin_of(lowest); e < group_end_[lowest]; ++e)
        for (const GpuShare& g : ends_[e].allocation->gpus) allocated_milli -= g.milli;
      ++lowest;
    }
    if (capacity_milli - allocated_milli >= need_milli && lowest > 0) --lowest;  // the group that freed enough

    // `known`: the ledger with groups [0, released) released, after none of which the head fits.
    std::optional<Ledger> known(std::in_place, ctx.ledger());  // (optional: a Ledger cannot be assigned)
    std::size_t released = lowest;
    release_groups(*known, 0, released);
    std::optional<Ledger> hit;  // the ledger after group first_fit, once the head is known to fit there
    std::size_t first_fit = groups;
    auto probe = [&](std::size_t g) {  // released <= g < first_fit
      Ledger trial = *known;
      release_groups(trial, released, g + 1);
      if (ctx.would_fit(head, trial)) {
        first_fit = g;
        hit.emplace(std::move(trial));
      } else {
        known.emplace(std::move(trial));
        released = g + 1;
      }
    };
    // The previous shadow time for the same head, when there is one in range: the head most likely
    // fits from its group on and not before.
    if (last_head_ == head_job && std::isfinite(last_shadow_s_) && released < groups) {
      const auto at = std::lower_bound(ends_.begin(), ends_.end(), End{last_shadow_s_, 0, nullptr});
      std::size_t g = std::lower_bound(group_end_.begin(), group_end_.end(), static_cast<std::size_t>(at - ends_.begin()) + 1) -
                      group_end_.begin();  // the group holding the first end >= the previous shadow time
      if (g > released && g < groups) probe(g - 1);
    }
    for (std::size_t step = 1; released < groups && first_fit == groups; step *= 2)
      probe(std::min(released + step - 1, groups - 1));
    while (released < first_fit) probe(released + (first_fit - released) / 2);

    last_head_ = head_job;
    if (first_fit == groups) {
      // The head does not fit even on an empty platform (the placement policy refuses it): no
      // reservation, and backfilling is plain first fit.
      last_shadow_s_ = std::numeric_limits<double>::infinity();
      return Reservation{last_shadow_s_, std::move(*known)};
    }
    last_shadow_s_ = ends_[group_end_[first_fit] - 1].end_s;
    return Reservation{last_shadow_s_, std::move(*hit)};
  }

  double factor_;
  scheduling::PassWatch watch_;
  std::vector<JobIndex> started_;
  std::vector<End> ends_, kept_, changed_;
  struct Sorted {
    double end_s = 0;
    const Allocation* allocation = nullptr;
    std::uint64_t sort = 0;  // the sort_ends() call that last saw the job running; 0 = none
    bool kept = false;       // it was in the previous one too, with the same end
  };
  std::vector<Sorted> sorted_at_;  // per job
  std::uint64_t sorts_ = 1;
  std::vector<std::size_t> group_end_;
  scheduling::FitMemo memo_;
  std::uint64_t version_ = 0;                 // changes at every pass and every start
  std::vector<std::uint64_t> refused_shape_;  // per shape: the version_ at which (b) last refused it
  // Jobs that fitted but were not started, by (a)/(b) (or the core), in this pass and the last one:
  // with another job started since, the placement may offer them other resources, and with wrong
  // estimates the shadow time moves, so they are candidates again even when nothing was released.
  std::vector<JobIndex> refused_jobs_, last_refused_;
  JobIndex last_head_ = std::numeric_limits<JobIndex>::max();
  double last_shadow_s_ = std::numeric_limits<double>::infinity();
};

}  // namespace

std::unique_ptr<Scheduler> make_backfill(PolicyArgs& args) {
  double factor = args.options.number("overestimate_factor", 1.0, 1e-6, 1e6);
  return std::make_unique<EasyBackfill>(factor);
}

}  // namespace aidcsim
