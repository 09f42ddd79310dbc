// `mps` (NVIDIA Multi-Process Service): a fractional job (gpus = 1, gpu_milli < 1000) shares its GPU
// with others, its kernels capped at its share: Exec bound = speed x gpu_milli / 1000.
// Admission: the job takes ceil(gpu_milli / oversubscription) milli of the ledger, so the requested
// shares on a GPU add up to at most 1000 x oversubscription (default 1: no over-commitment, every
// job gets exactly its share). Oversubscribed, SimGrid's fair sharing (max-min under the caps)
// decides, and each job's work is multiplied by 1 + interference_factor x (co-runners at its start).
#include <cmath>

#include "models/sharing/sharing.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {
class Mps final : public GpuSharing {
 public:
  Mps(double oversubscription, double interference) : oversubscription_(oversubscription), interference_(interference) {}
  int admission_milli(const JobSpec& job, std::vector<char>&, const Cluster&, std::string&) const override {
    if (!sharing_detail::fractional(job)) return kWholeGpuMilli;
    return std::clamp(static_cast<int>(std::ceil(job.gpu_milli / oversubscription_ - 1e-9)), 1, kWholeGpuMilli);
  }
  void adjust(JobIndex, const JobSpec& job, ActivityPlan& plan, const Cluster&,
              const std::vector<int>& co_runners) const override {
    if (sharing_detail::fractional(job)) sharing_detail::slow_down_by_co_runners(plan, interference_, co_runners);
  }
  bool isolated(const ActivityPlan&) const override { return false; }

 private:
  double oversubscription_;
  double interference_;
};
}  // namespace

std::unique_ptr<GpuSharing> make_mps_sharing(PolicyArgs& args) {
  double over = args.options.number("oversubscription", 1, 1, 1000);
  double interference = args.options.number("interference_factor", 0, 0, 1000);
  return std::make_unique<Mps>(over, interference);
}

}  // namespace aidcsim
