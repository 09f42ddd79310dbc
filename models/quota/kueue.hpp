#pragma once
// quota.policy "kueue" (docs/quota.md): Kueue's admission — ClusterQueues, cohorts, borrowing,
// lending, queueing strategies, flavor assignment, classic and fair-sharing preemption — on the
// quota tree of models/quota/quota_tree.hpp.
#include <array>
#include <set>
#include <tuple>
#include <vector>

#include "models/quota/kueue_config.hpp"
#include "models/quota/quota_books.hpp"
#include "sim/core/core.hpp"
#include "sim/policy/quota.hpp"

namespace aidcsim {

class KueuePolicy final : public QuotaPolicy, private EventHandler {
 public:
  KueuePolicy(KueueConfig config, const std::vector<JobSpec>& jobs);

  void submitted(JobIndex j, QuotaContext& ctx) override;
  void admit(QuotaContext& ctx) override;
  void completed(JobIndex j, QuotaContext& ctx) override;
  std::vector<std::string> job_columns() const override { return books_.job_columns(); }
  void append_job_fields(JobIndex j, const JobSpec& spec, const JobRun& run, std::string& line) const override {
    books_.append_job_fields(j, spec, run.start_s, line);
  }
  void sample(double now, std::vector<Sample>& out) override;
  QuotaReport report(double end_s) override;
  std::string admissions_csv(const std::vector<JobSpec>& jobs) const override { return books_.admissions_csv(jobs); }

  // A victim chosen by preemption, with Kueue's reason.
  struct Target {
    JobIndex job;
    const char* reason;
  };

 private:
  enum class Mode { fit, preempt, no_fit };
  struct Nomination {
    int flavor = -1;
    Mode mode = Mode::no_fit;
    bool borrows = false;
    std::vector<Target> targets;
  };
  // Order within a ClusterQueue: higher priority, then earlier queue time, then job index.
  using Key = std::tuple<int, double, JobIndex>;  // (-priority, queue time, job)
  // A queue's waiting jobs in queue order. Kueue keeps an active heap and an inadmissible set, and
  // moves every inadmissible job back on each release; here a job set aside is flagged with the
  // queue's epoch, and a release bumps the epoch (all return at once), so nothing moves.
  struct QueueState {
    std::set<Key> pending;
    std::set<Key>::iterator cursor;  // every pending job before it is set aside in this epoch
    std::uint32_t epoch = 1;
    std::vector<JobIndex> admitted;  // in no particular order (KueuePolicy::admitted_slot_)
    JobIndex sticky = ~JobIndex(0);  // a preemptor waiting for its victims: it stays head (cluster_queue.go)
  };

  Key key(JobIndex j) const { return {-priority_[j], queue_time_s_[j], j}; }
  Nomination nominate(JobIndex j, int q);
  bool flavor_eligible(JobIndex j, int flavor) const;
  QuotaAmount demand(JobIndex j, int r) const { return demand_[std::size_t(j) * kQuotaResources + r]; }
  void charge(JobIndex j, int q, int flavor, bool add);
  void do_admit(JobIndex j, int q, int flavor, QuotaContext& ctx);
  void do_evict(JobIndex j, const char* reason, QuotaContext& ctx);
  void requeue_inadmissible(int q);
  void pending_insert(int q, JobIndex j);
  void pending_erase(int q, JobIndex j);
  JobIndex head(int q);  // kNoJob when every waiting job is set aside
  bool set_aside(int q, JobIndex j) const { return aside_epoch_[j] == queues_[q].epoch; }
  std::vector<std::uint32_t> aside_epoch_;
  void on_event(std::uint64_t payload, double now_s) override;
  // Kueue's preemption (kueue_preemption.cpp): victims that let j fit in `flavor`, or none.
  std::vector<Target> classic_targets(JobIndex j, int q, int flavor);
  std::vector<Target> fair_targets(JobIndex j, int q, int flavor);
  bool fits(JobIndex j, int q, int flavor, bool allow_borrowing) const;
  // Fair sharing: the weighted dominant resource share of a tree node (with `extra` j's demand in flavor).
  double weighted_share(int node, JobIndex extra = kNoJob, int flavor = -1) const;
  void integrate(double now);

  static constexpr JobIndex kNoJob = ~JobIndex(0);
  KueueConfig c_;
  QuotaBooks books_;
  std::vector<int> queue_of_;     // per job; from its tenant
  std::vector<int> priority_;
  std::vector<double> queue_time_s_;  // submission, or eviction time after a pods-ready timeout
  std::vector<QuotaAmount> demand_;   // per job x resource
  std::vector<int> flavor_of_;        // while admitted
  std::vector<double> reserved_s_;    // time of the current admission
  std::vector<std::uint64_t> admission_seq_;  // order of admissions: the preemption order's "most recent"
  std::uint64_t admissions_ = 0;
  std::vector<int> requeues_;         // pods-ready timeouts so far
  std::vector<char> admitted_;
  std::vector<std::uint32_t> admitted_slot_;  // position in its queue's admitted list
  std::vector<std::array<QuotaAmount, kQuotaResources>> largest_admitted_;  // per queue, ever (a bound)
  std::vector<int> root_of_queue_;            // dense index of its cohort tree
  int roots_ = 0;
  void add_admitted(int q, JobIndex j);
  void remove_admitted(int q, JobIndex j);
  std::vector<QueueState> queues_;
  std::vector<std::vector<int>> child_nodes_;  // per tree node
  std::vector<int> queue_of_node_;             // tree node -> queue index, -1 for cohorts
  bool dirty_ = false;
  // Jobs evicted at held_since_s_: they rejoin their queues at the first admission pass after that
  // instant (their pods are still stopping), so two queues cannot take turns for ever at one instant.
  std::vector<JobIndex> held_;
  double held_since_s_ = 0;
  QuotaContext* ctx_ = nullptr;  // during a callback, for timers
  // Borrowed / lent GPU-seconds per queue, integrated between usage changes.
  double last_change_s_ = 0;
  std::vector<double> borrowed_gpu_s_, lent_gpu_s_;
};

}  // namespace aidcsim
