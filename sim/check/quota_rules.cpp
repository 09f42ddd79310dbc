#include "sim/check/quota_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "sim/check/check_values.hpp"

namespace aidcsim::check {
namespace {

using json = nlohmann::json;
constexpr std::array<const char*, 3> kResources = {"gpus", "cpus", "mem_gib"};
constexpr std::array<double, 3> kScale = {1000, 1000, 1024};  // integer units, as aidcsim counts
constexpr double kEps = 1e-6;

// A job's hold in quota units per resource; nullopt when its row is unreadable (reported elsewhere).
using Demand = std::array<double, 3>;

// Python's round(float(text or 0) * scale): ValueError and OverflowError (nan, inf) give nullopt.
std::optional<double> rounded(const Text& text, double scale) {
  double x = 0;
  if (text && !text->empty()) {
    auto value = python_float(*text);
    if (!value) return std::nullopt;
    x = *value;
  }
  double scaled = x * scale;
  if (!std::isfinite(scaled)) return std::nullopt;
  return std::nearbyint(scaled);  // round half to even, as Python's round()
}

std::optional<Demand> demand_of(const CsvTable& jobs, const CsvRecord& row, bool exclusive) {
  Text gpus_text = jobs.get(row, "gpus");
  auto gpus = gpus_text ? python_int(*gpus_text) : std::nullopt;
  if (!gpus) return std::nullopt;
  double milli = 1000;
  if (Text m = jobs.get(row, "gpu_milli"); m && !m->empty()) {
    auto value = python_int(*m);
    if (!value) return std::nullopt;
    milli = static_cast<double>(*value);
  }
  if (exclusive) milli = 1000;
  auto cpus = rounded(jobs.get(row, "cpus"), 1000);
  auto mem = rounded(jobs.get(row, "mem_gib"), 1024);
  if (!cpus || !mem) return std::nullopt;
  return Demand{static_cast<double>(*gpus) * milli, *cpus, *mem};
}

// Python's truth value of a JSON value.
bool truthy(const json& j) {
  if (j.is_null()) return false;
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number()) return j.get<double>() != 0;
  if (j.is_string() || j.is_array() || j.is_object()) return !j.empty();
  return true;
}
const json& member(const json& j, const char* key) {
  static const json none;
  return j.is_object() && j.contains(key) ? j[key] : none;
}

struct Admission {
  int line = 0;
  Text job_id, tenant, queue, flavor, released_by;
  Demand demand{};
};
struct Event {
  double time_s;
  int order;  // releases (0) before admissions (1) at one instant
  int sign;
  const Admission* a;
};

class QuotaCheck {
 public:
  QuotaCheck(const json& quota, const std::function<void(const char*, std::string)>& add) : quota_(quota), add_(add) {}

  void resource_quota(const std::vector<Event>& events) {
    std::map<Text, std::array<double, 3>> used;
    std::vector<Text> order;  // tenants in the order they were first seen (a dict's)
    std::set<std::pair<Text, std::size_t>> reported;
    const json& tenants = member(quota_, "tenants");
    for (std::size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      auto [it, fresh] = used.try_emplace(e.a->tenant, std::array<double, 3>{0, 0, 0});
      if (fresh) order.push_back(e.a->tenant);
      for (std::size_t r = 0; r < 3; ++r) it->second[r] += e.sign * e.a->demand[r];
      if (e.sign < 0 && e.a->released_by != Text("") && e.a->released_by != Text("completed"))
        add_("quota-eviction", fmt::format("admissions.csv:{}: resource-quota never evicts, but {} was released by {}", e.a->line,
                                           str(e.a->job_id), str(e.a->released_by)));
      if (i + 1 < events.size() && events[i + 1].time_s == e.time_s) continue;
      for (const Text& tenant : order) {
        const json& hard = tenant ? member(member(member(tenants, tenant->c_str()), "config"), "hard") : json();
        for (std::size_t r = 0; r < 3; ++r) {
          const json& value = member(hard, kResources[r]);
          if (!value.is_number()) continue;
          double limit = std::nearbyint(value.get<double>() * kScale[r]);
          double u = used[tenant][r];
          if (u > limit && reported.insert({tenant, r}).second)
            add_("quota-usage", fmt::format("admissions.csv: tenant {} holds {} {} at t={} s, over its ResourceQuota of {}", str(tenant),
                                            python_g(u / kScale[r]), kResources[r], python_g(e.time_s), python_g(limit / kScale[r])));
        }
      }
    }
  }

