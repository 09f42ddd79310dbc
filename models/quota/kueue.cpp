// Kueue's admission cycle (kueue pkg/scheduler/scheduler.go, pkg/cache/queue/cluster_queue.go;
// docs/quota.md states each rule and where aidcsim simplifies it).
#include "models/quota/kueue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace aidcsim {

namespace {
std::vector<std::string> names_of(const KueueConfig& c, bool queues) {
  std::vector<std::string> out;
  if (queues)
    for (const auto& q : c.queues) out.push_back(q.name);
  else
    for (const auto& f : c.flavors) out.push_back(f.name);
  return out;
}
constexpr std::uint64_t kTimeoutEvent = 0, kRequeueEvent = 1;
constexpr std::uint64_t kRejoinEvent = ~std::uint64_t(0);  // a pass after evictions (payload of no job)
}  // namespace

KueuePolicy::KueuePolicy(KueueConfig config, const std::vector<JobSpec>& jobs)
    : c_(std::move(config)),
      books_(jobs.size(), names_of(c_, true), names_of(c_, false), "queue") {
  queue_of_.assign(jobs.size(), -1);
  priority_.resize(jobs.size());
  queue_time_s_.resize(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    auto it = c_.tenant_queue.find(jobs[j].tenant);
    if (it != c_.tenant_queue.end()) queue_of_[j] = it->second;
    priority_[j] = jobs[j].priority;
    queue_time_s_[j] = jobs[j].submit_s;
  }
  demand_.assign(jobs.size() * kQuotaResources, 0);
  flavor_of_.assign(jobs.size(), -1);
  reserved_s_.assign(jobs.size(), 0);
  admission_seq_.assign(jobs.size(), 0);
  requeues_.assign(jobs.size(), 0);
  admitted_.assign(jobs.size(), 0);
  queues_.resize(c_.queues.size());
  for (auto& state : queues_) state.cursor = state.pending.end();
  aside_epoch_.assign(jobs.size(), 0);
  child_nodes_.resize(c_.tree.size());
  queue_of_node_.assign(c_.tree.size(), -1);
  for (int n = 0; n < c_.tree.size(); ++n)
    if (c_.tree.parent(n) >= 0) child_nodes_[c_.tree.parent(n)].push_back(n);
  for (std::size_t q = 0; q < c_.queues.size(); ++q) queue_of_node_[c_.queues[q].node] = static_cast<int>(q);
  borrowed_gpu_s_.assign(c_.queues.size(), 0);
  lent_gpu_s_.assign(c_.queues.size(), 0);
  admitted_slot_.assign(jobs.size(), 0);
  largest_admitted_.assign(c_.queues.size(), {});
  std::map<int, int> dense;
  for (const auto& queue : c_.queues)
    root_of_queue_.push_back(dense.try_emplace(c_.tree.root(queue.node), static_cast<int>(dense.size())).first->second);
  roots_ = static_cast<int>(dense.size());
}

void KueuePolicy::pending_insert(int q, JobIndex j) {
  QueueState& s = queues_[q];
  auto it = s.pending.insert(key(j)).first;
  aside_epoch_[j] = 0;
  if (s.cursor == s.pending.end() || key(j) < *s.cursor) s.cursor = it;
}

void KueuePolicy::pending_erase(int q, JobIndex j) {
  QueueState& s = queues_[q];
  auto it = s.pending.find(key(j));
  if (it == s.pending.end()) return;
  if (it == s.cursor) s.cursor = s.pending.erase(it);
  else s.pending.erase(it);
}

JobIndex KueuePolicy::head(int q) {
  QueueState& s = queues_[q];
  while (s.cursor != s.pending.end() && set_aside(q, std::get<2>(*s.cursor))) ++s.cursor;
  return s.cursor == s.pending.end() ? kNoJob : std::get<2>(*s.cursor);
}

void KueuePolicy::add_admitted(int q, JobIndex j) {
  for (int r = 0; r < kQuotaResources; ++r) largest_admitted_[q][r] = std::max(largest_admitted_[q][r], demand(j, r));
  admitted_slot_[j] = static_cast<std::uint32_t>(queues_[q].admitted.size());
  queues_[q].admitted.push_back(j);
}

