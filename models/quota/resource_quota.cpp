// quota.policy "resource-quota" (docs/quota.md): Kubernetes ResourceQuota per tenant (namespace).
// The API server checks a job's pods when they are created (plugin/pkg/admission/resourcequota,
// checkRequest: used + requested <= hard, equal allowed) and refuses them otherwise (HTTP 403); nothing
// waits in the API server. The Job controller retries the creation with its per-job exponential
// backoff: 1 s doubling to at most 60 s (pkg/controller/job/job_controller.go, DefaultJobApiBackOff,
// MaxJobApiBackOff, workqueue ItemExponentialFailureRateLimiter).
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "models/quota/kueue_config.hpp"
#include "models/quota/quota_books.hpp"
#include "models/quota/quotas.hpp"
#include "sim/core/core.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {

namespace {

constexpr double kFirstBackoff_s = 1, kMaxBackoff_s = 60;

struct TenantLimits {
  std::array<std::optional<QuotaAmount>, kQuotaResources> hard;
  std::map<int, QuotaAmount> gpus_of_model;  // Cluster model index -> milli-GPUs
};

class ResourceQuota final : public QuotaPolicy, private EventHandler {
 public:
  ResourceQuota(PolicyArgs& args) {
    std::set<std::string> names;
    for (const auto& j : args.jobs) names.insert(j.tenant);
    const nlohmann::json* t = args.options.raw("tenants");
    if (!t || !t->is_object()) args.options.problem("tenants", "missing; expected {\"TENANT\": {\"gpus\": N, \"cpus\": N, \"mem_gib\": N}}");
    OptionReader tenants = args.options.nested("tenants");
    if (t && t->is_object())
      for (const auto& [name, value] : t->items()) {
        names.insert(name);
        OptionReader l = tenants.nested(name);
        TenantLimits limits;
        for (int r = 0; r < kQuotaResources; ++r) {
          double v = l.number(kQuotaResourceNames[r], -1, 0, 1e9);
          if (v >= 0) limits.hard[r] = static_cast<QuotaAmount>(std::llround(v * (r == 2 ? 1024.0 : 1000.0)));
        }
        if (const nlohmann::json* m = l.raw("gpus_per_model")) {
          OptionReader per = l.nested("gpus_per_model");
          if (m->is_object())
            for (const auto& [model, count] : m->items()) {
              double v = per.number(model, 0, 0, 1e9);
              auto it = args.cluster.model_index.find(model);
              if (it == args.cluster.model_index.end())
                per.problem(model, fmt::format("unknown GPU model \"{}\"; expected one of the platform's models", model));
              else limits.gpus_of_model[it->second] = static_cast<QuotaAmount>(std::llround(v * 1000));
            }
        }
        l.reject_unknown();
        limits_by_name_[name] = limits;
      }
    tenant_names_.assign(names.begin(), names.end());
    cluster_models_ = args.cluster.gpu_models;
    for (std::size_t i = 0; i < tenant_names_.size(); ++i) index_[tenant_names_[i]] = static_cast<int>(i);
    limits_.resize(tenant_names_.size());
    for (auto& [name, l] : limits_by_name_) limits_[index_[name]] = l;
    used_.assign(tenant_names_.size(), {});
    used_by_model_.assign(tenant_names_.size(), {});
    books_.emplace(args.jobs.size(), tenant_names_, std::vector<std::string>{}, "tenant");
    tenant_of_.resize(args.jobs.size());
    for (std::size_t j = 0; j < args.jobs.size(); ++j) tenant_of_[j] = index_[args.jobs[j].tenant];
    failures_.assign(args.jobs.size(), 0);
    demand_.assign(args.jobs.size() * kQuotaResources, 0);
    model_.assign(args.jobs.size(), -1);
  }

  void submitted(JobIndex j, QuotaContext& ctx) override {
    ctx_ = &ctx;
    const Request& r = ctx.request_of(j);
    QuotaAmount* d = &demand_[std::size_t(j) * kQuotaResources];
    d[0] = static_cast<QuotaAmount>(r.gpus) * (ctx.exclusive_gpus() ? kWholeGpuMilli : ctx.spec(j).gpu_milli);
    d[1] = static_cast<QuotaAmount>(std::llround(r.cpus * 1000));
    d[2] = static_cast<QuotaAmount>(std::llround(r.mem_gib * 1024));
    // A job pinned to one GPU model counts against that model's limit.
    if (r.gpus > 0 && std::count(r.model_allowed.begin(), r.model_allowed.end(), 1) == 1)
      model_[j] = static_cast<int>(std::find(r.model_allowed.begin(), r.model_allowed.end(), 1) - r.model_allowed.begin());
    int t = tenant_of_[j];
    books_->submitted(j, t, ctx.spec(j).submit_s);
    if (std::string why = refusal(j, true); !why.empty()) {
      books_->rejected(j);
      ctx.reject(j, why);
      return;
    }
    try_create(j, ctx);
  }

  void admit(QuotaContext& ctx) override { ctx_ = &ctx; }

