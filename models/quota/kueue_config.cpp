#include "models/quota/kueue_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/core/errors.hpp"

namespace aidcsim {

namespace {

const std::vector<std::string> kWithinPolicies = {"Never", "LowerPriority", "LowerOrNewerEqualPriority"};
const std::vector<std::string> kReclaimPolicies = {"Never", "LowerPriority", "Any"};

PreemptionPolicy policy_named(const std::string& name) {
  if (name == "LowerPriority") return PreemptionPolicy::lower_priority;
  if (name == "LowerOrNewerEqualPriority") return PreemptionPolicy::lower_or_newer_equal_priority;
  if (name == "Any") return PreemptionPolicy::any;
  return PreemptionPolicy::never;
}

// Integer units: milli-GPUs, milli-CPUs, MiB.
QuotaAmount to_amount(int resource, double value) {
  return static_cast<QuotaAmount>(std::llround(value * (resource == 2 ? 1024.0 : 1000.0)));
}

class Reader {
 public:
  Reader(OptionReader& o, const Cluster& cluster, const std::vector<JobSpec>& jobs) : o_(o), cluster_(cluster), jobs_(jobs) {}

  KueueConfig read() {
    std::string from_platform = o_.text("from_platform", "", {"", "vc"});
    c_.fair_sharing = o_.has("fair_sharing") && read_fair_sharing();
    c_.restart_cost_s = o_.number("restart_cost_s", 0, 0, kMaxTime_s);
    read_wait_for_pods_ready();
    auto cohort_items = o_.items("cohorts");
    auto queue_items = o_.items("cluster_queues");
    // Flavors and resources first, to size the tree by flavor-resource.
    std::vector<std::vector<std::pair<int, std::array<std::optional<FrQuota>, kQuotaResources>>>> queue_quotas;
    if (from_platform == "vc") {
      if (!queue_items.empty()) o_.problem("cluster_queues", "from_platform \"vc\" makes the ClusterQueues; expected no cluster_queues");
      vc_queues();
    } else {
      for (auto& q : queue_items) queue_quotas.push_back(read_queue(q));
      if (queue_items.empty()) o_.problem("cluster_queues", "missing; expected a list of ClusterQueues (or from_platform: \"vc\")");
    }
    c_.tree = QuotaTree(static_cast<int>(c_.flavors.size()) * kQuotaResources);
    for (auto& q : c_.queues) q.node = c_.tree.add_node(q.name, true);
    for (std::size_t q = 0; q < c_.queues.size() && q < queue_quotas.size(); ++q)
      for (const auto& [flavor, limits] : queue_quotas[q])
        for (int r = 0; r < kQuotaResources; ++r)
          if (limits[r]) c_.tree.set_quota(c_.queues[q].node, c_.fr(flavor, r), *limits[r]);
    read_cohorts(cohort_items);
    c_.tree.finalize();
    read_tenants(from_platform == "vc");
    return std::move(c_);
  }

 private:
  // true / false, or {"enable": bool, "preemption_strategies": [...]} (Kueue's Configuration.fairSharing).
  bool read_fair_sharing() {
    c_.fair_sharing_strategies = {0, 1};
    if (const auto* flag = o_.raw("fair_sharing"); flag && flag->is_boolean()) return flag->get<bool>();
    OptionReader f = o_.nested("fair_sharing");
    if (!f.boolean("enable", true)) return false;
    auto strategies = f.raw("preemption_strategies");
    if (strategies) {
      std::vector<std::string> names;
      if (strategies->is_array())
        for (const auto& s : *strategies) names.push_back(s.is_string() ? s.get<std::string>() : s.dump());
      if (names == std::vector<std::string>{"LessThanOrEqualToFinalShare"}) c_.fair_sharing_strategies = {0};
      else if (names == std::vector<std::string>{"LessThanInitialShare"}) c_.fair_sharing_strategies = {1};
      else if (names != std::vector<std::string>{"LessThanOrEqualToFinalShare", "LessThanInitialShare"})
        f.problem("preemption_strategies", fmt::format("found {}; expected [\"LessThanOrEqualToFinalShare\"], "
                                                       "[\"LessThanInitialShare\"] or both in that order (Kueue's only valid lists)",
                                                       strategies->dump()));
    }
    f.reject_unknown();
    return true;
  }