void KueuePolicy::remove_admitted(int q, JobIndex j) {
  auto& list = queues_[q].admitted;
  JobIndex last = list.back();
  list[admitted_slot_[j]] = last;
  admitted_slot_[last] = admitted_slot_[j];
  list.pop_back();
}

void KueuePolicy::submitted(JobIndex j, QuotaContext& ctx) {
  ctx_ = &ctx;
  const Request& r = ctx.request_of(j);
  demand_[std::size_t(j) * kQuotaResources + 0] = static_cast<QuotaAmount>(r.gpus) * (ctx.exclusive_gpus() ? kWholeGpuMilli : ctx.spec(j).gpu_milli);
  demand_[std::size_t(j) * kQuotaResources + 1] = static_cast<QuotaAmount>(std::llround(r.cpus * 1000));
  demand_[std::size_t(j) * kQuotaResources + 2] = static_cast<QuotaAmount>(std::llround(r.mem_gib * 1024));
  int q = queue_of_[j];
  books_.submitted(j, q, ctx.spec(j).submit_s);
  // A job larger than its ClusterQueue could ever hold in any flavor can never be admitted.
  bool possible = false;
  for (int f : c_.queues[q].flavors) {
    if (!flavor_eligible(j, f)) continue;
    bool fits_here = true;
    for (int r2 = 0; r2 < kQuotaResources; ++r2)
      if (c_.queues[q].covered[r2] && demand(j, r2) > c_.tree.potential_available(c_.queues[q].node, c_.fr(f, r2)))
        fits_here = false;
    possible = possible || fits_here;
  }
  if (!possible) {
    books_.rejected(j);
    ctx.reject(j, fmt::format("needs more quota than ClusterQueue \"{}\" can ever offer in any of its flavors "
                              "(nominal quota + what its cohort may lend, within its borrowing_limit)", c_.queues[q].name));
    return;
  }
  pending_insert(q, j);
  dirty_ = true;
}

bool KueuePolicy::flavor_eligible(JobIndex j, int flavor) const {
  const KueueFlavor& f = c_.flavors[flavor];
  if (f.all_servers) return true;
  // Its servers must have as many GPUs of an allowed model as the job asks for.
  const Request* r = nullptr;
  if (ctx_) r = &ctx_->request_of(j);
  if (!r || r->gpus == 0) return true;
  long long gpus = 0;
  for (std::size_t m = 0; m < f.gpus_by_model.size(); ++m)
    if (r->model_allowed.empty() || r->model_allowed[m]) gpus += f.gpus_by_model[m];
  return gpus >= r->gpus;
}

void KueuePolicy::integrate(double now) {
  double dt = now - last_change_s_;
  if (dt > 0) {
    // Per cohort tree: what the borrowing queues take beyond their nominal is lent by the queues
    // below theirs, in proportion to the quota they leave unused (GPUs, every flavor).
    std::vector<double> borrowed(c_.queues.size(), 0), idle(c_.queues.size(), 0);
    std::vector<std::pair<double, double>> by_root(roots_, {0.0, 0.0});  // (borrowed, idle) per cohort tree
    for (std::size_t q = 0; q < c_.queues.size(); ++q) {
      int node = c_.queues[q].node;
      for (int f : c_.queues[q].flavors) {
        int fr = c_.fr(f, 0);
        double used = c_.tree.usage(node, fr) / 1000.0, nominal = c_.tree.subtree_quota(node, fr) / 1000.0;
        borrowed[q] += std::max(0.0, used - nominal);
        idle[q] += std::max(0.0, nominal - used);
      }
      auto& [b, i] = by_root[root_of_queue_[q]];
      b += borrowed[q];
      i += idle[q];
    }
    for (std::size_t q = 0; q < c_.queues.size(); ++q) {
      borrowed_gpu_s_[q] += borrowed[q] * dt;
      const auto& [b, i] = by_root[root_of_queue_[q]];
      if (b > 0 && i > 0) lent_gpu_s_[q] += b * idle[q] / i * dt;
    }
  }
  last_change_s_ = std::max(last_change_s_, now);
}