  void kueue(const std::vector<Event>& events) {
    const json& queues = member(quota_, "cluster_queues");
    const json& cohorts = member(quota_, "cohorts");
    std::vector<std::string> nodes;  // queues, then cohorts: the order of the parent dict
    std::map<std::string, std::string> parent;
    auto add_node = [&](const std::string& name, const json& p) {
      if (!parent.count(name)) nodes.push_back(name);
      parent[name] = p.is_string() ? p.get<std::string>() : "";
    };
    if (queues.is_object())
      for (auto it = queues.begin(); it != queues.end(); ++it) add_node(it.key(), member(member(it.value(), "config"), "cohort"));
    if (cohorts.is_object())
      for (auto it = cohorts.begin(); it != cohorts.end(); ++it) add_node(it.key(), member(member(it.value(), "config"), "parent"));
    queues_ = &queues;
    cohorts_ = &cohorts;
    parent_ = &parent;
    for (const auto& name : nodes)
      if (!parent[name].empty()) children_[parent[name]].push_back(name);

    std::map<std::string, bool> settings_ok = {{"InCohortFairSharing", truthy(member(quota_, "fair_sharing"))},
                                               {"PodsReadyTimeout", truthy(member(quota_, "wait_for_pods_ready"))}};
    using Key = std::tuple<std::string, Text, std::size_t>;  // queue, flavor, resource
    std::map<Key, double> usage;
    std::vector<Key> usage_order;
    std::vector<std::pair<Text, std::size_t>> frs;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      const Text& name = e.a->queue;
      if (!name || !queues.is_object() || !queues.contains(*name)) {
        add_("quota-usage", fmt::format("admissions.csv:{}: unknown ClusterQueue {}", e.a->line, str(name)));
        continue;
      }
      for (std::size_t r = 0; r < 3; ++r) {
        if (!limits(*name, e.a->flavor, r) || e.a->demand[r] == 0) continue;
        Key key{*name, e.a->flavor, r};
        auto [it, fresh] = usage.try_emplace(key, 0);
        if (fresh) usage_order.push_back(key);
        it->second += e.sign * e.a->demand[r];
        if (std::find(frs.begin(), frs.end(), std::make_pair(e.a->flavor, r)) == frs.end()) frs.emplace_back(e.a->flavor, r);
      }
      if (e.sign < 0 && e.a->released_by != Text("") && e.a->released_by != Text("completed")) check_reason(*e.a, settings_ok);
      if (i + 1 < events.size() && events[i + 1].time_s == e.time_s) continue;
      for (const Key& key : usage_order) {
        const auto& [q, flavor, r] = key;
        auto lim = limits(q, flavor, r);
        std::optional<double> cap;
        if (parent[q].empty()) cap = lim->nominal;
        else if (lim->borrowing) cap = lim->nominal + *lim->borrowing;
        double u = usage[key];
        if (cap && u > *cap)
          add_("quota-usage", fmt::format("t={} s: ClusterQueue {} uses {} {} of flavor {}, over nominal + borrowing_limit = {}",
                                          python_g(e.time_s), q, python_g(u / kScale[r]), kResources[r], str(flavor), python_g(*cap / kScale[r])));
      }
      std::set<std::string> tops;
      for (auto it = queues.begin(); it != queues.end(); ++it)
        if (!parent[it.key()].empty()) tops.insert(root(it.key()));
      for (const auto& top : tops)
        for (const auto& [flavor, r] : frs) {
          auto [s, u] = subtree_and_usage(top, flavor, r, usage);
          if (u > s)
            add_("quota-usage", fmt::format("t={} s: cohort {} uses {} {} of flavor {} beyond what its members may lend ({}: nominal "
                                            "quotas within their lending limits)", python_g(e.time_s), top, python_g(u / kScale[r]),
                                            kResources[r], str(flavor), python_g(s / kScale[r])));
        }
    }
  }

