#pragma once
// Trace readers turn a published trace file into canonical JobSpecs.
#include <string>
#include <vector>

#include "sim/core/types.hpp"

namespace aidcsim {

class OptionReader;
class ProblemList;

struct TraceReadResult {
  std::vector<JobSpec> jobs;
  // Rows skipped for a documented reason (reason -> count), reported in the summary.
  std::vector<std::pair<std::string, long long>> skipped;
};

class TraceReader {
 public:
  virtual ~TraceReader() = default;
  // Appends every malformed row to `problems` (file, line, column, what) and returns what it read.
  virtual TraceReadResult read(const std::string& path, ProblemList& problems) = 0;
};

}  // namespace aidcsim