void KueuePolicy::charge(JobIndex j, int q, int flavor, bool add) {
  int node = c_.queues[q].node;
  for (int r = 0; r < kQuotaResources; ++r) {
    if (!c_.queues[q].covered[r] || demand(j, r) == 0) continue;
    if (add) c_.tree.add_usage(node, c_.fr(flavor, r), demand(j, r));
    else c_.tree.remove_usage(node, c_.fr(flavor, r), demand(j, r));
  }
}

bool KueuePolicy::fits(JobIndex j, int q, int flavor, bool allow_borrowing) const {
  int node = c_.queues[q].node;
  for (int r = 0; r < kQuotaResources; ++r) {
    QuotaAmount v = demand(j, r);
    if (!c_.queues[q].covered[r] || v == 0) continue;
    int fr = c_.fr(flavor, r);
    if (!allow_borrowing && c_.tree.borrowing_with(node, fr, v)) return false;
    if (v > std::max<QuotaAmount>(0, c_.tree.available(node, fr))) return false;
  }
  return true;
}

// Flavor assignment (kueue pkg/scheduler/flavorassigner): flavors in order; a fit without borrowing
// is taken at once; preference Fit > Fit+borrow > Preempt > Preempt+borrow; whenCanBorrow and
// whenCanPreempt say whether a borrowing or preempting option ends the search.
KueuePolicy::Nomination KueuePolicy::nominate(JobIndex j, int q) {
  const KueueQueue& queue = c_.queues[q];
  int node = queue.node;
  Nomination best;
  int best_rank = 4;
  for (int f : queue.flavors) {
    if (!flavor_eligible(j, f)) continue;
    Mode mode = Mode::fit;
    bool borrows = false, may_preempt = true;
    for (int r = 0; r < kQuotaResources; ++r) {
      QuotaAmount v = demand(j, r);
      if (!queue.covered[r] || v == 0) continue;
      int fr = c_.fr(f, r);
      if (c_.tree.borrowing_with(node, fr, v)) borrows = true;
      if (v > c_.tree.potential_available(node, fr)) mode = Mode::no_fit;
      else if (v > std::max<QuotaAmount>(0, c_.tree.available(node, fr)) && mode == Mode::fit) {
        mode = Mode::preempt;
        // Preemption is tried only when the request is within nominal quota, or the queue may
        // preempt while borrowing (kueue flavorassigner.go fitsResourceQuota).
        bool reclaim_in_tree = c_.tree.parent(node) >= 0 && queue.reclaim_within_cohort != PreemptionPolicy::never;
        if (!(c_.tree.quota(node, fr).nominal >= v || queue.borrow_within_cohort || (c_.fair_sharing && reclaim_in_tree) ||
              (reclaim_in_tree && c_.tree.parent(c_.tree.parent(node)) >= 0)))
          may_preempt = false;
      }
    }
    Nomination n;
    n.flavor = f;
    n.mode = mode;
    n.borrows = borrows;
    if (mode == Mode::preempt) {
      n.targets = may_preempt ? (c_.fair_sharing ? fair_targets(j, q, f) : classic_targets(j, q, f)) : std::vector<Target>{};
      if (n.targets.empty()) n.mode = Mode::no_fit;
    }
    int rank = n.mode == Mode::no_fit ? 4 : (n.mode == Mode::fit ? 0 : 2) + (n.borrows ? 1 : 0);
    if (rank < best_rank) {
      best = std::move(n);
      best_rank = rank;
    }
    if (best_rank == 0 || (best_rank == 1 && queue.stop_when_can_borrow) || (best_rank <= 3 && best_rank >= 2 && queue.stop_when_can_preempt))
      break;
  }
  return best;
}

