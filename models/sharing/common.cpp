#include "models/sharing/sharing.hpp"

namespace aidcsim::sharing_detail {

void slow_down_by_co_runners(ActivityPlan& plan, double factor, const std::vector<int>& co_runners) {
  if (factor <= 0) return;
  for (std::size_t i = 0; i < plan.execs.size() && i < co_runners.size(); ++i)
    if (plan.execs[i].on_gpu) plan.execs[i].flops *= 1 + factor * co_runners[i];
}

}  // namespace aidcsim::sharing_detail
