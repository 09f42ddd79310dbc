#pragma once
// A concern's own jobs.csv columns, after the core's (CONTRACT.md §7): the quota policy's, the
// failures', the workload model's. The writer (sim/run/report.cpp) asks each for its header names and,
// per job, its fields; a concern without columns returns none.
#include <string>
#include <vector>

#include "sim/core/types.hpp"

namespace aidcsim {

struct JobRun;  // sim/core/core.hpp

class JobColumns {
 public:
  virtual ~JobColumns() = default;
  virtual std::vector<std::string> job_columns() const { return {}; }
  // Appends ",value" for each of its columns.
  virtual void append_job_fields(JobIndex, const JobSpec&, const JobRun&, std::string&) const {}
};

}  // namespace aidcsim
