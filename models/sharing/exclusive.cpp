// `exclusive`: one job per GPU. A fractional request takes a whole GPU and runs at the GPU's full
// speed: run time = duration_s (the replay rule), on an exact timer (no SimGrid solve).
#include <algorithm>

#include "models/sharing/sharing.hpp"

namespace aidcsim {
namespace {
class Exclusive final : public GpuSharing {
 public:
  bool exclusive() const override { return true; }
  int admission_milli(const JobSpec&, std::vector<char>&, const Cluster&, std::string&) const override {
    return kWholeGpuMilli;
  }
  int compute_milli(const JobSpec&) const override { return kWholeGpuMilli; }
  bool isolated(const ActivityPlan& plan) const override {
    return std::all_of(plan.execs.begin(), plan.execs.end(), [](const ExecStep& e) { return e.bound_flops == 0; });
  }
};
}  // namespace

std::unique_ptr<GpuSharing> make_exclusive_sharing(PolicyArgs&) { return std::make_unique<Exclusive>(); }

}  // namespace aidcsim
