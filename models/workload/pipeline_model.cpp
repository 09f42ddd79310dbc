// The `pipeline` model (docs/network.md, "Pipeline parallelism"): a job's GPUs are S consecutive stages
// of a model, and each of its iterations pushes M micro-batches through them as GPipe does: every
// micro-batch's forward pass stage after stage, then every backward pass in reverse, with the
// activations (forward) and their gradients (backward) sent between neighbouring stages. A plan of
// several computations (ActivityPlan::compute_parts): phase k of the forward wave runs, on stage s,
// micro-batch k - s when there is one, so an iteration lasts (M + S - 1)(f + b) for a micro-batch's
// forward f and backward b on a stage, and the job (M + S - 1) / M of its duration_s, plus the transfers.
#include <fmt/format.h>

#include <algorithm>

#include "models/workload/collectives.hpp"
#include "models/workload/models.hpp"
#include "sim/config/options.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {
namespace {

struct PipelineOptions {
  int stages = 0;  // 0: one stage per GPU
  int micro_batches = 4;
  double backward_ratio = 2;       // a micro-batch's backward pass over its forward pass
  double activation_bytes = 0;     // sent from a stage to the next per micro-batch (and back, as gradients)
  double iterations = 1;           // when the trace has no iterations column
};

class PipelineModel final : public WorkloadModel {
 public:
  explicit PipelineModel(PipelineOptions o) : o_(o) {}

  ActivityPlan plan(const JobSpec& job, const Allocation& allocation, const Cluster& cluster) override {
    // Each GPU does duration_s of work at its share's speed, as under the trace model.
    ActivityPlan plan = trace_work_plan(job.duration_s, allocation, cluster);
    if (allocation.gpus.empty()) return plan;
    const int gpus = static_cast<int>(allocation.gpus.size());
    const int stages = o_.stages > 0 && gpus % o_.stages == 0 ? o_.stages : gpus;
    const int per_stage = gpus / stages;
    const int m = o_.micro_batches;
    const int waves = m + stages - 1;  // phases of one wave (forward or backward)
    const double forward = 1 / (1 + o_.backward_ratio) / m, backward = o_.backward_ratio / (1 + o_.backward_ratio) / m;
    // A plan counts its repeats in 32 bits: a trace's larger count (a run of more than 10^10 SimGrid phases
    // that nobody would wait for) is cut there rather than wrapped.
    const auto iterations = static_cast<std::uint32_t>(
        std::clamp(job.iterations > 0 ? job.iterations : o_.iterations, 1.0, ActivityPlan::kMostRepeats));
    plan.repeats = iterations;
    plan.work_units = iterations;

    auto stage_of = [&](int gpu) { return gpu / per_stage; };
    // Stage s works in forward phase k on micro-batch k - s, in backward phase k on k - (S - 1 - s).
    auto active = [&](bool backward_wave, int k, int s) {
      const int micro_batch = k - (backward_wave ? stages - 1 - s : s);
      return micro_batch >= 0 && micro_batch < m;
    };
    for (bool backward_wave : {false, true})
      for (int k = 0; k < waves; ++k) {
        auto& parts = plan.compute_parts.emplace_back(gpus, 0.0);
        for (int g = 0; g < gpus; ++g)
          if (active(backward_wave, k, stage_of(g))) parts[g] = backward_wave ? backward : forward;
        plan.phases.push_back({PhaseKind::compute, static_cast<std::uint32_t>(plan.compute_parts.size() - 1)});
        if (o_.activation_bytes <= 0) continue;
        // What this phase computed goes to the next stage (forward) or the previous one (backward).
        CollectiveStage round;
        round.bytes = o_.activation_bytes / per_stage;
        for (int g = 0; g < gpus; ++g) {
          const int s = stage_of(g), to = backward_wave ? s - 1 : s + 1;
          if (to < 0 || to >= stages || !active(backward_wave, k, s)) continue;
          round.flows.emplace_back(HostRef{true, allocation.gpus[g].gpu},
                                   HostRef{true, allocation.gpus[g + (to - s) * per_stage].gpu});
        }
        if (round.flows.empty()) continue;
        auto& steps = plan.comm_rounds.emplace_back();
        for (const auto& [from, to] : round.flows) steps.push_back({from, to, round.bytes * iterations});
        plan.comm_alone_s += round_cost_s(round, round.bytes, *cluster.routes) * iterations;
        plan.phases.push_back({PhaseKind::round, static_cast<std::uint32_t>(plan.comm_rounds.size() - 1)});
      }
    return plan;
  }

 private:
  PipelineOptions o_;
};

}  // namespace

std::unique_ptr<WorkloadModel> make_pipeline_model(PolicyArgs& args) {
  OptionReader& o = args.options;
  PipelineOptions p;
  p.stages = o.integer("stages", 0, 0, 1 << 20);
  p.micro_batches = o.integer("micro_batches", 4, 1, 1 << 20);
  p.backward_ratio = o.number("backward_ratio", 2, 0, 1e3);
  p.activation_bytes = o.number("activation_bytes", 0, 0, 1e15);
  p.iterations = o.number("iterations", 1, 1, ActivityPlan::kMostRepeats);
  if (p.stages > 0) {
    int misfits = 0;
    std::string first;
    for (const JobSpec& job : args.jobs)
      if (job.gpus > 0 && job.gpus % p.stages != 0 && ++misfits == 1) first = job.job_id;
    if (misfits > 0)
      o.problem("stages", fmt::format("{} job(s) (first: \"{}\") have a GPU count that is not a multiple of {} stages",
                                      misfits, first, p.stages));
  }
  return std::make_unique<PipelineModel>(p);
}

}  // namespace aidcsim
