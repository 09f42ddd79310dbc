// Kueue's preemption (kueue pkg/scheduler/preemption: preemption.go, classical/candidate_generator.go,
// classical/hierarchical_preemption.go, common/ordering.go, fairsharing/*): which admitted jobs are
// evicted so that a ClusterQueue's head fits. Victims are chosen on the quota tree, then put back
// before returning (the caller evicts them).
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/quota/kueue.hpp"

namespace aidcsim {

namespace {
const char* const kInClusterQueue = "InClusterQueue";
const char* const kInCohortReclamation = "InCohortReclamation";
const char* const kInCohortReclaimWhileBorrowing = "InCohortReclaimWhileBorrowing";
const char* const kInCohortFairSharing = "InCohortFairSharing";

enum class Variant { within_cq, hierarchical_reclaim, reclaim_without_borrowing, reclaim_while_borrowing };

const char* reason_of(Variant v) {
  switch (v) {
    case Variant::within_cq: return kInClusterQueue;
    case Variant::reclaim_while_borrowing: return kInCohortReclaimWhileBorrowing;
    default: return kInCohortReclamation;
  }
}
}  // namespace

// common/preemption_policy.go SatisfiesPreemptionPolicy.
static bool satisfies(PreemptionPolicy p, int preemptor_priority, double preemptor_time, int candidate_priority,
                      double candidate_time) {
  switch (p) {
    case PreemptionPolicy::never: return false;
    case PreemptionPolicy::lower_priority: return candidate_priority < preemptor_priority;
    case PreemptionPolicy::lower_or_newer_equal_priority:
      return candidate_priority < preemptor_priority ||
             (candidate_priority == preemptor_priority && preemptor_time < candidate_time);
    case PreemptionPolicy::any: return true;
  }
  return false;
}

std::vector<KueuePolicy::Target> KueuePolicy::classic_targets(JobIndex j, int q, int flavor) {
  const KueueQueue& queue = c_.queues[q];
  const int node = queue.node;
  if (queue.within_cluster_queue == PreemptionPolicy::never &&
      (c_.tree.parent(node) < 0 || queue.reclaim_within_cohort == PreemptionPolicy::never))
    return {};  // no candidate can exist
  std::vector<int> needs;  // flavor-resources where j needs preemption
  std::vector<std::pair<int, QuotaAmount>> requests;
  for (int r = 0; r < kQuotaResources; ++r) {
    QuotaAmount v = demand(j, r);
    if (!queue.covered[r] || v == 0) continue;
    int fr = c_.fr(flavor, r);
    requests.emplace_back(fr, v);
    if (v > std::max<QuotaAmount>(0, c_.tree.available(node, fr))) needs.push_back(fr);
  }
  // A cheap bound first: could evicting every possible candidate make room at all? (Most waiting heads
  // cannot be helped, and scanning and ordering the candidates is what costs here.) A queue of the
  // cohort gives up jobs only while it borrows: at most its excess plus one job.
  // In a flat cohort without borrow_within_cohort, other queues' jobs can only be taken by a preemptor
  // that then fits within its own nominal quota (hierarchical_preemption.go: the others are
  // ReclaimWithoutBorrowing candidates, unusable when the preemptor borrows).
  bool within_own = std::all_of(requests.begin(), requests.end(), [&](const std::pair<int, QuotaAmount>& req) {
    return c_.tree.usage(node, req.first) + req.second <= c_.tree.subtree_quota(node, req.first);
  });
  const bool flat = c_.tree.parent(node) >= 0 && c_.tree.parent(c_.tree.parent(node)) < 0;
  const bool reclaim = c_.tree.parent(node) >= 0 && queue.reclaim_within_cohort != PreemptionPolicy::never &&
                       (within_own || queue.borrow_within_cohort || !flat);
  for (int fr : needs) {
    int r = fr % kQuotaResources;
    QuotaAmount freeable = std::max<QuotaAmount>(0, c_.tree.available(node, fr));
    if (queue.within_cluster_queue != PreemptionPolicy::never) freeable += c_.tree.usage(node, fr);
    if (reclaim)
      for (std::size_t o = 0; o < c_.queues.size(); ++o) {
        int other = c_.queues[o].node;
        if (static_cast<int>(o) == q || root_of_queue_[o] != root_of_queue_[q] || c_.tree.within_nominal(other, fr)) continue;
        freeable += c_.tree.usage(other, fr) - c_.tree.subtree_quota(other, fr) + largest_admitted_[o][r];
      }
    if (demand(j, r) > freeable) return {};
  }
  auto uses_needed = [&](JobIndex w) {
    int wq = queue_of_[w];
    for (int fr : needs)
      if (fr / kQuotaResources == flavor_of_[w] && c_.queues[wq].covered[fr % kQuotaResources] && demand(w, fr % kQuotaResources) > 0)
        return true;
    return false;
  };
  auto within_nominal = [&](int n) {
    return std::all_of(needs.begin(), needs.end(), [&](int fr) { return c_.tree.within_nominal(n, fr); });
  };
  struct Candidate {
    JobIndex job;
    Variant variant;
    int lca;
  };
  auto classify = [&](JobIndex w, bool advantage) -> std::optional<Variant> {
    if (!uses_needed(w)) return std::nullopt;
    bool same = queue_of_[w] == q;
    PreemptionPolicy p = same ? queue.within_cluster_queue : queue.reclaim_within_cohort;
    if (!satisfies(p, priority_[j], queue_time_s_[j], priority_[w], queue_time_s_[w])) return std::nullopt;
    if (same) return Variant::within_cq;
    if (advantage) return Variant::hierarchical_reclaim;
    if (!queue.borrow_within_cohort) return Variant::reclaim_without_borrowing;
    bool above = priority_[w] >= priority_[j] || (queue.max_priority_threshold && priority_[w] > *queue.max_priority_threshold);
    return above ? Variant::reclaim_without_borrowing : Variant::reclaim_while_borrowing;
  };
  std::vector<Candidate> same_queue, hierarchy, by_priority;
  if (queue.within_cluster_queue != PreemptionPolicy::never)
    for (JobIndex w : queues_[q].admitted)
      if (auto v = classify(w, false)) same_queue.push_back({w, *v, -1});
  if (c_.tree.parent(node) >= 0 && queue.reclaim_within_cohort != PreemptionPolicy::never) {
    // Walk up from the queue: at each cohort, the borrowing queues below it (not below the previous one).
    bool advantage = true;
    std::vector<std::pair<int, QuotaAmount>> remaining;
    for (const auto& [fr, v] : requests) {
      if (c_.tree.subtree_quota(node, fr) < c_.tree.usage(node, fr) + v) advantage = false;
      remaining.emplace_back(fr, std::max<QuotaAmount>(0, v - c_.tree.local_available(node, fr)));
    }
    int previous = -1;
    for (int cur = c_.tree.parent(node); cur >= 0; cur = c_.tree.parent(cur)) {
      std::vector<Candidate>& list = advantage ? hierarchy : by_priority;
      std::vector<int> stack = {cur};
      while (!stack.empty()) {
        int n = stack.back();
        stack.pop_back();
        for (int child : child_nodes_[n]) {
          if (child == previous || child == node) continue;
          if (!c_.tree.is_cluster_queue(child)) {
            if (!within_nominal(child)) stack.push_back(child);
            continue;
          }
          if (within_nominal(child)) continue;
          for (JobIndex w : queues_[queue_of_node_[child]].admitted)
            if (auto v = classify(w, advantage)) list.push_back({w, *v, cur});
        }
      }
      bool fits_here = true;
      for (auto& [fr, v] : remaining) {
        if (c_.tree.subtree_quota(cur, fr) < c_.tree.usage(cur, fr) + v) fits_here = false;
        v = std::max<QuotaAmount>(0, v - c_.tree.local_available(cur, fr));
      }
      advantage = advantage || fits_here;
      previous = cur;
    }
  }
  // common/ordering.go: other queues first, lower priority, most recently admitted (Kueue breaks ties
  // of the same instant by UID; here the later admission goes first).
  auto order = [&](const Candidate& a, const Candidate& b) {
    bool a_same = queue_of_[a.job] == q, b_same = queue_of_[b.job] == q;
    if (a_same != b_same) return !a_same;
    if (priority_[a.job] != priority_[b.job]) return priority_[a.job] < priority_[b.job];
    return admission_seq_[a.job] > admission_seq_[b.job];  // most recently admitted first
  };
  for (auto* list : {&same_queue, &hierarchy, &by_priority}) std::sort(list->begin(), list->end(), order);
  std::vector<Candidate> all = hierarchy;
  all.insert(all.end(), by_priority.begin(), by_priority.end());
  all.insert(all.end(), same_queue.begin(), same_queue.end());
  if (all.empty()) return {};

  auto under_nominal = [&]() {
    return std::all_of(needs.begin(), needs.end(), [&](int fr) { return c_.tree.usage(node, fr) < c_.tree.quota(node, fr).nominal; });
  };
  std::vector<bool> attempts;
  bool no_other = hierarchy.empty() && by_priority.empty();
  bool forbidden = !queue.borrow_within_cohort;
  if (no_other || (forbidden && !under_nominal())) attempts = {true};
  else if (forbidden && hierarchy.empty()) attempts = {false, true};
  else attempts = {true, false};

  auto valid = [&](const Candidate& c, bool borrow) {
    int cq = queue_of_[c.job];
    if (cq == q) return true;
    if (borrow && c.variant == Variant::reclaim_without_borrowing) return false;
    if (within_nominal(c_.queues[cq].node)) return false;
    for (int n = c_.tree.parent(c_.queues[cq].node); n >= 0 && n != c.lca; n = c_.tree.parent(n))
      if (within_nominal(n)) return false;
    return true;
  };
  for (bool borrow : attempts) {
    std::vector<const Candidate*> chosen;
    bool found = false;
    for (const auto& c : all) {
      if (!valid(c, borrow)) continue;
      charge(c.job, queue_of_[c.job], flavor_of_[c.job], false);
      chosen.push_back(&c);
      if (fits(j, q, flavor, borrow)) {
        found = true;
        break;
      }
    }
    if (found && chosen.size() >= 2) {
      // Fill back (preemption.go fillBackWorkloads): from the second-to-last, keep out only those needed.
      for (std::size_t i = chosen.size() - 1; i-- > 0;) {
        charge(chosen[i]->job, queue_of_[chosen[i]->job], flavor_of_[chosen[i]->job], true);
        if (fits(j, q, flavor, borrow)) chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(i));
        else charge(chosen[i]->job, queue_of_[chosen[i]->job], flavor_of_[chosen[i]->job], false);
      }
    }
    for (const Candidate* c : chosen) charge(c->job, queue_of_[c->job], flavor_of_[c->job], true);
    if (found) {
      std::vector<Target> out;
      for (const Candidate* c : chosen) out.push_back({c->job, reason_of(c->variant)});
      return out;
    }
  }
  return {};
}

