// The `iterations` model (docs/network.md): a data-parallel job is N iterations, each compute on each
// of its GPUs then a gradient all-reduce among them as SimGrid communications along the platform's
// routes. Runs of iterations are aggregated into one execution per GPU and one round of flows per
// collective stage (exact when the job is alone; see the docs for when sharing makes it differ).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "models/workload/collectives.hpp"
#include "models/workload/models.hpp"
#include "sim/config/options.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {
namespace {

// A model profile: what a job of this model moves and computes per iteration.
struct Profile {
  double gradient_bytes = 0;      // parameters x bytes per parameter
  double iteration_flops = 0;     // per GPU: flops per sample x batch size per GPU (0 = unknown)
  double checkpoint_bytes = 0;
};

struct TrainingShape {
  double iterations = 0;
  double iteration_flops = 0;
  double gradient_bytes = 0;
};

// A job's trace columns, completed by its tenant's profile or the default one.
struct Profiles {
  std::optional<Profile> fallback;
  std::map<std::string, Profile> by_tenant;
  TrainingShape shape(const JobSpec& job) const {
    TrainingShape shape{job.iterations, job.iteration_flops, job.gradient_bytes};
    const Profile* profile = fallback ? &*fallback : nullptr;
    if (auto it = by_tenant.find(job.tenant); it != by_tenant.end()) profile = &it->second;
    if (profile) {
      if (shape.gradient_bytes <= 0) shape.gradient_bytes = profile->gradient_bytes;
      if (shape.iteration_flops <= 0) shape.iteration_flops = profile->iteration_flops;
    }
    return shape;
  }
};

class IterationsModel final : public WorkloadModel {
 public:
  IterationsModel(std::string collective, bool calibrate, bool aggregate, double interval_s, double cost_s,
                  Profiles profiles)
      : collective_(std::move(collective)), calibrate_(calibrate), aggregate_(aggregate), interval_s_(interval_s),
        cost_s_(cost_s), profiles_(std::move(profiles)) {}

  ActivityPlan plan(const JobSpec& job, const Allocation& allocation, const Cluster& cluster) override {
    ActivityPlan plan;
    if (allocation.gpus.empty()) {  // no GPU: the trace model's server work
      ServerIndex s = allocation.servers.front().server;
      plan.execs.push_back({false, s, job.duration_s * cluster.servers[s].core_speed_flops, 0});
      return plan;
    }
    const TrainingShape shape = profiles_.shape(job);
    std::vector<GpuIndex> members;
    double slowest_flops = std::numeric_limits<double>::infinity();
    for (const auto& share : allocation.gpus) {
      members.push_back(share.gpu);
      slowest_flops = std::min(slowest_flops, cluster.gpus[share.gpu].speed_flops * share.milli / kWholeGpuMilli);
    }
    CollectivePlan comm;
    std::vector<CollectiveStage> stages = collective_stages(collective_, members, cluster, shape.gradient_bytes);
    double iterations = shape.iterations;
    double flops = shape.iteration_flops;
    if (!stages.empty() || calibrate_) {
      // Price the collective once per iteration, then size the run.
      CollectivePlan one = plan_collective(stages, 1, true, *cluster.routes);
      if (iterations <= 0) {
        // From the profile: as many iterations as fit in duration_s alone.
        double iteration_s = flops / slowest_flops + one.per_iteration_s;
        iterations = iteration_s > 0 ? std::max(1.0, std::round(job.duration_s / iteration_s)) : 1;
      }
      if (calibrate_) flops = std::max(0.0, job.duration_s / iterations - one.per_iteration_s) * slowest_flops;
      comm = plan_collective(stages, iterations, aggregate_, *cluster.routes);
    }
    // Checkpoints: their cost as compute time on every GPU (docs/failures.md).
    const double checkpoint_s = checkpoints(job) * cost_s_;
    for (const auto& share : allocation.gpus) {
      double speed = cluster.gpus[share.gpu].speed_flops;
      double bound = share.milli < kWholeGpuMilli ? speed * share.milli / kWholeGpuMilli : 0;
      double effective = bound > 0 ? bound : speed;
      plan.execs.push_back({true, share.gpu, iterations * flops * effective / slowest_flops + checkpoint_s * effective,
                            bound});
    }
    plan.comm_rounds = std::move(comm.rounds);
    plan.comm_wait_s = comm.wait_s;
    plan.comm_alone_s = comm.alone_s;  // the wait included
    plan.repeats = aggregate_ || iterations < 1 ? 1 : static_cast<std::uint32_t>(iterations);
    return plan;
  }