void KueuePolicy::do_admit(JobIndex j, int q, int flavor, QuotaContext& ctx) {
  integrate(ctx.now());
  pending_erase(q, j);
  add_admitted(q, j);
  charge(j, q, flavor, true);
  admitted_[j] = 1;
  flavor_of_[j] = flavor;
  reserved_s_[j] = ctx.now();
  admission_seq_[j] = ++admissions_;
  books_.admitted(j, flavor, ctx.now(), !ctx.has_started(j));
  const KueueFlavor& f = c_.flavors[flavor];
  ctx.admit(j, f.all_servers ? nullptr : &f.servers);
  if (c_.wait_for_pods_ready_s > 0 && !ctx.has_started(j))
    ctx.at(ctx.now() + c_.wait_for_pods_ready_s, this, (std::uint64_t(j) << 1) | kTimeoutEvent);
}

void KueuePolicy::do_evict(JobIndex j, const char* reason, QuotaContext& ctx) {
  integrate(ctx.now());
  int q = queue_of_[j];
  ctx.evict(j, c_.restart_cost_s);
  charge(j, q, flavor_of_[j], false);
  remove_admitted(q, j);
  // Back in its queue with its original timestamp, after this instant.
  if (held_.empty()) ctx.at(ctx.now() + 1, this, kRejoinEvent);
  held_.push_back(j);
  held_since_s_ = ctx.now();
  admitted_[j] = 0;
  flavor_of_[j] = -1;
  books_.released(j, ctx.now(), reason, true);
  requeue_inadmissible(q);
}

void KueuePolicy::requeue_inadmissible(int q) {
  // Kueue requeues the inadmissible workloads of every ClusterQueue of the cohort tree when usage
  // there is released (QueueAssociatedInadmissibleWorkloadsAfter).
  int root = c_.tree.root(c_.queues[q].node);
  for (std::size_t other = 0; other < c_.queues.size(); ++other) {
    if (c_.tree.root(c_.queues[other].node) != root) continue;
    auto& s = queues_[other];
    ++s.epoch;
    s.cursor = s.pending.begin();
  }
  dirty_ = true;
}

void KueuePolicy::completed(JobIndex j, QuotaContext& ctx) {
  if (!admitted_[j]) return;
  integrate(ctx.now());
  int q = queue_of_[j];
  charge(j, q, flavor_of_[j], false);
  remove_admitted(q, j);
  admitted_[j] = 0;
  books_.released(j, ctx.now(), "completed", false);
  requeue_inadmissible(q);
}

void KueuePolicy::on_event(std::uint64_t payload, double now_s) {
  (void)now_s;
  if (payload == kRejoinEvent) {
    dirty_ = true;  // admit() puts the held jobs back
    return;
  }
  JobIndex j = static_cast<JobIndex>(payload >> 1);
  QuotaContext& ctx = *ctx_;
  if ((payload & 1) == kTimeoutEvent) {
    // waitForPodsReady: admitted but not running after the timeout: evicted, requeued after a backoff.
    if (!admitted_[j] || ctx.is_running(j) || ctx.has_started(j) || reserved_s_[j] + c_.wait_for_pods_ready_s > ctx.now() + 1e-9) return;
    do_evict(j, "PodsReadyTimeout", ctx);
    held_.pop_back();  // it waits for its backoff instead
    double wait = std::min(c_.requeue_max_s, c_.requeue_base_s * std::pow(2.0, requeues_[j]++));
    queue_time_s_[j] = ctx.now();  // requeuingStrategy.timestamp: Eviction
    ctx.at(ctx.now() + wait, this, (std::uint64_t(j) << 1) | kRequeueEvent);
    return;
  }
  pending_insert(queue_of_[j], j);
  dirty_ = true;
}

