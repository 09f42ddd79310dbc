#include "sim/io/provenance.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

namespace aidcsim {

namespace fs = std::filesystem;

namespace {

// Incremental SHA-256 over OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("SHA-256: OpenSSL could not start a digest");
  }
  void update(const void* data, std::size_t size) {
    if (size > 0 && EVP_DigestUpdate(ctx_.get(), data, size) != 1) throw std::runtime_error("SHA-256: digest update failed");
  }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length) != 1) throw std::runtime_error("SHA-256: digest failed");
    std::string out;
    for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::string first_line_value(const std::string& path, const std::string& key, char separator) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    auto sep = line.find(separator, key.size());
    if (sep == std::string::npos) continue;
    // Only blanks may stand between the key and the separator ("model name\t: ...").
    if (line.find_first_not_of(" \t", key.size()) != sep) continue;
    std::string value = line.substr(sep + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.pop_back();
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return "";
}

nlohmann::json or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  Sha256 sha;
  sha.update(bytes.data(), bytes.size());
  return sha.hex();
}

std::optional<FileDigest> digest_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path)) return std::nullopt;
  Sha256 sha;
  FileDigest d;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    sha.update(buffer.data(), static_cast<std::size_t>(got));
    d.size_bytes += static_cast<std::uintmax_t>(got);
  }
  if (in.bad()) return std::nullopt;
  d.sha256 = sha.hex();
  return d;
}

nlohmann::json inputs_json(const std::vector<InputFile>& inputs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : inputs) {
    std::error_code ec;
    fs::path absolute = fs::absolute(f.path, ec);
    auto digest = digest_file(f.path);
    out.push_back({{"role", f.role},
                   {"path", f.path},
                   {"absolute_path", ec ? f.path : absolute.lexically_normal().string()},
                   {"sha256", digest ? nlohmann::json(digest->sha256) : nlohmann::json(nullptr)},
                   {"size_bytes", digest ? nlohmann::json(digest->size_bytes) : nlohmann::json(nullptr)}});
  }
  return out;
}

nlohmann::json random_streams_json(std::uint64_t run_seed, const std::vector<RandomStream>& streams) {
  std::vector<RandomStream> sorted = streams;
  std::sort(sorted.begin(), sorted.end(), [](const RandomStream& a, const RandomStream& b) { return a.name < b.name; });
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : sorted) list.push_back({{"name", s.name}, {"seed", s.seed}});
  return {{"run", run_seed}, {"streams", list}};
}

nlohmann::json machine_json() {
  struct utsname u {};
  const bool have_uname = uname(&u) == 0;
  std::array<char, 256> host{};
  const bool have_host = gethostname(host.data(), host.size() - 1) == 0;
  unsigned cpus = std::thread::hardware_concurrency();
  return {{"os", or_null(first_line_value("/etc/os-release", "PRETTY_NAME", '='))},
          {"kernel", have_uname ? nlohmann::json(std::string(u.sysname) + " " + u.release) : nlohmann::json(nullptr)},
          {"architecture", have_uname ? nlohmann::json(u.machine) : nlohmann::json(nullptr)},
          {"cpu_model", or_null(first_line_value("/proc/cpuinfo", "model name", ':'))},
          {"logical_cpus", cpus > 0 ? nlohmann::json(cpus) : nlohmann::json(nullptr)},
          {"hostname", have_host ? nlohmann::json(std::string(host.data())) : nlohmann::json(nullptr)}};
}

std::vector<std::string> process_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

std::vector<std::string> provenance_mismatches(const nlohmann::json& run_json) {
  std::vector<std::string> problems;
  if (!run_json.is_object() || !run_json.contains("inputs") || !run_json["inputs"].is_array()) {
    problems.push_back("run.json records no input digests (written before aidcsim recorded provenance)");
    return problems;
  }
  for (const auto& input : run_json["inputs"]) {
    if (!input.is_object()) continue;
    const std::string role = input.value("role", std::string("input"));
    std::string path = input.value("absolute_path", std::string());
    if (path.empty()) path = input.value("path", std::string());
    const auto recorded_sha = input.find("sha256");
    if (recorded_sha == input.end() || !recorded_sha->is_string()) {
      problems.push_back(fmt::format("{} {}: no digest was recorded (the run could not read it)", role, path));
      continue;
    }
    auto now = digest_file(path);
    if (!now) {
      problems.push_back(fmt::format("{} {}: missing or unreadable (recorded sha256 {})", role, path,
                                     recorded_sha->get<std::string>()));
      continue;
    }
    if (now->sha256 != recorded_sha->get<std::string>()) {
      std::string sizes;
      if (input.contains("size_bytes") && input["size_bytes"].is_number_unsigned())
        sizes = fmt::format("; {} bytes, recorded {}", now->size_bytes, input["size_bytes"].get<std::uintmax_t>());
      problems.push_back(fmt::format("{} {}: changed since the run (sha256 {}, recorded {}{})", role, path, now->sha256,
                                     recorded_sha->get<std::string>(), sizes));
    }
  }
  return problems;
}

}  // namespace aidcsim