  double checkpoint_step(const JobSpec& job) const override {
    if (interval_s_ <= 0 || job.duration_s <= 0) return 0;
    return std::min(1.0, (interval_s_ + cost_s_) / (job.duration_s + checkpoints(job) * cost_s_));
  }
  bool communicates() const override { return true; }

 private:
  double checkpoints(const JobSpec& job) const {
    return interval_s_ > 0 && job.duration_s > 0 ? std::max(0.0, std::ceil(job.duration_s / interval_s_ - 1e-9) - 1) : 0;
  }
  std::string collective_;
  bool calibrate_, aggregate_;
  double interval_s_, cost_s_;
  Profiles profiles_;
};

}  // namespace

std::unique_ptr<WorkloadModel> make_iterations_model(PolicyArgs& args) {
  OptionReader& o = args.options;
  std::string collective = o.text("collective", "ring", {"ring", "tree", "hierarchical"});
  bool calibrate = o.boolean("calibrate", false);
  bool aggregate = o.boolean("aggregate", true);
  double interval_s = o.number("checkpoint_interval_s", 0, 0, kMaxTime_s);
  double cost_s = o.number("checkpoint_cost_s", 0, 0, kMaxTime_s);
  if (cost_s > 0 && interval_s <= 0)
    o.problem("checkpoint_cost_s", "set without checkpoint_interval_s; expected both (or neither)");
  // Profiles: {"name": {"parameters", "bytes_per_parameter", "flops_per_sample", "batch_size"}}.
  std::map<std::string, Profile> profiles;
  if (const nlohmann::json* raw = o.raw("profiles"); raw && raw->is_object()) {
    OptionReader all = o.nested("profiles");
    for (const auto& [name, value] : raw->items()) {
      OptionReader p = all.nested(name);
      Profile profile;
      double parameters = p.number("parameters", 0, 0, 1e15);
      double bytes_per_parameter = p.number("bytes_per_parameter", 4, 0, 64);
      profile.gradient_bytes = p.number("gradient_bytes", parameters * bytes_per_parameter, 0, 1e18);
      profile.iteration_flops = p.number("flops_per_sample", 0, 0, 1e21) * p.number("batch_size", 1, 0, 1e9);
      p.reject_unknown();
      profiles[name] = profile;
    }
  } else if (o.has("profiles")) {
    o.problem("profiles", "expected an object of model profiles by name");
  }
  Profiles chosen;
  auto resolve = [&](const std::string& key, const std::string& name) -> std::optional<Profile> {
    auto it = profiles.find(name);
    if (it != profiles.end()) return it->second;
    o.problem(key, fmt::format("unknown profile \"{}\"; expected one of the names under profiles", name));
    return std::nullopt;
  };
  if (std::string name = o.text("profile", ""); !name.empty()) chosen.fallback = resolve("profile", name);
  if (const nlohmann::json* raw = o.raw("profile_by_tenant"); raw && raw->is_object()) {
    for (const auto& [tenant, value] : raw->items()) {
      if (!value.is_string()) o.problem_at(o.path("profile_by_tenant") + "/" + tenant, "expected a profile name");
      else if (auto p = resolve("profile_by_tenant", value.get<std::string>())) chosen.by_tenant[tenant] = *p;
    }
  } else if (o.has("profile_by_tenant")) {
    o.problem("profile_by_tenant", "expected an object of tenant -> profile name");
  }
  // Every GPU job needs its iterations: from a trace column, or as many of its flops per iteration
  // (and collectives) as fit in duration_s. Given iterations without flops: collectives only (or
  // the flops calibrated).
  int missing = 0;
  std::string first_missing;
  for (const JobSpec& job : args.jobs) {
    TrainingShape shape = chosen.shape(job);
    bool sized = shape.iterations > 0 || shape.iteration_flops > 0;
    if (job.gpus > 0 && !sized && ++missing == 1) first_missing = job.job_id;
  }
  if (missing > 0)
    o.problem("profile", fmt::format("{} job(s) (first: \"{}\") cannot be sized; expected trace columns iterations "
                                     "or iteration_flops, or a profile with flops_per_sample (workload.jobs.profile "
                                     "or profile_by_tenant)",
                                     missing, first_missing));
  return std::make_unique<IterationsModel>(collective, calibrate, aggregate, interval_s, cost_s, std::move(chosen));
}

}  // namespace aidcsim
