#include "sim/metrics/cost.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/metrics/metrics.hpp"

namespace aidcsim {

CostMetric::CostMetric(const Cluster& cluster, ServerPrices prices)
    : cluster_(cluster), prices_(std::move(prices)) {
  away_.resize(cluster_.servers.size());
  away_since_.assign(cluster_.servers.size(), std::numeric_limits<double>::quiet_NaN());
}

double CostMetric::rate_per_s(const Allocation& a) const {
  double rate = 0;
  for (const auto& g : a.gpus) {
    const ServerIndex s = cluster_.gpus[g.gpu].server;
    rate += g.milli / 1000.0 * prices_.per_hour[s] / 3600.0 / static_cast<double>(cluster_.servers[s].gpus.size());
  }
  for (const auto& v : a.servers) {
    const Server& server = cluster_.servers[v.server];
    if (!server.gpus.empty() || server.cores <= 0) continue;  // a GPU server's price is its GPUs'
    rate += std::min(1.0, v.cpus / server.cores) * prices_.per_hour[v.server] / 3600.0;
  }
  return rate;
}

void CostMetric::close_segment(JobIndex j, double now) {
  if (j >= segments_.size() || !segments_[j].open) return;
  Segment& seg = segments_[j];
  if (seg.tenant >= tenant_cost_.size()) tenant_cost_.resize(seg.tenant + 1, 0);
  tenant_cost_[seg.tenant] += seg.rate_per_s * (now - seg.start_s);
  seg.open = false;
}

// A run starts, or goes on with another plan (a migration's segment, maybe on another server): what it
// holds from now is charged at its allocation's rate.
void CostMetric::work_planned(JobIndex j, const ActivityPlan&, double, double now) {
  if (!core_) return;
  close_segment(j, now);
  if (j >= segments_.size()) segments_.resize(j + 1);
  segments_[j] = {now, rate_per_s(core_->allocation(j)), core_->runs()[j].tenant, true};
}

void CostMetric::run_ended(JobIndex j, RunEnd, double now) { close_segment(j, now); }

void CostMetric::server_availability_changed(ServerIndex s, bool available, double now) {
  if (!available) {
    if (std::isnan(away_since_[s])) away_since_[s] = now;
    return;
  }
  if (std::isnan(away_since_[s])) return;
  away_[s].emplace_back(away_since_[s], now);
  away_since_[s] = std::numeric_limits<double>::quiet_NaN();
}

CostMetric::Totals CostMetric::totals(const RunWindow& window) const {
  Totals t;
  const double from = window.first_submit_s, to = std::max(window.end_s, window.first_submit_s);
  for (ServerIndex s = 0; s < cluster_.servers.size(); ++s) {
    double away_s = 0;
    auto clipped = [&](double a, double b) { return std::max(0.0, std::min(b, to) - std::max(a, from)); };
    for (const auto& [a, b] : away_[s]) away_s += clipped(a, b);
    if (!std::isnan(away_since_[s])) away_s += clipped(away_since_[s], to);
    const double provisioned_s = std::max(0.0, (to - from) - away_s);
    const double cost = provisioned_s / 3600.0 * prices_.per_hour[s];
    t.total += cost;
    t.server_hours += provisioned_s / 3600.0;
    t.by_group[prices_.group[s]] += cost;
    t.by_gpu_model[prices_.gpu_model[s]] += cost;
  }
  std::vector<double> tenants = tenant_cost_;
  for (JobIndex j = 0; j < segments_.size(); ++j) {  // runs still holding resources at the end
    const Segment& seg = segments_[j];
    if (!seg.open) continue;
    if (seg.tenant >= tenants.size()) tenants.resize(seg.tenant + 1, 0);
    tenants[seg.tenant] += seg.rate_per_s * (to - seg.start_s);
  }
  double used = 0;
  if (core_) {
    const auto& names = core_->tenants();
    for (std::size_t k = 0; k < names.size(); ++k) {
      const double c = k < tenants.size() ? tenants[k] : 0;
      t.by_tenant[names[k]] += c;
      used += c;
    }
  }
  t.idle = t.total - used;
  return t;
}

void CostMetric::summarize(nlohmann::json& summary, const RunWindow& window) {
  const Totals t = totals(window);
  auto rounded = [](const std::map<std::string, double>& m) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : m) out[k] = round6(v);
    return out;
  };
  summary["cost"] = {{"currency", prices_.currency},
                     {"total", round6(t.total)},
                     {"server_hours", round6(t.server_hours)},
                     {"by_group", rounded(t.by_group)},
                     {"by_gpu_model", rounded(t.by_gpu_model)},
                     {"by_tenant", rounded(t.by_tenant)},
                     {"idle", round6(t.idle)}};
}

}  // namespace aidcsim
