#pragma once
// The core's own jobs.csv columns (CONTRACT.md §5): what every run reports of every job, from its
// JobSpec and JobRun. The first JobColumns of the table; concerns add theirs after it.
#include "sim/core/core.hpp"
#include "sim/core/job_columns.hpp"

namespace aidcsim {

class CoreJobColumns final : public JobColumns {
 public:
  explicit CoreJobColumns(const Core& core) : core_(core) {}
  std::vector<std::string> job_columns() const override;
  void append_job_fields(JobIndex j, const JobSpec& spec, const JobRun& run, std::string& line) const override;

 private:
  const Core& core_;
};

}  // namespace aidcsim
