#pragma once
// Header-only helpers for the engine tests that drive the CLI on files written into a temp folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/engine/support/engine_support.hpp"

namespace aidcsim::testing {

// One jobs.csv row reduced to the columns CONTRACT.md §5 fixes (later features append more), as "job_id,tenant,submit_s,...,hosts".
inline std::string contract_row(const std::map<std::string, std::string>& row) {
  std::string out;
  for (const char* c : {"job_id", "tenant", "submit_s", "start_s", "end_s", "queue_delay_s", "jct_s", "gpus",
                        "gpu_milli", "state", "hosts"}) {
    auto it = row.find(c);
    out += (out.empty() ? "" : ",") + (it == row.end() ? std::string("<missing>") : it->second);
  }
  return out;
}

inline std::vector<std::string> contract_rows(const std::string& jobs_csv) {
  std::vector<std::string> out;
  for (const auto& row : read_csv(jobs_csv)) out.push_back(contract_row(row));
  return out;
}

inline nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_text(path)); }

// summary.json without its wall-clock line, for byte comparisons between runs.
inline std::string summary_without_wall(const std::string& path) {
  std::string text = read_text(path), out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
    if (line.find("\"wall_s\"") == std::string::npos) out += line;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// True when `dir` does not exist or holds no file at all (not even a temporary one).
inline bool no_outputs_in(const std::string& dir) {
  return !std::filesystem::exists(dir) || std::filesystem::is_empty(dir);
}

// Removes a test's temp folder when the test passed; keeps it for inspection when it failed.
class TempFolder {
 public:
  // Unique per process and per instance: make_temp_dir() empties a folder of the same name.
  explicit TempFolder(const std::string& name) : path_(make_temp_dir(name + "-" + std::to_string(next_id()))) {}
  ~TempFolder() {
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(path_);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    write_text(path_ + "/" + name, text);
    return path_ + "/" + name;
  }

 private:
  static int next_id() {
    static int id = 0;
    return id++;
  }
  std::string path_;
};

}  // namespace aidcsim::testing