  void read_wait_for_pods_ready() {
    if (!o_.has("wait_for_pods_ready")) return;
    OptionReader w = o_.nested("wait_for_pods_ready");
    c_.wait_for_pods_ready_s = w.number("timeout_s", 1800, 1e-3, kMaxTime_s);
    c_.requeue_base_s = w.number("backoff_base_s", 60, 0, kMaxTime_s);
    c_.requeue_max_s = w.number("backoff_max_s", 3600, 0, kMaxTime_s);
    w.reject_unknown();
  }

  // One resource's quota: a number (nominal) or {nominal, borrowing_limit, lending_limit}.
  std::optional<FrQuota> read_limit(OptionReader& res, int r) {
    const char* key = kQuotaResourceNames[r];
    if (!res.has(key)) return std::nullopt;
    FrQuota q;
    const nlohmann::json* v = res.raw(key);
    if (v && v->is_number()) {
      q.nominal = to_amount(r, res.number(key, 0, 0, 1e9));
      return q;
    }
    OptionReader l = res.nested(key);
    if (!l.has("nominal")) l.problem("", "missing \"nominal\"; expected {\"nominal\": N, \"borrowing_limit\": N|null, \"lending_limit\": N|null}");
    q.nominal = to_amount(r, l.number("nominal", 0, 0, 1e9));
    if (double b = l.number("borrowing_limit", -1, 0, 1e9); b >= 0) q.borrowing_limit = to_amount(r, b);
    if (double b = l.number("lending_limit", -1, 0, 1e9); b >= 0) q.lending_limit = to_amount(r, b);
    l.reject_unknown();
    return q;
  }

  std::array<std::optional<FrQuota>, kQuotaResources> read_resources(OptionReader res) {
    std::array<std::optional<FrQuota>, kQuotaResources> out;
    for (int r = 0; r < kQuotaResources; ++r) out[r] = read_limit(res, r);
    res.reject_unknown();
    return out;
  }

  int flavor_index(const std::string& name, std::vector<std::pair<std::string, std::string>> match, OptionReader& where) {
    for (std::size_t f = 0; f < c_.flavors.size(); ++f)
      if (c_.flavors[f].name == name) {
        if (c_.flavors[f].match != match)
          where.problem("match", fmt::format("flavor \"{}\" is declared elsewhere with another match; a flavor (Kueue's "
                                             "ResourceFlavor) selects the same servers in every ClusterQueue", name));
        return static_cast<int>(f);
      }
    KueueFlavor f;
    f.name = name;
    f.match = std::move(match);
    f.servers.assign(cluster_.servers.size(), 1);
    f.gpus_by_model.assign(cluster_.gpu_models.size(), 0);
    bool any = false;
    for (ServerIndex s = 0; s < cluster_.servers.size(); ++s) {
      for (const auto& [prop, value] : f.match)
        if (server_property(cluster_, s, prop) != value) f.servers[s] = 0;
      if (!f.servers[s]) {
        f.all_servers = false;
        continue;
      }
      any = true;
      for (GpuIndex g : cluster_.servers[s].gpus) ++f.gpus_by_model[cluster_.gpus[g].model_index];
    }
    if (!any && !cluster_.servers.empty()) {
      std::string what;
      for (const auto& [prop, value] : f.match) what += fmt::format("{}{}={}", what.empty() ? "" : ", ", prop, value);
      where.problem("match", fmt::format("flavor \"{}\" matches no server of the platform ({}); expected a property "
                                         "value that some server has (e.g. gpu_model, rack, vc)", name, what));
    }
    c_.flavors.push_back(std::move(f));
    return static_cast<int>(c_.flavors.size()) - 1;
  }

