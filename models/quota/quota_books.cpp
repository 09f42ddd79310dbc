#include "models/quota/quota_books.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/core/csv.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {

QuotaBooks::QuotaBooks(std::size_t jobs, std::vector<std::string> groups, std::vector<std::string> flavors, std::string kind)
    : flavors_(std::move(flavors)), kind_(std::move(kind)) {
  for (auto& name : groups) {
    Group g;
    g.name = std::move(name);
    groups_.push_back(std::move(g));
  }
  group_.assign(jobs, -1);
  flavor_.assign(jobs, -1);
  admitted_s_.assign(jobs, NAN);
  submit_s_.assign(jobs, NAN);
  open_.assign(jobs, 0);
}

void QuotaBooks::submitted(JobIndex j, int group, double submit_s) {
  group_[j] = group;
  submit_s_[j] = submit_s;
  Group& g = groups_[group];
  g.peak_pending = std::max(g.peak_pending, ++g.pending);
}

void QuotaBooks::admitted(JobIndex j, int flavor, double now, bool first_start_pending) {
  Group& g = groups_[group_[j]];
  --g.pending;
  ++g.admitted;
  flavor_[j] = flavor;
  if (first_start_pending) admitted_s_[j] = now;
  Admission a;
  a.job = j;
  a.flavor = flavor;
  a.admitted_s = now;
  if (log_.capacity() == 0) log_.reserve(group_.size());
  log_.push_back(std::move(a));
  open_[j] = static_cast<std::uint32_t>(log_.size());
}

void QuotaBooks::released(JobIndex j, double now, const std::string& why, bool evicted) {
  if (open_[j] == 0) throw std::logic_error("quota released for a job that holds none");
  Admission& a = log_[open_[j] - 1];
  a.released_s = now;
  auto it = std::find(hows_.begin(), hows_.end(), why);
  a.how = static_cast<int>(it - hows_.begin());
  if (it == hows_.end()) hows_.push_back(why);
  open_[j] = 0;
  if (!evicted) return;
  Group& g = groups_[group_[j]];
  ++g.preemptions[why];
  g.peak_pending = std::max(g.peak_pending, ++g.pending);
  std::string& r = reasons_[j];
  r += r.empty() ? why : ";" + why;
}

void QuotaBooks::rejected(JobIndex j) {
  Group& g = groups_[group_[j]];
  --g.pending;
  ++g.rejected;
}

std::vector<std::string> QuotaBooks::job_columns() const {
  return {"queue", "flavor", "admitted_s", "admission_delay_s", "placement_delay_s", "preemption_reasons"};
}

void QuotaBooks::append_job_fields(JobIndex j, const JobSpec& spec, double start_s, std::string& line) const {
  line += ',';
  if (group_[j] >= 0) append_csv_field(line, groups_[group_[j]].name);
  line += ',';
  if (flavor_[j] >= 0) append_csv_field(line, flavors_[flavor_[j]]);
  for (double x : {admitted_s_[j], admitted_s_[j] - spec.submit_s, start_s - admitted_s_[j]}) {
    line += ',';
    append_number(line, x);
  }
  line += ',';
  if (auto it = reasons_.find(j); it != reasons_.end()) append_csv_field(line, it->second);
}

std::string QuotaBooks::admissions_csv(const std::vector<JobSpec>& jobs) const {
  std::string out = "job_id," + kind_ + ",flavor,admitted_s,released_s,released_by\n";
  for (const auto& a : log_) {
    append_csv_field(out, jobs[a.job].job_id);
    out += ',';
    append_csv_field(out, groups_[group_[a.job]].name);
    out += ',';
    if (a.flavor >= 0) append_csv_field(out, flavors_[a.flavor]);
    out += ',';
    append_number(out, a.admitted_s);
    out += ',';
    append_number(out, a.released_s);
    out += ',';
    if (a.how >= 0) append_csv_field(out, hows_[a.how]);
    out += '\n';
  }
  return out;
}

std::vector<QuotaGroupReport> QuotaBooks::group_reports() const {
  std::vector<QuotaGroupReport> out;
  for (const auto& g : groups_) {
    QuotaGroupReport r;
    r.kind = kind_;
    r.name = g.name;
    r.admitted = g.admitted;
    r.rejected = g.rejected;
    r.peak_pending = g.peak_pending;
    r.preemptions = g.preemptions;
    out.push_back(std::move(r));
  }
  for (std::size_t j = 0; j < group_.size(); ++j)
    if (group_[j] >= 0 && !std::isnan(admitted_s_[j])) out[group_[j]].admission_delays_s.push_back(admitted_s_[j] - submit_s_[j]);
  return out;
}

}  // namespace aidcsim
