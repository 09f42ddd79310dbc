#include "sim/check/run_tables.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/csv.hpp"

namespace aidcsim::check {

std::optional<CsvTable> read_optional_table(const std::string& run_dir, const std::string& name) {
  const std::string path = (std::filesystem::path(run_dir) / name).string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  ProblemList problems;
  CsvTable table = CsvTable::read(path, problems);
  problems.throw_if_any();
  return table;
}

CsvTable CsvTable::read(const std::string& path, ProblemList& problems) {
  CsvTable table;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    problems.add(path, 0, "", "file not found (is this the output directory of `aidcsim run`?)");
    return table;
  }
  LineInput input(path);
  if (!input.ok()) {
    problems.add(path, 0, "", "cannot open the file");
    return table;
  }
  std::string line;
  int records = 0;
  while (input.next(line)) {
    if (line.empty()) continue;  // DictReader skips empty rows
    std::vector<std::string> fields;
    split_csv(line, fields);
    if (!table.has_header_) {
      table.has_header_ = true;
      table.header_ = fields;
      for (std::size_t i = 0; i < fields.size(); ++i) table.columns_[fields[i]] = i;
      records = 1;
      continue;
    }
    table.rows_.push_back({++records, std::move(fields)});
  }
  return table;
}

std::optional<std::string> CsvTable::get(const CsvRecord& row, const std::string& name) const {
  auto it = columns_.find(name);
  if (it == columns_.end() || it->second >= row.fields.size()) return std::nullopt;
  return row.fields[it->second];
}

nlohmann::json read_json_file(const std::string& path, ProblemList& problems) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    problems.add(path, 0, "", "file not found (is this the output directory of `aidcsim run`?)");
    return nullptr;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    problems.add(path, 0, "", fmt::format("invalid JSON: {}", e.what()));
    return nullptr;
  }
}

}  // namespace aidcsim::check
