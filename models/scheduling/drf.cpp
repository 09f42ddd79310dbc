// DRF: Dominant Resource Fairness across tenants (Ghodsi et al., "Dominant Resource Fairness: Fair
// Allocation of Multiple Resource Types", NSDI 2011, Algorithm 1, with weights as in §5.1.2).
//
// Resources: the platform's GPUs, CPU cores and memory (totals over every server; memory counts
// only where servers declare it, and a resource with a zero total is left out). A tenant's share of
// a resource is what its running jobs hold of it over the total; its dominant share is the largest
// of these, divided by its weight (`weights`: {tenant: weight}, default 1 for every tenant).
// Each pass repeatedly offers the next start to the tenant with the lowest weighted dominant share
// that still has a pending job that fits; the tenant's jobs are tried in arrival order and the
// first one that fits starts (a tenant whose jobs all fail to fit is passed over for the rest of
// the pass). Shares are updated after every start. Ties go to the tenant whose next job arrived
// first. Non-preemptive: a tenant above its fair share keeps what it runs until its jobs end.
#include <cmath>
#include <queue>
#include <tuple>
#include <unordered_map>

#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/cluster.hpp"
#include "sim/options.hpp"

namespace aidcsim {
namespace {

class Drf final : public Scheduler {
 public:
  explicit Drf(std::map<std::string, double> weights) : weights_(std::move(weights)) {}

  void schedule(SchedulingContext& ctx) override {
    if (!totals_known_) learn_totals(ctx.cluster());
    for (auto& t : tenants_) {
      t.gpus = t.cpus = t.mem_gib = 0;
      t.jobs.clear();
      t.next = 0;
    }
    for (JobIndex j : ctx.running()) {
      JobStatus s = ctx.status(j);
      if (s.state == JobState::running) add_usage(tenants_[tenant_of(ctx, j)], *s.allocation);
    }
    for (JobIndex j : ctx.pending()) tenants_[tenant_of(ctx, j)].jobs.push_back(j);

    // Min-heap of (weighted dominant share, next job's arrival index, tenant).
    using Offer = std::tuple<double, JobIndex, std::size_t>;
    std::priority_queue<Offer, std::vector<Offer>, std::greater<>> offers;
    for (std::size_t t = 0; t < tenants_.size(); ++t)
      if (!tenants_[t].jobs.empty()) offers.emplace(share(tenants_[t]), tenants_[t].jobs.front(), t);
    memo_.new_pass(ctx);
    while (!offers.empty()) {
      std::size_t t = std::get<2>(offers.top());
      offers.pop();
      Tenant& tenant = tenants_[t];
      bool started = false;
      while (!started && tenant.next < tenant.jobs.size()) {
        JobIndex j = tenant.jobs[tenant.next++];
        if (memo_.known_unfit(ctx, j)) continue;
        if (ctx.try_start(j)) {
          add_usage(tenant, *ctx.status(j).allocation);
          started = true;
        } else {
          memo_.mark_unfit(ctx, j);
        }
      }
      if (started && tenant.next < tenant.jobs.size()) offers.emplace(share(tenant), tenant.jobs[tenant.next], t);
    }
  }

 private:
  struct Tenant {
    double weight = 1;
    double gpus = 0, cpus = 0, mem_gib = 0;  // held by running jobs
    std::vector<JobIndex> jobs;              // pending, arrival order
    std::size_t next = 0;                    // next job to offer
  };

  void learn_totals(const Cluster& c) {
    total_gpus_ = static_cast<double>(c.gpus.size());
    for (const auto& s : c.servers) {
      total_cpus_ += s.cores;
      if (s.memory_gib > 0) total_mem_gib_ += s.memory_gib;
    }
    totals_known_ = true;
  }

  std::size_t tenant_of(const SchedulingContext& ctx, JobIndex j) {
    if (j < job_tenant_.size() && job_tenant_[j] >= 0) return static_cast<std::size_t>(job_tenant_[j]);
    if (j >= job_tenant_.size()) job_tenant_.resize(j + 1, -1);
    const std::string& name = ctx.spec(j).tenant;
    auto [it, inserted] = tenant_index_.try_emplace(name, tenants_.size());
    if (inserted) {
      tenants_.emplace_back();
      auto w = weights_.find(name);
      if (w != weights_.end()) tenants_.back().weight = w->second;
    }
    job_tenant_[j] = static_cast<long>(it->second);
    return it->second;
  }

  void add_usage(Tenant& t, const Allocation& a) const {
    t.gpus += scheduling::allocated_gpus(a);
    for (const auto& s : a.servers) {
      t.cpus += s.cpus;
      t.mem_gib += s.mem_gib;
    }
  }

  double share(const Tenant& t) const {
    double dominant = 0;
    if (total_gpus_ > 0) dominant = std::max(dominant, t.gpus / total_gpus_);
    if (total_cpus_ > 0) dominant = std::max(dominant, t.cpus / total_cpus_);
    if (total_mem_gib_ > 0) dominant = std::max(dominant, t.mem_gib / total_mem_gib_);
    return dominant / t.weight;
  }

  std::map<std::string, double> weights_;
  bool totals_known_ = false;
  double total_gpus_ = 0, total_cpus_ = 0, total_mem_gib_ = 0;
  std::vector<Tenant> tenants_;
  std::unordered_map<std::string, std::size_t> tenant_index_;
  std::vector<long> job_tenant_;
  scheduling::FitMemo memo_;
};

}  // namespace

std::unique_ptr<Scheduler> make_drf(PolicyArgs& args) {
  std::map<std::string, double> weights = args.options.named_numbers("weights", 0, 1e12);
  for (auto it = weights.begin(); it != weights.end();) {
    if (it->second > 0) {
      ++it;
      continue;
    }
    args.options.problem("weights", "found weight 0 for tenant \"" + it->first + "\", expected a weight > 0");
    it = weights.erase(it);
  }
  return std::make_unique<Drf>(std::move(weights));
}

}  // namespace aidcsim
