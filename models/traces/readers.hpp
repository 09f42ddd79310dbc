#pragma once
// Factories of the trace readers, and the row helpers they share.
#include <memory>
#include <string>
#include <vector>

#include "sim/csv.hpp"
#include "sim/errors.hpp"
#include "sim/policy/trace_reader.hpp"
#include "sim/registry.hpp"

namespace aidcsim {

std::unique_ptr<TraceReader> make_native_reader(PolicyArgs& args);

// Reads the fields of one CSV row, recording every malformed field with its line and column.
struct RowReader {
  const std::string& path;
  int line;
  const CsvHeader& header;
  const std::vector<std::string>& fields;
  ProblemList& problems;
  bool ok = true;

  void fail(int column, const std::string& what);
  std::string text(int column) const;  // "" when absent
  // An absent column (index < 0) or an empty optional field gives `fallback`; an empty required one fails.
  double number(int column, double fallback, double min, bool strictly_above_min, const char* expected,
                bool required = false);
  long long integer(int column, long long fallback, long long min, long long max, const char* expected,
                    bool required = false);
};

std::vector<std::string> split_models(const std::string& text);  // "A|B" -> {A, B}

}  // namespace aidcsim