 private:
  struct Limits {
    double nominal = 0;
    std::optional<double> borrowing, lending;
  };
  std::optional<Limits> limits(const std::string& name, const Text& flavor, std::size_t r) const {
    const json& node = queues_->is_object() && queues_->contains(name) ? (*queues_)[name] : member(*cohorts_, name.c_str());
    if (!flavor) return std::nullopt;
    const json& q = member(member(member(member(node, "config"), "flavors"), flavor->c_str()), kResources[r]);
    if (!q.is_object()) return std::nullopt;
    auto amount = [&](const char* key) -> std::optional<double> {
      const json& x = member(q, key);
      if (!x.is_number()) return std::nullopt;
      return std::nearbyint(x.get<double>() * kScale[r]);
    };
    return Limits{amount("nominal").value_or(0), amount("borrowing_limit"), amount("lending_limit")};
  }
  std::string root(std::string name) const {
    for (int depth = 0; depth < 1000; ++depth) {
      auto it = parent_->find(name);
      if (it == parent_->end() || it->second.empty()) break;
      name = it->second;
    }
    return name;
  }
  double local_quota(const std::string& name, const Text& flavor, std::size_t r, double subtree) const {
    auto lim = limits(name, flavor, r);
    if (!lim || !lim->lending) return 0;
    return std::max(0.0, subtree - *lim->lending);
  }
  // Kueue's SubtreeQuota and Usage of a node (resource_node.go).
  std::pair<double, double> subtree_and_usage(const std::string& name, const Text& flavor, std::size_t r,
                                              const std::map<std::tuple<std::string, Text, std::size_t>, double>& usage,
                                              int depth = 0) const {
    auto lim = limits(name, flavor, r);
    if (queues_->contains(name)) {
      auto it = usage.find({name, flavor, r});
      return {lim ? lim->nominal : 0, it == usage.end() ? 0 : it->second};
    }
    double quota = lim ? lim->nominal : 0, used = 0;
    auto kids = children_.find(name);
    if (kids != children_.end() && depth < 1000)
      for (const auto& child : kids->second) {
        auto [s, u] = subtree_and_usage(child, flavor, r, usage, depth + 1);
        double lq = local_quota(child, flavor, r, s);
        quota += s - lq;
        used += std::max(0.0, u - lq);
      }
    return {quota, used};
  }
  void check_reason(const Admission& a, const std::map<std::string, bool>& settings_ok) {
    const std::string why = a.released_by.value_or("");
    const std::string& q = *a.queue;
    auto preemption = [&](const std::string& name, const char* key) {
      return member(member(member((*queues_)[name], "config"), "preemption"), key);
    };
    const json never = "Never";
    bool ok = false;
    if (why == "InClusterQueue") {
      ok = preemption(q, "within_cluster_queue") != never;
    } else if (why == "InCohortReclamation" || why == "InCohortReclaimWhileBorrowing") {
      const char* key = why == "InCohortReclamation" ? "reclaim_within_cohort" : "borrow_within_cohort";
      for (auto it = queues_->begin(); it != queues_->end(); ++it)
        if (it.key() != q && root(it.key()) == root(q) && preemption(it.key(), key) != never) ok = true;
    } else if (auto s = settings_ok.find(why); s != settings_ok.end()) {
      ok = s->second;
    }
    if (!ok)
      add_("quota-eviction", fmt::format("admissions.csv:{}: {} evicted for {}, which the configuration does not allow", a.line,
                                         str(a.job_id), str(a.released_by)));
  }

  const json& quota_;
  const std::function<void(const char*, std::string)>& add_;
  const json* queues_ = nullptr;
  const json* cohorts_ = nullptr;
  const std::map<std::string, std::string>* parent_ = nullptr;
  std::map<std::string, std::vector<std::string>> children_;
};

}  // namespace