double KueuePolicy::weighted_share(int node, JobIndex extra, int flavor) const {
  int parent = c_.tree.parent(node);
  if (parent < 0) return 0;
  double drs = 0;
  int q = queue_of_node_[node];
  for (int r = 0; r < kQuotaResources; ++r) {
    double borrowed = 0, lendable = 0;
    for (std::size_t f = 0; f < c_.flavors.size(); ++f) {
      int fr = c_.fr(static_cast<int>(f), r);
      QuotaAmount add = (extra != kNoJob && static_cast<int>(f) == flavor && q >= 0 && c_.queues[q].covered[r]) ? demand(extra, r) : 0;
      borrowed += static_cast<double>(std::max<QuotaAmount>(0, c_.tree.usage(node, fr) + add - c_.tree.subtree_quota(node, fr)));
      lendable += static_cast<double>(c_.tree.potential_available(parent, fr));
    }
    if (borrowed > 0 && lendable > 0) drs = std::max(drs, borrowed * 1000 / lendable);
  }
  double weight = q >= 0 ? c_.queues[q].weight : 1;
  if (drs == 0) return 0;
  return weight > 0 ? drs / weight : std::numeric_limits<double>::infinity();
}

// Fair sharing preemption (preemption.go fairPreemptions, flat over the cohort tree): the queue with
// the highest share gives up a job while the strategy holds (S2-a LessThanOrEqualToFinalShare:
// preemptor's share after admission <= the target's share without the job; S2-b LessThanInitialShare:
// < the target's share before), until the head fits.
std::vector<KueuePolicy::Target> KueuePolicy::fair_targets(JobIndex j, int q, int flavor) {
  const KueueQueue& queue = c_.queues[q];
  std::vector<int> needs;
  for (int r = 0; r < kQuotaResources; ++r)
    if (queue.covered[r] && demand(j, r) > 0 && demand(j, r) > std::max<QuotaAmount>(0, c_.tree.available(queue.node, c_.fr(flavor, r))))
      needs.push_back(c_.fr(flavor, r));
  auto uses_needed = [&](JobIndex w) {
    for (int fr : needs)
      if (fr / kQuotaResources == flavor_of_[w] && demand(w, fr % kQuotaResources) > 0) return true;
    return false;
  };
  // Candidates per queue, in Kueue's order (lower priority first, most recently admitted first).
  std::map<int, std::vector<JobIndex>> by_queue;
  int root = c_.tree.root(queue.node);
  for (std::size_t other = 0; other < c_.queues.size(); ++other) {
    bool same = static_cast<int>(other) == q;
    if (!same && (c_.tree.root(c_.queues[other].node) != root || queue.reclaim_within_cohort == PreemptionPolicy::never)) continue;
    if (!same && std::all_of(needs.begin(), needs.end(), [&](int fr) { return c_.tree.within_nominal(c_.queues[other].node, fr); })) continue;
    PreemptionPolicy p = same ? queue.within_cluster_queue : queue.reclaim_within_cohort;
    for (JobIndex w : queues_[other].admitted)
      if (uses_needed(w) && satisfies(p, priority_[j], queue_time_s_[j], priority_[w], queue_time_s_[w]))
        by_queue[static_cast<int>(other)].push_back(w);
  }
  for (auto& [cq, list] : by_queue)
    std::sort(list.begin(), list.end(), [&](JobIndex a, JobIndex b) {
      if (priority_[a] != priority_[b]) return priority_[a] < priority_[b];
      return admission_seq_[a] > admission_seq_[b];
    });
  std::vector<Target> targets;
  auto take = [&](JobIndex w, const char* reason) {
    charge(w, queue_of_[w], flavor_of_[w], false);
    targets.push_back({w, reason});
    return fits(j, q, flavor, true);
  };
  auto highest = [&](const std::map<int, std::vector<JobIndex>>& m) {
    int best = -1;
    double best_share = -1;
    for (const auto& [cq, list] : m) {
      if (list.empty()) continue;
      double s = cq == q ? weighted_share(c_.queues[cq].node, j, flavor) : weighted_share(c_.queues[cq].node);
      if (s > best_share) best = cq, best_share = s;
    }
    return best;
  };
  bool done = false;
  std::map<int, std::vector<JobIndex>> retry;
  const int first_strategy = c_.fair_sharing_strategies.empty() ? 0 : c_.fair_sharing_strategies.front();
  for (int t = highest(by_queue); t >= 0 && !done; t = highest(by_queue)) {
    auto& list = by_queue[t];
    if (t == q) {
      JobIndex w = list.front();
      list.erase(list.begin());
      done = take(w, kInClusterQueue);
      continue;
    }
    double preemptor_new = weighted_share(queue.node, j, flavor), target_old = weighted_share(c_.queues[t].node);
    while (!list.empty()) {
      JobIndex w = list.front();
      list.erase(list.begin());
      charge(w, t, flavor_of_[w], false);
      double target_new = weighted_share(c_.queues[t].node);
      charge(w, t, flavor_of_[w], true);
      bool pass = first_strategy == 0 ? preemptor_new <= target_new : preemptor_new < target_old;
      if (pass) {
        done = take(w, kInCohortFairSharing);
        break;
      }
      retry[t].push_back(w);
    }
  }
  if (!done && c_.fair_sharing_strategies.size() > 1) {
    for (int t = highest(retry); t >= 0 && !done; t = highest(retry)) {
      double preemptor_new = weighted_share(queue.node, j, flavor), target_old = weighted_share(c_.queues[t].node);
      JobIndex w = retry[t].front();
      if (preemptor_new < target_old) done = take(w, kInCohortFairSharing);
      retry.erase(t);
    }
  }
  if (done && targets.size() >= 2) {
    for (std::size_t i = targets.size() - 1; i-- > 0;) {
      JobIndex w = targets[i].job;
      charge(w, queue_of_[w], flavor_of_[w], true);
      if (fits(j, q, flavor, true)) targets.erase(targets.begin() + static_cast<std::ptrdiff_t>(i));
      else charge(w, queue_of_[w], flavor_of_[w], false);
    }
  }
  for (const auto& t : targets) charge(t.job, queue_of_[t.job], flavor_of_[t.job], true);
  return done ? targets : std::vector<Target>{};
}

}  // namespace aidcsim
