#pragma once
// Header-only helpers for the engine tests that drive the CLI on files written into a temp folder.
#include <gtest/gtest.h>

#include <cmath>
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

// A folder with a one-server, four-GPU platform, `trace_csv` and `scenario_json` (which names
// platform.xml and trace.csv): bad-input tests break one of them and run or validate it.
struct InputFolder {
  TempFolder dir;
  std::string scenario, platform, trace, out;
  InputFolder(const std::string& name, const std::string& trace_csv, const std::string& scenario_json) : dir(name) {
    platform = dir.write("platform.xml", small_platform_xml(1, 4));
    trace = dir.write("trace.csv", trace_csv);
    scenario = dir.write("scenario.json", scenario_json);
    out = dir / "out";
  }
  CliResult run(const std::string& extra = "") const {
    return run_cli("run " + scenario + " --out " + out + " --quiet " + extra);
  }
  CliResult validate(const std::string& extra = "") const { return run_cli("validate " + scenario + " " + extra); }
};

// jobs.csv rows by job_id.
inline std::map<std::string, std::map<std::string, std::string>> rows_by_id(const std::string& jobs_csv) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (auto& row : read_csv(jobs_csv)) out[row["job_id"]] = row;
  return out;
}

// A numeric jobs.csv cell; NaN when empty.
inline double num(const std::string& s) { return s.empty() ? NAN : std::stod(s); }

// A one-server scenario in `dir` (FIFO, first-fit, `gpus` GPUs of `model` at 1 TFLOP/s) with the given
// trace and virtualization section; returns the scenario's path.
inline std::string write_one_server_scenario(const TempFolder& dir, const std::string& name, const std::string& trace,
                                             const std::string& virtualization, int gpus, const std::string& model) {
  dir.write("platform.xml", small_platform_xml(1, gpus, model, 1e12));
  dir.write("trace.csv", trace);
  return dir.write("scenario.json", R"({
  "name": ")" + name + R"(",
  "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv", "format": "native" } },
  "scheduler": { "policy": "fifo" },
  "placement": { "policy": "first-fit" },
  "virtualization": )" + virtualization + R"(,
  "monitoring": { "interval_s": 1000 }
})");
}

// A deterministic mixed workload of 40 jobs for GPU-sharing runs on 2 GPUs: shares (gpu_milli) and
// GPU memory vary, so jobs queue and overlap.
inline std::string mixed_sharing_trace() {
  std::string t = "job_id,submit_s,duration_s,gpus,gpu_milli,gpu_mem_gib\n";
  const int shares[] = {100, 250, 300, 400, 500, 700, 1000};
  const int mems[] = {5, 10, 20, 30, 40, 60};
  for (int i = 0; i < 40; ++i)
    t += "j" + std::to_string(i) + "," + std::to_string(i * 3 % 17 + i) + "," + std::to_string(5 + i * 7 % 23) + "," +
         (i % 11 == 5 ? "2" : "1") + "," + std::to_string(shares[i * 5 % 7]) + "," + std::to_string(mems[i % 6]) + "\n";
  return t;
}

}  // namespace aidcsim::testing