void KueuePolicy::admit(QuotaContext& ctx) {
  ctx_ = &ctx;
  if (!held_.empty() && ctx.now() > held_since_s_) {
    for (JobIndex j : held_) pending_insert(queue_of_[j], j);
    held_.clear();
    dirty_ = true;
  }
  if (!dirty_) return;
  dirty_ = false;
  struct Entry {
    JobIndex job;
    int queue;
    Nomination n;
    double share;
  };
  // Cycles at this instant until nothing changes: one head per ClusterQueue each (scheduler.go).
  for (int cycle = 0; cycle < 1000000; ++cycle) {
    std::vector<Entry> entries;
    for (std::size_t q = 0; q < queues_.size(); ++q) {
      QueueState& state = queues_[q];
      JobIndex j = head(static_cast<int>(q));
      if (j == kNoJob) continue;
      if (state.sticky != kNoJob && state.pending.count(key(state.sticky)) && !set_aside(static_cast<int>(q), state.sticky))
        j = state.sticky;
      state.sticky = kNoJob;
      Nomination n = nominate(j, static_cast<int>(q));
      double share = c_.fair_sharing && n.flavor >= 0 ? weighted_share(c_.queues[q].node, j, n.flavor) : 0;
      entries.push_back({j, static_cast<int>(q), std::move(n), share});
    }
    if (entries.empty()) break;
    // Classic order: not borrowing first, higher priority, older; fair sharing: lowest share after
    // admission first (flat over the cohort tree; docs/quota.md).
    std::stable_sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
      if (c_.fair_sharing && a.share != b.share) return a.share < b.share;
      if (a.n.borrows != b.n.borrows) return !a.n.borrows;
      return key(a.job) < key(b.job);
    });
    bool changed = false;
    std::set<JobIndex> victims;
    std::vector<const Entry*> reserved;
    for (auto& e : entries) {
      const KueueQueue& queue = c_.queues[e.queue];
      if (e.n.mode == Mode::fit) {
        // Admissions earlier in this cycle may have taken the quota: then it waits for the next cycle.
        if (fits(e.job, e.queue, e.n.flavor, true)) {
          do_admit(e.job, e.queue, e.n.flavor, ctx);
          changed = true;
        }
      } else if (e.n.mode == Mode::preempt) {
        bool overlap = std::any_of(e.n.targets.begin(), e.n.targets.end(), [&](const Target& t) { return victims.count(t.job) || !admitted_[t.job]; });
        if (overlap) continue;
        for (const auto& t : e.n.targets) {
          victims.insert(t.job);
          do_evict(t.job, t.reason, ctx);
        }
        // The preemptor's quota is reserved for the rest of the cycle, so later heads cannot take
        // what its victims freed (scheduler.go: cq.AddUsage before issuing the preemptions); it stays
        // its queue's head and is admitted in the next cycle.
        charge(e.job, e.queue, e.n.flavor, true);
        reserved.push_back(&e);
        queues_[e.queue].sticky = e.job;
        changed = true;
      } else if (!queue.strict_fifo) {
        aside_epoch_[e.job] = queues_[e.queue].epoch;
        changed = true;
      }
    }
    for (const Entry* e : reserved) charge(e->job, e->queue, e->n.flavor, false);
    if (!changed) break;
  }
  dirty_ = false;
}

void KueuePolicy::sample(double now, std::vector<Sample>& out) {
  integrate(now);
  for (std::size_t q = 0; q < c_.queues.size(); ++q) {
    int node = c_.queues[q].node;
    double used = 0, borrowed = 0, pending = 0;
    for (int f : c_.queues[q].flavors) {
      int fr = c_.fr(f, 0);
      used += c_.tree.usage(node, fr) / 1000.0;
      borrowed += std::max<QuotaAmount>(0, c_.tree.usage(node, fr) - c_.tree.subtree_quota(node, fr)) / 1000.0;
    }
    for (const Key& k : queues_[q].pending) pending += demand(std::get<2>(k), 0) / 1000.0;
    out.push_back({"quota_gpus_used", c_.queues[q].name, used});
    out.push_back({"quota_gpus_borrowed", c_.queues[q].name, borrowed});
    out.push_back({"quota_gpus_pending", c_.queues[q].name, pending});
  }
}

