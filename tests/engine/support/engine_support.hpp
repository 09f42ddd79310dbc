#pragma once
// Helpers for engine tests: write small platforms, traces and scenarios into a temp folder, and run
// the CLI as a child process (SimGrid allows one engine per process).
#include <nlohmann/json.hpp>
#include <map>
#include <string>
#include <vector>

namespace aidcsim::testing {

std::string make_temp_dir(const std::string& name);
void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);

// A Full-routing platform with `servers` servers of `gpus_per_server` GPUs of `model`.
std::string small_platform_xml(int servers, int gpus_per_server, const std::string& model = "A100-80GB",
                               double gpu_speed_flops = 1e12, int cores = 64, const std::string& memory = "512GiB");

struct CliResult {
  int exit_code;
  std::string out;  // stdout
  std::string err;  // stderr
};
CliResult run_cli(const std::string& args);

// jobs.csv as rows of column -> value.
std::vector<std::map<std::string, std::string>> read_csv(const std::string& path);

}  // namespace aidcsim::testing