  std::vector<std::pair<int, std::array<std::optional<FrQuota>, kQuotaResources>>> read_queue(OptionReader& q) {
    KueueQueue queue;
    queue.name = q.text("name", "");
    if (queue.name.empty()) q.problem("name", "missing; expected the ClusterQueue's name");
    for (const auto& other : c_.queues)
      if (other.name == queue.name) q.problem("name", fmt::format("ClusterQueue \"{}\" is declared twice", queue.name));
    cohort_of_queue_.push_back(q.text("cohort", ""));
    if (!cohort_of_queue_.back().empty()) cohort_where_.push_back(q.path("cohort"));
    else cohort_where_.push_back("");
    read_queue_policies(q, queue);
    std::vector<std::pair<int, std::array<std::optional<FrQuota>, kQuotaResources>>> quotas;
    if (q.has("resources") && q.has("flavors")) q.problem("flavors", "both resources and flavors; expected one of them");
    if (q.has("flavors")) {
      for (auto& f : q.items("flavors")) {
        std::string name = f.text("name", "");
        if (name.empty()) f.problem("name", "missing; expected the flavor's name");
        std::vector<std::pair<std::string, std::string>> match;
        if (const auto* m = f.raw("match")) {
          if (!m->is_object()) f.problem("match", fmt::format("found {}, expected an object of property: value", m->dump()));
          else
            for (const auto& [k, v] : m->items()) match.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
        }
        int index = flavor_index(name, match, f);
        quotas.emplace_back(index, read_resources(f.nested("resources")));
        f.reject_unknown();
      }
      if (quotas.empty()) q.problem("flavors", "empty; expected at least one flavor");
    } else {
      OptionReader where = q;
      quotas.emplace_back(flavor_index("default", {}, where), read_resources(q.nested("resources")));
    }
    for (std::size_t k = 0; k < quotas.size(); ++k) {
      queue.flavors.push_back(quotas[k].first);
      for (int r = 0; r < kQuotaResources; ++r) {
        bool has = quotas[k].second[r].has_value();
        if (k == 0) queue.covered[r] = has;
        else if (has != queue.covered[r])
          q.problem("flavors", fmt::format("flavor \"{}\" {} {}; expected every flavor of a ClusterQueue to cover the "
                                           "same resources (a Kueue resource group)", c_.flavors[quotas[k].first].name,
                                           has ? "has" : "lacks", kQuotaResourceNames[r]));
      }
    }
    if (std::none_of(queue.covered.begin(), queue.covered.end(), [](bool b) { return b; }))
      q.problem("resources", "no quota for any resource; expected at least one of gpus, cpus, mem_gib");
    q.reject_unknown();
    queue_where_.push_back(q.path("resources"));
    c_.queues.push_back(std::move(queue));
    return quotas;
  }

  void read_queue_policies(OptionReader& q, KueueQueue& queue, bool with_weight = true) {
    queue.strict_fifo = q.text("queueing_strategy", "BestEffortFIFO", {"BestEffortFIFO", "StrictFIFO"}) == "StrictFIFO";
    OptionReader p = q.nested("preemption");
    queue.within_cluster_queue = policy_named(p.text("within_cluster_queue", "Never", kWithinPolicies));
    queue.reclaim_within_cohort = policy_named(p.text("reclaim_within_cohort", "Never", kReclaimPolicies));
    if (const auto* b = p.raw("borrow_within_cohort"); b && b->is_object()) {
      OptionReader bw = p.nested("borrow_within_cohort");
      queue.borrow_within_cohort = bw.text("policy", "Never", {"Never", "LowerPriority"}) == "LowerPriority";
      if (bw.has("max_priority_threshold")) queue.max_priority_threshold = bw.integer("max_priority_threshold", 0, -2147483647, 2147483647);
      bw.reject_unknown();
    } else {
      queue.borrow_within_cohort = p.text("borrow_within_cohort", "Never", {"Never", "LowerPriority"}) == "LowerPriority";
    }
    if (queue.borrow_within_cohort && queue.reclaim_within_cohort == PreemptionPolicy::never)
      p.problem("borrow_within_cohort", "LowerPriority needs reclaim_within_cohort other than Never (as in Kueue)");
    p.reject_unknown();
    OptionReader f = q.nested("flavor_fungibility");
    std::string borrow = f.text("when_can_borrow", "Borrow", {"Borrow", "MayStopSearch", "TryNextFlavor"});
    std::string preempt = f.text("when_can_preempt", "TryNextFlavor", {"Preempt", "MayStopSearch", "TryNextFlavor"});
    queue.stop_when_can_borrow = borrow != "TryNextFlavor";
    queue.stop_when_can_preempt = preempt != "TryNextFlavor";
    f.reject_unknown();
    if (!with_weight) return;
    OptionReader fs = q.nested("fair_sharing");
    queue.weight = fs.number("weight", 1, 0, 1e9);
    fs.reject_unknown();
  }