QuotaReport KueuePolicy::report(double end_s) {
  integrate(end_s);
  QuotaReport r;
  r.policy = "kueue";
  r.groups = books_.group_reports();
  r.settings = {{"fair_sharing", c_.fair_sharing}, {"wait_for_pods_ready", c_.wait_for_pods_ready_s > 0}};
  auto amount = [](int resource, QuotaAmount v) { return v / (resource == 2 ? 1024.0 : 1000.0); };
  auto limits_of = [&](int node, const std::vector<int>& flavors, const std::array<bool, kQuotaResources>& covered) {
    nlohmann::json out = nlohmann::json::object();
    for (int f : flavors)
      for (int res = 0; res < kQuotaResources; ++res) {
        if (!covered[res]) continue;
        const FrQuota& fq = c_.tree.quota(node, c_.fr(f, res));
        out[c_.flavors[f].name][kQuotaResourceNames[res]] = {
            {"nominal", amount(res, fq.nominal)},
            {"borrowing_limit", fq.borrowing_limit ? nlohmann::json(amount(res, *fq.borrowing_limit)) : nlohmann::json(nullptr)},
            {"lending_limit", fq.lending_limit ? nlohmann::json(amount(res, *fq.lending_limit)) : nlohmann::json(nullptr)}};
      }
    return out;
  };
  auto policy_name = [](PreemptionPolicy p) {
    switch (p) {
      case PreemptionPolicy::lower_priority: return "LowerPriority";
      case PreemptionPolicy::lower_or_newer_equal_priority: return "LowerOrNewerEqualPriority";
      case PreemptionPolicy::any: return "Any";
      default: return "Never";
    }
  };
  for (std::size_t q = 0; q < r.groups.size(); ++q) {
    const KueueQueue& queue = c_.queues[q];
    int parent = c_.tree.parent(queue.node);
    r.groups[q].config = {{"cohort", parent >= 0 ? nlohmann::json(c_.tree.name(parent)) : nlohmann::json(nullptr)},
                          {"queueing_strategy", queue.strict_fifo ? "StrictFIFO" : "BestEffortFIFO"},
                          {"flavors", limits_of(queue.node, queue.flavors, queue.covered)},
                          {"preemption",
                           {{"within_cluster_queue", policy_name(queue.within_cluster_queue)},
                            {"reclaim_within_cohort", policy_name(queue.reclaim_within_cohort)},
                            {"borrow_within_cohort", queue.borrow_within_cohort ? "LowerPriority" : "Never"}}},
                          {"fair_sharing_weight", queue.weight}};
    r.groups[q].kind = "cluster_queue";
    r.groups[q].borrowed_gpu_s = borrowed_gpu_s_[q];
    r.groups[q].lent_gpu_s = lent_gpu_s_[q];
  }
  // Cohorts: the sums of their ClusterQueues (whole subtree).
  for (int cohort : c_.cohorts) {
    QuotaGroupReport g;
    g.kind = "cohort";
    g.name = c_.tree.name(cohort);
    std::vector<int> all_flavors;
    for (std::size_t f = 0; f < c_.flavors.size(); ++f) all_flavors.push_back(static_cast<int>(f));
    int parent = c_.tree.parent(cohort);
    g.config = {{"parent", parent >= 0 ? nlohmann::json(c_.tree.name(parent)) : nlohmann::json(nullptr)},
                {"flavors", limits_of(cohort, all_flavors, {true, true, true})}};
    for (std::size_t q = 0; q < c_.queues.size(); ++q) {
      bool inside = false;
      for (int n = c_.queues[q].node; n >= 0 && !inside; n = c_.tree.parent(n)) inside = n == cohort;
      if (!inside) continue;
      const QuotaGroupReport& m = r.groups[q];
      g.admitted += m.admitted;
      g.rejected += m.rejected;
      g.peak_pending += m.peak_pending;  // an upper bound: the members' peaks need not coincide
      g.admission_delays_s.insert(g.admission_delays_s.end(), m.admission_delays_s.begin(), m.admission_delays_s.end());
      g.borrowed_gpu_s += m.borrowed_gpu_s;
      g.lent_gpu_s += m.lent_gpu_s;
      for (const auto& [why, n] : m.preemptions) g.preemptions[why] += n;
    }
    r.groups.push_back(std::move(g));
  }
  return r;
}

}  // namespace aidcsim

#include "models/quota/quotas.hpp"

namespace aidcsim {

std::unique_ptr<QuotaPolicy> make_kueue(PolicyArgs& args) {
  KueueConfig config = read_kueue_config(args.options, args.cluster, args.jobs);
  return std::make_unique<KueuePolicy>(std::move(config), args.jobs);
}

std::unique_ptr<QuotaPolicy> make_no_quota(PolicyArgs&) { return nullptr; }

}  // namespace aidcsim
