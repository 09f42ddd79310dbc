#include "models/scheduling/common.hpp"

#include "sim/core/cluster.hpp"
#include "sim/core/request.hpp"

namespace aidcsim::scheduling {

void PendingOrder::sync(const SchedulingContext& ctx) {
  const std::vector<JobIndex>& pending = ctx.pending();
  if (dirty_) {
    auto gone = [&](const Entry& e) { return !ctx.is_pending(e.second); };
    std::erase_if(order_, gone);
    std::erase_if(recent_, gone);
    dirty_ = false;
  }
  arrivals_.clear();
  // New arrivals are at the tail of pending(), which is in index (arrival) order.
  for (auto it = std::lower_bound(pending.begin(), pending.end(), next_unseen_); it != pending.end(); ++it)
    arrivals_.emplace_back(key_(ctx.spec(*it)), *it);
  if (!pending.empty()) next_unseen_ = std::max<JobIndex>(next_unseen_, pending.back() + 1);
  std::sort(arrivals_.begin(), arrivals_.end());
  const auto kept = static_cast<std::ptrdiff_t>(recent_.size());
  recent_.insert(recent_.end(), arrivals_.begin(), arrivals_.end());
  std::inplace_merge(recent_.begin(), recent_.begin() + kept, recent_.end());
  // A job came back (preempted), or pending() was reshuffled (quota): rebuild.
  if (order_.size() + recent_.size() != pending.size() || ctx.pending_reshuffles() != reshuffles_) {
    reshuffles_ = ctx.pending_reshuffles();
    order_.clear();
    recent_.clear();
    for (JobIndex j : pending) order_.emplace_back(key_(ctx.spec(j)), j);
    std::sort(order_.begin(), order_.end());
  }
}

const std::vector<PendingOrder::Entry>& PendingOrder::all() {
  if (!recent_.empty()) {
    merged_.clear();
    merged_.reserve(order_.size() + recent_.size());
    std::merge(order_.begin(), order_.end(), recent_.begin(), recent_.end(), std::back_inserter(merged_));
    order_.swap(merged_);
    recent_.clear();
  }
  return order_;
}

void FitMemo::new_pass(const SchedulingContext& ctx) {
  ++stamp_;
  capacity_milli_ = static_cast<long long>(ctx.cluster().gpus.size()) * kWholeGpuMilli;
  // Every job that arrived since the last pass is at the tail of pending().
  const std::vector<JobIndex>& pending = ctx.pending();
  if (ctx.pending_reshuffles() != reshuffles_) {  // older jobs may be pending for the first time
    reshuffles_ = ctx.pending_reshuffles();
    for (JobIndex j : pending) learn(ctx, j);
  }
  for (auto it = std::lower_bound(pending.begin(), pending.end(), next_unseen_); it != pending.end(); ++it) learn(ctx, *it);
  if (!pending.empty()) next_unseen_ = std::max<JobIndex>(next_unseen_, pending.back() + 1);
}

void FitMemo::learn(const SchedulingContext& ctx, JobIndex j) {
  if (j >= job_shape_.size()) {
    job_shape_.resize(j + 1, -1);
    job_need_milli_.resize(j + 1, 0);
  }
  if (job_shape_[j] >= 0) return;
  const Request& r = *ctx.status(j).request;
  auto [it, inserted] = shape_ids_.try_emplace(r.shape_key(), static_cast<int>(shape_ids_.size()));
  if (inserted) unfit_stamp_.push_back(0);
  job_shape_[j] = it->second;
  job_need_milli_[j] = static_cast<long long>(r.gpus) * r.gpu_milli;
  min_need_milli_ = std::min(min_need_milli_, job_need_milli_[j]);
}

int FitMemo::shape_of(const SchedulingContext& ctx, JobIndex j) {
  learn(ctx, j);
  return job_shape_[j];
}

long long FitMemo::need_milli(const SchedulingContext& ctx, JobIndex j) {
  learn(ctx, j);
  return job_need_milli_[j];
}

bool FitMemo::known_unfit(const SchedulingContext& ctx, JobIndex j) {
  learn(ctx, j);
  if (job_need_milli_[j] > capacity_milli_ - ctx.ledger().allocated_milli()) return true;
  return unfit_stamp_[job_shape_[j]] == stamp_;
}

void FitMemo::mark_unfit(const SchedulingContext& ctx, JobIndex j) {
  learn(ctx, j);
  unfit_stamp_[job_shape_[j]] = stamp_;
}

std::optional<std::vector<JobIndex>> choose_victims(SchedulingContext& ctx, const Request& request,
                                                    const std::function<std::optional<JobIndex>()>& next_candidate) {
  const long long capacity_milli = static_cast<long long>(ctx.cluster().gpus.size()) * kWholeGpuMilli;
  const long long need_milli = static_cast<long long>(request.gpus) * request.gpu_milli;
  // The victims are the shortest prefix of the candidates after whose release (in order) the request
  // fits. Fitting is monotone in the prefix (releasing only frees resources), so the prefix is found
  // by galloping then bisecting, after a cheap test (enough GPU capacity free in total): O(log n)
  // placement calls instead of one per candidate. Every ledger asked about is built from the current
  // one by releasing candidates in order, exactly as releasing them one at a time would build it.
  std::vector<JobIndex> candidates;
  std::vector<const Allocation*> allocations;
  bool exhausted = false;
  auto have = [&](std::size_t n) {  // at least n candidates, if there are that many
    while (candidates.size() < n && !exhausted) {
      std::optional<JobIndex> v = next_candidate();
      if (!v) exhausted = true;
      else candidates.push_back(*v), allocations.push_back(ctx.status(*v).allocation);
    }
    return candidates.size() >= n;
  };
  long long allocated_milli = ctx.ledger().allocated_milli();
  std::size_t lowest = 1;  // the shortest prefix with enough GPU capacity free
  for (;; ++lowest) {
    if (!have(lowest)) return std::nullopt;
    for (const GpuShare& g : allocations[lowest - 1]->gpus) allocated_milli -= g.milli;
    if (capacity_milli - allocated_milli >= need_milli) break;
  }
  auto release = [&](Ledger& ledger, std::size_t from, std::size_t to) {  // candidates [from, to)
    for (std::size_t i = from; i < to; ++i) ledger.release(*allocations[i]);
  };
  std::optional<Ledger> known(std::in_place, ctx.ledger());  // the request fits after none of [0, released)
  std::size_t released = lowest - 1;
  release(*known, 0, released);
  std::optional<Ledger> hit;  // the ledger after the first `fits` candidates, once known
  std::size_t fits = 0;
  auto probe = [&](std::size_t n) {  // released < n < fits (or fits == 0)
    Ledger trial = *known;
    release(trial, released, n);
    if (ctx.would_fit(request, trial)) {
      fits = n;
      hit.emplace(std::move(trial));
    } else {
      known.emplace(std::move(trial));
      released = n;
    }
  };
  for (std::size_t step = 1; fits == 0; step *= 2) {
    have(released + step);
    if (released == candidates.size()) return std::nullopt;  // every candidate gone and it still does not fit
    probe(std::min(released + step, candidates.size()));
  }
  while (fits - released > 1) probe(released + (fits - released) / 2);

  // The reprieve: each chosen victim, most important first, is spared when the request still fits
  // with it kept.
  Ledger& trial = *hit;
  std::vector<JobIndex> chosen(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(fits));
  for (std::size_t i = chosen.size(); i-- > 0;) {
    const Allocation& a = *allocations[i];
    trial.apply(a);
    if (ctx.would_fit(request, trial)) chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(i));
    else trial.release(a);
  }
  return chosen;
}

void VictimOrder::reset(std::vector<Item> items) {
  heap_ = std::move(items);
  sorted_.clear();
  std::make_heap(heap_.begin(), heap_.end(), later);
}

const VictimOrder::Item* VictimOrder::at(std::size_t i) {
  while (sorted_.size() <= i && !heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    sorted_.push_back(heap_.back());
    heap_.pop_back();
  }
  return i < sorted_.size() ? &sorted_[i] : nullptr;
}

double allocated_gpus(const Allocation& a) {
  double gpus = 0;
  for (const auto& g : a.gpus) gpus += g.milli / 1000.0;
  return gpus;
}

}  // namespace aidcsim::scheduling
