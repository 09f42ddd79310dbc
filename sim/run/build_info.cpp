#include "sim/run/build_info.hpp"

#include <fmt/format.h>
#include <xbt/base.h>  // simgrid/version.h needs its macros
#include <simgrid/version.h>

#include <boost/version.hpp>

namespace aidcsim {

static nlohmann::json dirty_flag() {
  const std::string dirty = generated::kGitDirty;
  if (dirty == "yes") return true;
  if (dirty == "no") return false;
  return nullptr;
}

static std::string compiler() {
#if defined(__clang__)
  return fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

nlohmann::json build_info_json() {
  return {{"aidcsim_version", generated::kVersion},
          {"git_commit", generated::kGitCommit},
          {"git_dirty", dirty_flag()},
          {"simgrid_version",
           fmt::format("{}.{}.{}", SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR, SIMGRID_VERSION_PATCH)},
          {"boost_version",
           fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100)},
          {"fmt_version", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
          {"nlohmann_json_version", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                                                NLOHMANN_JSON_VERSION_PATCH)},
          {"compiler", compiler()}};
}

std::string version_text() {
  const nlohmann::json b = build_info_json();
  const std::string dirty = generated::kGitDirty;
  std::string commit = b["git_commit"].get<std::string>();
  if (commit == "unknown") commit += " (not built from a git checkout)";
  else if (dirty == "yes") commit += " (with uncommitted changes)";
  else if (dirty == "unknown") commit += " (working tree state unknown)";
  return fmt::format(
      "aidcsim {}\ncommit {}\nSimGrid {}\nBoost {}\nfmt {}\nnlohmann/json {}\ncompiler {}",
      b["aidcsim_version"].get<std::string>(), commit, b["simgrid_version"].get<std::string>(),
      b["boost_version"].get<std::string>(), b["fmt_version"].get<std::string>(),
      b["nlohmann_json_version"].get<std::string>(), b["compiler"].get<std::string>());
}

}  // namespace aidcsim
