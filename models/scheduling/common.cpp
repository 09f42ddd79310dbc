#include "models/scheduling/common.hpp"

#include "sim/cluster.hpp"
#include "sim/request.hpp"

namespace aidcsim::scheduling {

const std::vector<PendingOrder::Entry>& PendingOrder::sync(const SchedulingContext& ctx) {
  const std::vector<JobIndex>& pending = ctx.pending();
  std::erase_if(order_, [&](const Entry& e) { return !ctx.is_pending(e.second); });
  const auto kept = static_cast<std::ptrdiff_t>(order_.size());
  // New arrivals are at the tail of pending(), which is in index (arrival) order.
  for (auto it = std::lower_bound(pending.begin(), pending.end(), next_unseen_); it != pending.end(); ++it)
    order_.emplace_back(key_(ctx.spec(*it)), *it);
  if (!pending.empty()) next_unseen_ = std::max<JobIndex>(next_unseen_, pending.back() + 1);
  std::sort(order_.begin() + kept, order_.end());
  std::inplace_merge(order_.begin(), order_.begin() + kept, order_.end());
  if (order_.size() != pending.size()) {  // a job came back (preempted): rebuild
    order_.clear();
    for (JobIndex j : pending) order_.emplace_back(key_(ctx.spec(j)), j);
    std::sort(order_.begin(), order_.end());
  }
  return order_;
}

void FitMemo::new_pass(const SchedulingContext& ctx) {
  ++stamp_;
  capacity_milli_ = static_cast<long long>(ctx.cluster().gpus.size()) * kWholeGpuMilli;
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
}

int FitMemo::shape_of(const SchedulingContext& ctx, JobIndex j) {
  learn(ctx, j);
  return job_shape_[j];
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
                                                    const std::vector<JobIndex>& candidates) {
  if (candidates.empty()) return std::nullopt;
  {
    Ledger all_released = ctx.ledger();
    for (JobIndex v : candidates) all_released.release(*ctx.status(v).allocation);
    if (!ctx.would_fit(request, all_released)) return std::nullopt;
  }
  Ledger trial = ctx.ledger();
  std::vector<JobIndex> chosen;
  for (JobIndex v : candidates) {
    trial.release(*ctx.status(v).allocation);
    chosen.push_back(v);
    if (ctx.would_fit(request, trial)) break;
  }
  for (std::size_t i = chosen.size(); i-- > 0;) {
    const Allocation& a = *ctx.status(chosen[i]).allocation;
    trial.apply(a);
    if (ctx.would_fit(request, trial)) chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(i));
    else trial.release(a);
  }
  return chosen;
}

double allocated_gpus(const Allocation& a) {
  double gpus = 0;
  for (const auto& g : a.gpus) gpus += g.milli / 1000.0;
  return gpus;
}

}  // namespace aidcsim::scheduling
