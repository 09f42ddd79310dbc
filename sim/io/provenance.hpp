#pragma once
// Provenance of a run (docs/provenance.md): digests of the files it read, the machine it ran on, its
// command line and wall-clock times, and the check that a run's recorded inputs are unchanged. All of
// it goes to run.json only: no other output gains a machine- or time-dependent field.
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/run_record.hpp"

namespace aidcsim {

struct FileDigest {
  std::string sha256;  // 64 lowercase hex digits
  std::uintmax_t size_bytes = 0;
};

// SHA-256 of bytes, as 64 lowercase hex digits (OpenSSL's EVP).
std::string sha256_hex(std::string_view bytes);
// SHA-256 and size of a file's content; nullopt when it cannot be read.
std::optional<FileDigest> digest_file(const std::string& path);

// One object per input: {"role", "path" (as the run opened it), "absolute_path", "sha256", "size_bytes"};
// sha256 and size_bytes are null for a file that could not be read.
nlohmann::json inputs_json(const std::vector<InputFile>& inputs);
// {"run": run seed, "streams": [{"name", "seed"}, ...] sorted by name}.
nlohmann::json random_streams_json(std::uint64_t run_seed, const std::vector<RandomStream>& streams);
// {"os" (/etc/os-release PRETTY_NAME), "kernel", "architecture", "cpu_model" (/proc/cpuinfo),
//  "logical_cpus", "hostname"}; a field that cannot be read is null.
nlohmann::json machine_json();
// This process's arguments as given (/proc/self/cmdline); empty where that cannot be read.
std::vector<std::string> process_command_line();
// "2026-12-04T05:30:00.123Z".
std::string utc_timestamp(std::chrono::system_clock::time_point t);

// Re-hashes the inputs a run.json records and returns one message per input that is missing or no
// longer matches its recorded SHA-256 (empty: all match). A run.json that records no input digests
// gives one message saying so. For `aidcsim check RUN_DIR`.
std::vector<std::string> provenance_mismatches(const nlohmann::json& run_json);

}  // namespace aidcsim
