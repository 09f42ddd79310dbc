#pragma once
// The records every quota policy keeps for its outputs (docs/quota.md): per job its group (a
// ClusterQueue or a tenant), flavor, admission time and preemption reasons; per group the counts of
// summary.json's "quota"; and the admissions log behind admissions.csv.
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/core/types.hpp"
#include "sim/policy/quota.hpp"

namespace aidcsim {

class QuotaBooks {
 public:
  QuotaBooks(std::size_t jobs, std::vector<std::string> groups, std::vector<std::string> flavors, std::string kind);

  void submitted(JobIndex j, int group, double submit_s);
  // `first_start_pending`: the job never started yet (its admission delay is this admission's).
  void admitted(JobIndex j, int flavor, double now, bool first_start_pending);
  // The job's quota is given back: completed, or evicted with a reason (the preemption's).
  void released(JobIndex j, double now, const std::string& why, bool evicted);
  void rejected(JobIndex j);

  int group_of(JobIndex j) const { return group_[j]; }
  long long pending(int group) const { return groups_[group].pending; }
  std::vector<std::string> job_columns() const;
  void append_job_fields(JobIndex j, const JobSpec& spec, double start_s, std::string& line) const;
  std::string admissions_csv(const std::vector<JobSpec>& jobs) const;
  // Per group, in group order; borrowed and lent GPU-seconds are the caller's to fill.
  std::vector<QuotaGroupReport> group_reports() const;

 private:
  struct Group {
    std::string name;
    long long admitted = 0, rejected = 0, pending = 0, peak_pending = 0;
    std::map<std::string, long long> preemptions;
  };
  struct Admission {
    JobIndex job = 0;
    int flavor = -1;
    double admitted_s = NAN, released_s = NAN;
    int how = -1;  // index into hows_: "completed" or the eviction's reason; -1 while held
  };
  std::vector<std::string> hows_;
  std::vector<Group> groups_;
  std::vector<std::string> flavors_;
  std::string kind_;
  std::vector<int> group_;
  std::vector<int> flavor_;
  std::vector<double> admitted_s_;     // the admission before the first start (NaN: none yet)
  std::vector<double> submit_s_;
  std::vector<std::uint32_t> open_;    // index + 1 of the job's open admission in log_, 0 = none
  std::unordered_map<JobIndex, std::string> reasons_;  // preemption reasons, ';'-joined, evicted jobs only
  std::vector<Admission> log_;
};

}  // namespace aidcsim
