#pragma once
// Which code a binary was built from, for run.json and `aidcsim --version`: the aidcsim version, the
// git commit and whether the working tree had uncommitted changes, both taken at build time
// (cmake/build_info.cmake writes them into a generated source at every build), and the versions of
// the libraries it was compiled against.
#include <nlohmann/json.hpp>
#include <string>

namespace aidcsim {

namespace generated {
// Defined in the generated build_info.cpp (build/generated/). Commit and dirty are "unknown" when the
// source was not a git checkout; dirty is "yes" or "no" otherwise.
extern const char* const kVersion;
extern const char* const kGitCommit;
extern const char* const kGitDirty;
}  // namespace generated

// {"aidcsim_version", "git_commit", "git_dirty" (true, false or null = unknown), "simgrid_version",
//  "boost_version", "fmt_version", "nlohmann_json_version", "compiler"}.
nlohmann::json build_info_json();

// The text of `aidcsim --version`, one item per line (no final newline: CLI11 adds it).
std::string version_text();

}  // namespace aidcsim