  // from_platform "vc": a ClusterQueue per value of the servers' vc property, nominal = its GPUs.
  void vc_queues() {
    std::map<std::string, QuotaAmount> gpus;
    for (ServerIndex s = 0; s < cluster_.servers.size(); ++s) {
      std::string vc = server_property(cluster_, s, "vc");
      if (!vc.empty()) gpus[vc] += static_cast<QuotaAmount>(cluster_.servers[s].gpus.size()) * 1000;
    }
    if (gpus.empty()) o_.problem("from_platform", "no server of the platform has a \"vc\" property; expected a platform "
                                                  "with virtual clusters (aidcsim platform philly | helios)");
    std::string cohort = o_.text("cohort", "");
    KueueQueue proto;  // the shared policies of the generated queues are the section's keys
    read_queue_policies(o_, proto, false);
    OptionReader where = o_;
    int flavor = flavor_index("default", {}, where);
    for (const auto& [vc, milli] : gpus) {
      KueueQueue q = proto;
      q.name = vc;
      q.flavors = {flavor};
      q.covered = {true, false, false};
      c_.queues.push_back(q);
      cohort_of_queue_.push_back(cohort);
      cohort_where_.push_back(cohort.empty() ? "" : o_.path("cohort"));
      queue_where_.push_back(o_.path("from_platform"));
      vc_nominal_.push_back(milli);
    }
  }

  void read_cohorts(std::vector<OptionReader>& items) {
    std::map<std::string, int> node_of;
    std::vector<std::string> parents;
    std::vector<std::string> parent_where;
    for (auto& c : items) {
      std::string name = c.text("name", "");
      if (name.empty()) c.problem("name", "missing; expected the cohort's name");
      if (node_of.count(name) || std::any_of(c_.queues.begin(), c_.queues.end(), [&](const KueueQueue& q) { return q.name == name; }))
        c.problem("name", fmt::format("\"{}\" names another cohort or ClusterQueue; expected a unique name", name));
      int node = c_.tree.add_node(name, false);
      node_of[name] = node;
      c_.cohorts.push_back(node);
      parents.push_back(c.text("parent", ""));
      parent_where.push_back(c.path("parent"));
      if (c.has("resources")) {
        auto limits = read_resources(c.nested("resources"));
        int flavor = 0;  // a cohort's own quota: the first flavor ("default" when queues use resources)
        for (int r = 0; r < kQuotaResources; ++r)
          if (limits[r] && !c_.flavors.empty()) c_.tree.set_quota(node, c_.fr(flavor, r), *limits[r]);
      }
      c.reject_unknown();
    }
    // Cohorts named by a queue and not declared exist implicitly, as in Kueue (no parent, no quota).
    for (std::size_t q = 0; q < c_.queues.size(); ++q) {
      const std::string& name = cohort_of_queue_[q];
      if (name.empty()) continue;
      if (!node_of.count(name)) {
        node_of[name] = c_.tree.add_node(name, false);
        c_.cohorts.push_back(node_of[name]);
        parents.push_back("");
        parent_where.push_back("");
      }
      c_.tree.set_parent(c_.queues[q].node, node_of[name]);
    }
    for (std::size_t k = 0; k < parents.size(); ++k) {
      if (parents[k].empty()) continue;
      auto it = node_of.find(parents[k]);
      if (it == node_of.end()) {
        problem_at(parent_where[k], fmt::format("unknown cohort \"{}\"; expected one of the cohorts{}", parents[k],
                                                did_you_mean(parents[k], node_of)));
        continue;
      }
      c_.tree.set_parent(c_.cohorts[k], it->second);
    }
    for (std::size_t k = 0; k < c_.cohorts.size(); ++k) {
      int steps = 0;
      for (int n = c_.cohorts[k]; n >= 0 && steps <= c_.tree.size(); n = c_.tree.parent(n)) ++steps;
      if (steps > c_.tree.size()) {
        problem_at(parent_where[k], fmt::format("cohort \"{}\" is its own ancestor (a cycle of parents); expected a tree",
                                                c_.tree.name(c_.cohorts[k])));
        for (std::size_t m = 0; m < c_.cohorts.size(); ++m) c_.tree.set_parent(c_.cohorts[m], -1);  // read on
        break;
      }
    }
    for (std::size_t q = 0; q < c_.queues.size(); ++q) {
      if (q < vc_nominal_.size()) c_.tree.set_quota(c_.queues[q].node, c_.fr(0, 0), FrQuota{vc_nominal_[q], {}, {}});
      if (c_.tree.parent(c_.queues[q].node) >= 0) continue;
      for (int fr = 0; fr < c_.tree.frs(); ++fr)
        if (c_.tree.quota(c_.queues[q].node, fr).borrowing_limit || c_.tree.quota(c_.queues[q].node, fr).lending_limit) {
          problem_at(queue_where_[q], fmt::format("ClusterQueue \"{}\" sets a borrowing_limit or lending_limit but belongs "
                                                  "to no cohort; expected a cohort, or no limits", c_.queues[q].name));
          break;
        }
    }
  }

