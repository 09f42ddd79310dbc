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
#include "sim/core/core.hpp"
#include "sim/core/types.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {
namespace {

// A model profile: what a job of this model moves and computes per iteration.
struct Profile {
  double gradient_bytes = 0;      // parameters x bytes per parameter
  double iteration_flops = 0;     // per GPU: flops per sample x batch size per GPU (0 = unknown)
  double checkpoint_bytes = 0;    // the state one checkpoint writes (0 = checkpoints cost checkpoint_cost_s only)
  double dataset_bytes = 0;       // streamed from storage over the run (each segment its share)
};

struct TrainingShape {
  double iterations = 0;
  double iteration_flops = 0;
  double gradient_bytes = 0;
  double checkpoint_bytes = 0;
  double dataset_bytes = 0;
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
      shape.checkpoint_bytes = profile->checkpoint_bytes;
      shape.dataset_bytes = profile->dataset_bytes;
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
    if (allocation.gpus.empty()) return trace_work_plan(job.duration_s, allocation, cluster);  // no GPU: the server's work
    ActivityPlan plan;
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
      comm = plan_collective(stages, iterations, aggregate_, *cluster.routes, segments(job, shape));
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
    // A plan counts its repeats in 32 bits: a larger count runs as 2^32 - 1 repeats, each a larger share.
    plan.repeats = aggregate_ || iterations < 1 ? 1 : static_cast<std::uint32_t>(std::min(iterations, ActivityPlan::kMostRepeats));
    plan.work_units = iterations >= 1 ? std::floor(iterations) : 0;
    add_storage(job, shape, allocation, cluster, plan);
    if (comm.rounds_before_compute > 0) {
      // A sharded step: its gathers, the computation, its scatter (then the wait and the writes).
      plan.phases = plan.sequence();
      auto compute = std::find(plan.phases.begin(), plan.phases.end(), PlanPhase{PhaseKind::compute, 0});
      std::rotate(compute, compute + 1, compute + 1 + comm.rounds_before_compute);
    }
    return plan;
  }

  // The dataset streamed from the first storage host (each server of the job its share, each segment
  // its share of that) and, when checkpoints write bytes, the state written by the job's first server
  // (rank 0 saves it) at the end of each of the K + 1 equal segments, K = ceil(D / C) - 1 (the last
  // write is the final model).
  void add_storage(const JobSpec& job, const TrainingShape& shape, const Allocation& allocation,
                   const Cluster& cluster, ActivityPlan& plan) const {
    std::vector<ServerIndex> servers;
    for (const auto& share : allocation.gpus)
      if (std::find(servers.begin(), servers.end(), cluster.gpus[share.gpu].server) == servers.end())
        servers.push_back(cluster.gpus[share.gpu].server);
    if (shape.dataset_bytes > 0)
      for (ServerIndex s : servers) plan.reads.push_back({0, s, shape.dataset_bytes / servers.size(), false});
    if (shape.checkpoint_bytes > 0 && interval_s_ > 0) {
      plan.checkpoint_writes.push_back({0, servers.front(), shape.checkpoint_bytes, true});
      plan.repeats = segments(job, shape);
    }
    plan.read_alone_s = storage_alone_s(plan.reads, 1.0 / plan.repeats, cluster);
    plan.write_alone_s = storage_alone_s(plan.checkpoint_writes, 1, cluster);
  }

  // Checkpoints written as bytes (an aggregated plan only) cut the run into equal segments.
  std::uint32_t segments(const JobSpec& job, const TrainingShape& shape) const {
    return shape.checkpoint_bytes > 0 ? static_cast<std::uint32_t>(checkpoints(job)) + 1 : 1;
  }

  // `share` of the steps' bytes, the steps together and alone: the disk's time for all their bytes,
  // or the slowest transfer (the steps' flows sharing links), whichever is longer.
  static double storage_alone_s(const std::vector<StorageStep>& steps, double share, const Cluster& cluster) {
    if (steps.empty()) return 0;
    const DiskInfo& disk = cluster.storage[steps.front().storage].disks.front();
    std::vector<NetworkRoute> routes;
    std::vector<double> bytes;
    for (const auto& io : steps) {
      routes.push_back(cluster.routes->storage_route(io.storage, io.server, io.write));
      bytes.push_back(io.bytes * share);
    }
    double total = 0;
    for (double b : bytes) total += b;
    const double disk_s = total / (steps.front().write ? disk.write_bw_bytes_per_s : disk.read_bw_bytes_per_s);
    return std::max(disk_s, concurrent_flows_s(routes, bytes));
  }

  double checkpoint_step(const JobSpec& job) const override {
    if (interval_s_ <= 0 || job.duration_s <= 0) return 0;
    if (profiles_.shape(job).checkpoint_bytes > 0) return 1 / (checkpoints(job) + 1);  // whole segments
    return std::min(1.0, (interval_s_ + cost_s_) / (job.duration_s + checkpoints(job) * cost_s_));
  }
  // jobs.csv slowdown_network: run time over the time alone on the same placements (completed jobs).
  std::vector<std::string> job_columns() const override { return {"slowdown_network"}; }
  void append_job_fields(JobIndex, const JobSpec&, const JobRun& run, std::string& line) const override {
    line += ',';
    append_number(line, run.state == JobState::completed && run.alone_s > 0 ? run.run_s / run.alone_s : kNoTime);
  }

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
  std::string collective = o.text("collective", "ring", {"ring", "tree", "hierarchical", "sharded"});
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
      profile.checkpoint_bytes = p.number("checkpoint_bytes", 0, 0, 1e18);
      profile.dataset_bytes = p.number("dataset_bytes", 0, 0, 1e18);
      if ((profile.checkpoint_bytes > 0 || profile.dataset_bytes > 0) && args.cluster.storage.empty())
        p.problem(profile.checkpoint_bytes > 0 ? "checkpoint_bytes" : "dataset_bytes",
                  "the platform has no storage host (a host with prop kind=storage and a disk) to read or write");
      else if ((profile.checkpoint_bytes > 0 || profile.dataset_bytes > 0) && args.cluster.storage.front().disks.empty())
        p.problem(profile.checkpoint_bytes > 0 ? "checkpoint_bytes" : "dataset_bytes",
                  fmt::format("storage host '{}' has no disk; expected a <disk> with read_bw and write_bw",
                              args.cluster.storage.front().name));
      if (profile.checkpoint_bytes > 0 && !aggregate)
        p.problem("checkpoint_bytes", "checkpoint writes need aggregate: true (per-iteration execution writes none)");
      else if (profile.checkpoint_bytes > 0 && interval_s <= 0)
        p.problem("checkpoint_bytes", "set without workload.jobs.checkpoint_interval_s; expected both (or neither)");
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
