#pragma once
// The quota policies (quota.policy; docs/quota.md). "none" makes no policy: every job is admitted
// on arrival.
#include <memory>

#include "sim/core/registry.hpp"
#include "sim/policy/quota.hpp"

namespace aidcsim {

std::unique_ptr<QuotaPolicy> make_no_quota(PolicyArgs& args);
std::unique_ptr<QuotaPolicy> make_resource_quota(PolicyArgs& args);
std::unique_ptr<QuotaPolicy> make_kueue(PolicyArgs& args);

}  // namespace aidcsim