  void read_tenants(bool identity) {
    std::map<std::string, int> queue_of;
    for (std::size_t q = 0; q < c_.queues.size(); ++q) queue_of[c_.queues[q].name] = static_cast<int>(q);
    if (const auto* t = o_.raw("tenants")) {
      if (!t->is_object()) o_.problem("tenants", fmt::format("found {}, expected an object of tenant: ClusterQueue", t->dump()));
      else
        for (const auto& [tenant, queue] : t->items()) {
          std::string name = queue.is_string() ? queue.get<std::string>() : queue.dump();
          auto it = queue_of.find(name);
          if (it == queue_of.end())
            problem_at(o_.path("tenants") + "/" + json_pointer_escape(tenant),
                       fmt::format("unknown ClusterQueue {}; expected one of the cluster_queues{}", queue.dump(), did_you_mean(name, queue_of)));
          else c_.tenant_queue[tenant] = it->second;
        }
    } else if (identity) {
      for (const auto& [name, q] : queue_of) c_.tenant_queue[name] = q;
    }
    std::optional<int> fallback;
    std::string default_queue = o_.text("default_queue", "");
    if (!default_queue.empty()) {
      auto it = queue_of.find(default_queue);
      if (it == queue_of.end()) o_.problem("default_queue", fmt::format("unknown ClusterQueue \"{}\"{}", default_queue, did_you_mean(default_queue, queue_of)));
      else fallback = it->second;
    }
    std::set<std::string> missing;
    for (const auto& j : jobs_)
      if (!c_.tenant_queue.count(j.tenant)) {
        if (fallback) c_.tenant_queue[j.tenant] = *fallback;
        else missing.insert(j.tenant);
      }
    if (!missing.empty() && !c_.queues.empty()) {
      std::string list;
      int shown = 0;
      for (const auto& t : missing) list += (shown++ < 5) ? fmt::format("{}\"{}\"", list.empty() ? "" : ", ", t) : "";
      o_.problem("tenants", fmt::format("{} tenant{} of the workload {} no ClusterQueue ({}{}); expected an entry in tenants "
                                        "(its LocalQueue), or default_queue", missing.size(), missing.size() == 1 ? "" : "s",
                                        missing.size() == 1 ? "has" : "have", list, missing.size() > 5 ? ", ..." : ""));
    }
  }

  template <class Map>
  static std::string did_you_mean(const std::string& found, const Map& names) {
    std::vector<std::string> candidates;
    for (const auto& [n, _] : names) candidates.push_back(n);
    std::string hint = closest_name(found, candidates);
    return hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint);
  }
  void problem_at(const std::string& pointer, const std::string& what) { o_.problem_at(pointer, what); }

  OptionReader& o_;
  const Cluster& cluster_;
  const std::vector<JobSpec>& jobs_;
  KueueConfig c_;
  std::vector<std::string> cohort_of_queue_, cohort_where_, queue_where_;
  std::vector<QuotaAmount> vc_nominal_;
};

}  // namespace

KueueConfig read_kueue_config(OptionReader& o, const Cluster& cluster, const std::vector<JobSpec>& jobs) {
  return Reader(o, cluster, jobs).read();
}

}  // namespace aidcsim
