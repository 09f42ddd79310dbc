#include "sim/engine/plan_runner.hpp"

#include <algorithm>
#include <cmath>

namespace aidcsim {
namespace {

void run_storage(ActiveJob& me, const std::vector<StorageIo>& steps, double share, long long& comms_started);

// The least-advanced activity's share done (a phase's activities run together).
template <class Activities>
double least_done(const Activities& activities, const std::vector<double>& amounts) {
  double f = activities.empty() ? 0 : 1;
  for (std::size_t i = 0; i < activities.size(); ++i)
    if (amounts[i] > 0) f = std::min(f, 1 - activities[i]->get_remaining() / amounts[i]);
  return std::max(0.0, f);
}

}  // namespace

double exec_alone_s(const std::vector<std::pair<sg4::Host*, ExecStep>>& steps, const std::vector<double>& parts) {
  double t = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& [host, step] = steps[i];
    double speed = host->get_speed() * host->get_core_count();
    if (step.bound_flops > 0) speed = std::min(speed, step.bound_flops);
    if (speed > 0) t = std::max(t, step.flops * (parts.empty() ? 1 : parts[i]) / speed);
  }
  return t;
}

// The share of a communicating plan done so far, in time alone. Each repeat is its phases: the reads,
// the executions, the rounds (a round's progress is its slowest comm's; the rounds count together, at
// the place of the first), the wait and the checkpoint writes, in the plan's order; all repeats are
// alike, so a repeat's end is a multiple of 1 / repeats (what WorkloadModel::checkpoint_step keeps).
double comm_plan_progress(const ActiveJob& a) {
  double per_repeat_s = a.read_s + a.comm_s + a.wait_s + a.write_s;
  for (double s : a.compute_s) per_repeat_s += s;
  if (per_repeat_s <= 0) return 0;
  double rounds_done = 0;
  for (std::size_t i = 0; i < a.phase && i < a.phases.size(); ++i) rounds_done += a.phases[i].kind == PhaseKind::round;
  double done_s = 0;
  bool rounds_counted = false;
  for (std::size_t i = 0; i <= a.phase && i < a.phases.size(); ++i) {
    const bool under_way = i == a.phase;
    switch (a.phases[i].kind) {
      case PhaseKind::read: done_s += under_way ? least_done(a.ios, a.io_bytes) * a.read_s : a.read_s; break;
      case PhaseKind::compute: {
        const double compute_s = a.compute_s[a.phases[i].index];
        done_s += under_way ? least_done(a.execs, a.flops) * compute_s : compute_s;
        break;
      }
      case PhaseKind::round:
        if (!rounds_counted && a.rounds)
          done_s += (rounds_done + (a.phases[a.phase].kind == PhaseKind::round ? least_done(a.comms, a.comm_bytes) : 0)) /
                    a.rounds * a.comm_s;
        rounds_counted = true;
        break;
      case PhaseKind::wait:
        done_s += under_way ? std::min(a.wait_s, sg4::Engine::get_clock() - a.wait_started_s) : a.wait_s;
        break;
      case PhaseKind::write: done_s += under_way ? least_done(a.ios, a.io_bytes) * a.write_s : a.write_s; break;
    }
  }
  return std::min(1.0, (a.repeat + std::min(1.0, done_s / per_repeat_s)) / a.repeats);
}

// A communicating plan (sim/policy/workload_model.hpp), in the job's actor: `repeats` times its phases,
// each with its share of the reads, the executions, the rounds and the wait (each volume divided among
// the repeats), and a whole checkpoint's writes.
void run_iterations(ActiveJob& me, const std::vector<std::pair<sg4::Host*, ExecStep>>& steps, const CommSchedule& schedule,
                    long long& comms_started) {
  const double share = 1.0 / me.repeats;
  for (me.repeat = 0; me.repeat < me.repeats; ++me.repeat) {
    for (me.phase = 0; me.phase < me.phases.size(); ++me.phase) {
      const PlanPhase& phase = me.phases[me.phase];
      switch (phase.kind) {
        case PhaseKind::read: run_storage(me, schedule.reads, share, comms_started); break;
        case PhaseKind::compute:
          for (std::size_t i = 0; i < steps.size(); ++i) {
            const auto& [host, step] = steps[i];
            const double flops = step.flops * share * (me.compute_parts.empty() ? 1 : me.compute_parts[phase.index][i]);
            if (flops <= 0) continue;
            sg4::ExecPtr exec = sg4::Exec::init()->set_host(host)->set_flops_amount(flops);
            if (step.bound_flops > 0) exec->set_bound(step.bound_flops);
            exec->start();
            me.execs.push_back(exec);
            me.flops.push_back(flops);
          }
          for (auto& exec : me.execs) exec->wait();
          me.execs.clear();
          me.flops.clear();
          break;
        case PhaseKind::round:
          for (const auto& [from, to, bytes] : schedule.rounds[phase.index]) {
            double amount = std::max(1.0, std::round(bytes * share));
            ++comms_started;
            me.comms.push_back(sg4::Comm::sendto_async(from, to, static_cast<std::uint64_t>(amount)));
            me.comm_bytes.push_back(amount);
          }
          for (auto& comm : me.comms) comm->wait();
          me.comms.clear();
          me.comm_bytes.clear();
          break;
        case PhaseKind::wait:
          me.wait_started_s = sg4::Engine::get_clock();
          sg4::this_actor::sleep_for(me.wait_s);
          break;
        case PhaseKind::write: run_storage(me, schedule.writes, 1, comms_started); break;
      }
    }
  }
}

namespace {

// Storage steps together, `share` of their bytes: each one's disk I/O on the storage host and its
// transfer at once (the step ends when both have).
void run_storage(ActiveJob& me, const std::vector<StorageIo>& steps, double share, long long& comms_started) {
  if (steps.empty()) return;
  for (const auto& io : steps) {
    auto bytes = static_cast<sg_size_t>(std::max(1.0, std::round(io.bytes * share)));
    me.ios.push_back(io.write ? io.disk->write_async(bytes) : io.disk->read_async(bytes));
    me.ios.push_back(sg4::Comm::sendto_async(io.from, io.to, bytes));
    me.io_bytes.insert(me.io_bytes.end(), 2, static_cast<double>(bytes));
    comms_started += 2;  // the disk I/O counted with the communications
  }
  for (auto& a : me.ios) a->wait();
  me.ios.clear();
  me.io_bytes.clear();
}

}  // namespace

}  // namespace aidcsim