  void completed(JobIndex j, QuotaContext& ctx) override {
    int t = tenant_of_[j];
    for (int r = 0; r < kQuotaResources; ++r) used_[t][r] -= demand_[std::size_t(j) * kQuotaResources + r];
    if (model_[j] >= 0) used_by_model_[t][model_[j]] -= demand_[std::size_t(j) * kQuotaResources];
    books_->released(j, ctx.now(), "completed", false);
  }

  std::vector<std::string> job_columns() const override { return books_->job_columns(); }
  void append_job_fields(JobIndex j, const JobSpec& spec, const JobRun& run, std::string& line) const override {
    books_->append_job_fields(j, spec, run.start_s, line);
  }
  void sample(double, std::vector<Sample>& out) override {
    for (std::size_t t = 0; t < tenant_names_.size(); ++t)
      if (limits_by_name_.count(tenant_names_[t])) out.push_back({"quota_gpus_used", tenant_names_[t], used_[t][0] / 1000.0});
  }
  QuotaReport report(double) override {
    QuotaReport r;
    r.policy = "resource-quota";
    r.groups = books_->group_reports();
    for (std::size_t t = 0; t < r.groups.size(); ++t) {
      nlohmann::json hard = nlohmann::json::object();
      for (int res = 0; res < kQuotaResources; ++res)
        if (limits_[t].hard[res]) hard[kQuotaResourceNames[res]] = *limits_[t].hard[res] / (res == 2 ? 1024.0 : 1000.0);
      for (const auto& [model, milli] : limits_[t].gpus_of_model) hard["gpus_per_model"][cluster_models_[model]] = milli / 1000.0;
      r.groups[t].config = {{"hard", hard}};
    }
    return r;
  }
  std::string admissions_csv(const std::vector<JobSpec>& jobs) const override { return books_->admissions_csv(jobs); }

 private:
  // Why creating j's pods is refused now ("" = allowed); `alone`: against the limits alone (never fits).
  std::string refusal(JobIndex j, bool alone) const {
    int t = tenant_of_[j];
    const TenantLimits& l = limits_[t];
    const QuotaAmount* d = &demand_[std::size_t(j) * kQuotaResources];
    for (int r = 0; r < kQuotaResources; ++r) {
      if (!l.hard[r] || d[r] == 0) continue;
      QuotaAmount used = alone ? 0 : used_[t][r];
      if (used + d[r] > *l.hard[r])
        return message(t, kQuotaResourceNames[r], d[r], used, *l.hard[r], r == 2 ? 1024.0 : 1000.0, alone);
    }
    if (model_[j] >= 0)
      if (auto it = l.gpus_of_model.find(model_[j]); it != l.gpus_of_model.end()) {
        QuotaAmount used = alone ? 0 : used_by_model_[t].count(model_[j]) ? used_by_model_[t].at(model_[j]) : 0;
        if (used + d[0] > it->second) return message(t, "gpus_per_model", d[0], used, it->second, 1000.0, alone);
      }
    return "";
  }
  std::string message(int t, const char* resource, QuotaAmount requested, QuotaAmount used, QuotaAmount hard, double unit,
                      bool alone) const {
    return fmt::format("{}exceeded quota: {}, requested: {}={}, used: {}={}, limited: {}={}",
                       alone ? "larger than its tenant's ResourceQuota on its own: " : "", tenant_names_[t], resource,
                       format_number(requested / unit), resource, format_number(used / unit), resource, format_number(hard / unit));
  }
  void try_create(JobIndex j, QuotaContext& ctx) {
    if (!refusal(j, false).empty()) {
      double backoff = std::min(kMaxBackoff_s, kFirstBackoff_s * std::pow(2.0, failures_[j]++));
      ctx.at(ctx.now() + backoff, this, j);
      return;
    }
    int t = tenant_of_[j];
    for (int r = 0; r < kQuotaResources; ++r) used_[t][r] += demand_[std::size_t(j) * kQuotaResources + r];
    if (model_[j] >= 0) used_by_model_[t][model_[j]] += demand_[std::size_t(j) * kQuotaResources];
    books_->admitted(j, -1, ctx.now(), !ctx.has_started(j));
    ctx.admit(j, nullptr);
  }
  void on_event(std::uint64_t payload, double) override { try_create(static_cast<JobIndex>(payload), *ctx_); }

  std::map<std::string, TenantLimits> limits_by_name_;
  std::vector<std::string> tenant_names_;
  std::vector<std::string> cluster_models_;
  std::map<std::string, int> index_;
  std::vector<TenantLimits> limits_;
  std::vector<std::array<QuotaAmount, kQuotaResources>> used_;
  std::vector<std::map<int, QuotaAmount>> used_by_model_;
  std::optional<QuotaBooks> books_;
  std::vector<int> tenant_of_, failures_, model_;
  std::vector<QuotaAmount> demand_;
  QuotaContext* ctx_ = nullptr;
};

}  // namespace

std::unique_ptr<QuotaPolicy> make_resource_quota(PolicyArgs& args) { return std::make_unique<ResourceQuota>(args); }

}  // namespace aidcsim
