#pragma once
// Shared by the fuzz targets: a private temp folder per process (removed at exit), writing an input
// where a parser that reads files can find it, and the rule for what counts as a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace aidcsim::fuzz {

// The folder (created once per process, removed when the process exits normally).
const std::string& temp_dir();
// Writes `bytes` to temp_dir()/name and returns the path.
std::string write_input(const std::string& name, std::string_view bytes);
std::string_view as_text(const std::uint8_t* data, std::size_t size);

// Inputs that hit defects another branch is fixing (issue 12: deep JSON nesting, NUL bytes in CSV,
// invalid UTF-8, numbers beyond double range, truncated gzip). While AIDCSIM_FUZZ_KNOWN_DEFECTS is
// unset the targets skip them, so a long run keeps looking for new bugs instead of stopping on a known
// one; set it to 1 to fuzz them too (e.g. once the fixes are merged).
bool skip_known_defects();
bool deeply_nested(std::string_view text, int max_depth = 64);
bool has_nul(std::string_view text);
bool invalid_utf8(std::string_view text);
bool huge_exponent(std::string_view text);  // a number like 1e400 (beyond double range)
bool gzip_magic(std::string_view bytes);

// A finding: prints what happened and aborts, so libFuzzer (or the replay driver) keeps the input.
[[noreturn]] void finding(const std::string& what);

}  // namespace aidcsim::fuzz

// Runs `body`; an InputErrors is the expected answer to a bad input (exit 2 in the CLI), anything
// else thrown is a finding (the CLI would exit 1, or crash).
#define AIDCSIM_FUZZ_GUARD(...)                                                                    \
  try {                                                                                            \
    __VA_ARGS__;                                                                                   \
  } catch (const ::aidcsim::InputErrors&) {                                                        \
  } catch (const std::exception& e) {                                                              \
    ::aidcsim::fuzz::finding(std::string("an exception that is not an input error: ") + e.what()); \
  }
