#pragma once
// The outputs of one run as the invariant checker reads them: CSV tables by column name (like Python's
// csv.DictReader: blank lines skipped, a short row's missing fields are absent, the last of two
// same-named columns wins) and the JSON files.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/errors.hpp"

namespace aidcsim::check {

struct CsvRecord {
  int line = 0;  // DictReader's count: header = 1, then one per non-blank record
  std::vector<std::string> fields;
};

class CsvTable {
 public:
  // Reads `path`; a missing or unreadable file is a problem added to `problems` (and an empty table).
  static CsvTable read(const std::string& path, ProblemList& problems);
  bool has_column(const std::string& name) const { return columns_.count(name) > 0; }
  // The row's value of a column: nullopt when the column is absent or the row is too short (Python's None).
  std::optional<std::string> get(const CsvRecord& row, const std::string& name) const;
  const std::vector<CsvRecord>& rows() const { return rows_; }
  const std::vector<std::string>& header() const { return header_; }
  bool has_header() const { return has_header_; }

 private:
  std::map<std::string, std::size_t> columns_;
  std::vector<std::string> header_;
  bool has_header_ = false;
  std::vector<CsvRecord> rows_;
};

// RUN_DIR/`name` as a table, or nullopt when the run has no such file (the concern was off); a file
// that cannot be read throws InputErrors.
std::optional<CsvTable> read_optional_table(const std::string& run_dir, const std::string& name);

// Parses a JSON file; a missing file or invalid JSON is a problem added to `problems` (and null).
nlohmann::json read_json_file(const std::string& path, ProblemList& problems);

}  // namespace aidcsim::check
