// Runs a fuzz target without libFuzzer (any compiler): every file given (or found in a folder given),
// then --mutations N deterministic mutations of each (byte flips, inserts, deletions, repeats, splices
// with another seed). The ctest smoke of each target; a finding aborts with the input's name.
// Usage: fuzz_TARGET [--mutations N] FILE_OR_DIR...
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

struct Rng {  // xorshift64*: the same mutations on every machine
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  std::uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ull;
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

std::string mutate(const std::string& seed, const std::string& other, Rng& rng) {
  std::string s = seed;
  static const char* const kTokens[] = {"0", "-1", "1e308", "\"", ",", "\n", "{}", "[]", "null", ":", "=",
                                        "999999999999", "0.5", "true", "\"\"", "<", ">", "/", ";", "|", "nan"};
  int edits = 1 + static_cast<int>(rng.below(4));
  for (int e = 0; e < edits; ++e) {
    std::size_t at = rng.below(s.size() + 1);
    switch (rng.below(6)) {
      case 0:
        if (!s.empty()) s[std::min(at, s.size() - 1)] ^= static_cast<char>(1u << rng.below(7));
        break;
      case 1:
        s.insert(at, kTokens[rng.below(std::size(kTokens))]);
        break;
      case 2:
        s.erase(at, rng.below(16));
        break;
      case 3: {  // repeat a slice
        std::size_t len = rng.below(32);
        s.insert(at, s.substr(at, len));
        break;
      }
      case 4: {  // splice a slice of another seed
        std::size_t from = rng.below(other.size() + 1);
        s.insert(at, other.substr(from, rng.below(64)));
        break;
      }
      default:
        s.resize(at);  // truncate
    }
  }
  return s;
}

// The input being run, written to replay-finding.bin (working folder) when a finding aborts, so a
// mutated input can be reproduced and kept as a regression file.
const std::string* current_input = nullptr;

void save_current_input(int) {
  if (current_input) {
    int fd = open("replay-finding.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      [[maybe_unused]] auto n = write(fd, current_input->data(), current_input->size());
      close(fd);
      const char note[] = "replay: the input is in replay-finding.bin\n";
      [[maybe_unused]] auto m = write(2, note, sizeof note - 1);
    }
  }
  std::signal(SIGABRT, SIG_DFL);
  std::abort();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 0;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--mutations" && i + 1 < argc) {
      mutations = std::strtol(argv[++i], nullptr, 10);
      continue;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(a, ec)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(a))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (std::filesystem::is_regular_file(a, ec)) {
      files.push_back(a);
    } else {
      std::fprintf(stderr, "replay: %s: no such file or folder\n", a.c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "replay: no input\n");
    return 2;
  }
  std::vector<std::string> seeds;
  for (const auto& f : files) seeds.push_back(read_file(f));
  std::signal(SIGABRT, save_current_input);
  Rng rng;
  long runs = 0;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    std::fprintf(stderr, "replay: %s\n", files[i].c_str());
    current_input = &seeds[i];
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(seeds[i].data()), seeds[i].size());
    ++runs;
    for (long m = 0; m < mutations; ++m) {
      std::string input = mutate(seeds[i], seeds[rng.below(seeds.size())], rng);
      current_input = &input;
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
      ++runs;
    }
  }
  std::printf("replay: %ld inputs (%zu files, %ld mutations each), no finding\n", runs, files.size(), mutations);
  return 0;
}