void check_quota(const std::string& run_dir, const json& run_json, const json& summary, const CsvTable& jobs, bool exclusive,
                 const std::function<void(const char* rule, std::string message)>& add) {
  const json& policy = member(member(member(run_json, "scenario"), "quota"), "policy");
  if (!member(member(run_json, "scenario"), "quota").is_object() || policy == json("none")) return;
  const json& quota = member(summary, "quota");
  if (!quota.is_object()) {
    add("quota-files", "summary.json: the scenario has a quota policy but summary.json has no \"quota\" section");
    return;
  }
  // Admission before start, and the split of the queueing delay.
  std::map<Text, const CsvRecord*> by_id;
  for (const auto& row : jobs.rows()) by_id[jobs.get(row, "job_id")] = &row;  // the last wins, as a dict
  for (const auto& row : jobs.rows()) {
    std::optional<double> start, admitted;
    std::array<std::optional<double>, 3> delays;
    try {
      start = python_number(jobs.get(row, "start_s"));
      admitted = python_number(jobs.get(row, "admitted_s"));
      delays = {python_number(jobs.get(row, "admission_delay_s")), python_number(jobs.get(row, "placement_delay_s")),
                python_number(jobs.get(row, "queue_delay_s"))};
    } catch (const UnreadableNumber&) {
      continue;  // the main rules report it
    }
    if (!start) continue;
    const std::string where = fmt::format("jobs.csv:{}: job {}", row.line, str(jobs.get(row, "job_id")));
    if (!admitted) {
      add("quota-admission", fmt::format("{} started at {} but has no admitted_s", where, python_g(*start)));
    } else if (*admitted > *start + kEps) {
      add("quota-admission", fmt::format("{} started at {} before its admission at {}", where, python_g(*start), python_g(*admitted)));
    } else if (delays[0] && delays[1] && delays[2]) {
      double total = *delays[0] + *delays[1];
      if (std::fabs(total - *delays[2]) > 3e-6)
        add("quota-admission", fmt::format("jobs.csv:{}: admission_delay_s + placement_delay_s = {}, queue_delay_s = {}", row.line,
                                           python_g(total), str(jobs.get(row, "queue_delay_s"))));
    }
  }
  namespace fs = std::filesystem;
  const std::string path = (fs::path(run_dir) / "admissions.csv").string();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    add("quota-files", fmt::format("{}: missing (a quota policy writes one)", path));
    return;
  }
  ProblemList problems;
  CsvTable table = CsvTable::read(path, problems);
  problems.throw_if_any();
  std::vector<Admission> admissions;
  admissions.reserve(table.rows().size());
  std::vector<Event> events;
  for (const auto& row : table.rows()) {
    Admission a;
    a.line = row.line;
    a.job_id = table.get(row, "job_id");
    auto job = by_id.find(a.job_id);
    if (job == by_id.end()) {
      add("quota-admission", fmt::format("admissions.csv:{}: unknown job {}", row.line, str(a.job_id)));
      continue;
    }
    auto demand = demand_of(jobs, *job->second, exclusive);
    if (!demand) continue;
    a.demand = *demand;
    a.tenant = table.get(row, "tenant");
    a.queue = table.get(row, "queue");
    a.flavor = table.get(row, "flavor");
    a.released_by = table.get(row, "released_by");
    Text admitted_text = table.get(row, "admitted_s"), released_text = table.get(row, "released_s");
    std::optional<double> admitted = admitted_text ? python_float(*admitted_text) : std::nullopt;
    std::optional<double> released;
    bool readable = admitted && std::isfinite(*admitted);
    if (released_text && !released_text->empty()) {
      released = python_float(*released_text);
      readable = readable && released && std::isfinite(*released);
    }
    if (!readable) {
      add("quota-admission", fmt::format("admissions.csv:{}: unreadable admitted_s / released_s", row.line));
      continue;
    }
    admissions.push_back(std::move(a));  // reserved: the pointers stay valid
    events.push_back({*admitted, 1, 1, &admissions.back()});
    if (released) events.push_back({*released, 0, -1, &admissions.back()});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
    return x.time_s != y.time_s ? x.time_s < y.time_s : x.order < y.order;
  });
  QuotaCheck check(quota, add);
  if (member(quota, "policy") == json("kueue")) check.kueue(events);
  else check.resource_quota(events);
}

}  // namespace aidcsim::check
