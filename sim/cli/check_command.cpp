#include <fmt/format.h>

#include <memory>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/check/invariants.hpp"
#include "sim/cli/commands.hpp"
#include "sim/io/provenance.hpp"

namespace aidcsim::cli {

// The invariants are listed in the Python checker's order; a long list is cut like its report.
constexpr std::size_t kMaxReported = 50;

void add_check_command(CLI::App& app, std::function<int()>& action) {
  auto run_dir = std::make_shared<std::string>();
  auto replay_exact = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("check", "check the invariants of a run's outputs (jobs.csv, summary.json, ...)");
  cmd->add_option("run_dir", *run_dir, "output directory of `aidcsim run`")->required();
  cmd->add_flag("--replay-exact", *replay_exact,
                "also require end_s - start_s = duration_s (exclusive GPUs, trace workload model)");
  cmd->callback([run_dir, replay_exact, &action]() {
    action = [run_dir, replay_exact]() {
      check::CheckReport report = check::check_run_dir(*run_dir, {*replay_exact});
      // Provenance: the inputs the run read should still be what it recorded (docs/provenance.md).
      // A warning only: the outputs themselves may be perfectly consistent.
      const std::filesystem::path run_json = std::filesystem::path(*run_dir) / "run.json";
      if (std::ifstream in(run_json); in) {
        nlohmann::json recorded = nlohmann::json::parse(in, nullptr, false);
        // A run.json from before provenance was recorded has nothing to compare: no warning then.
        if (!recorded.is_discarded() && recorded.is_object() && recorded.contains("inputs"))
          for (const auto& m : provenance_mismatches(recorded))
            fmt::print(stderr, "warning: {}: {}\n", run_json.string(), m);
      }
      if (!report.violations.empty()) {
        fmt::print(stderr, "{}: {} invariant violation(s):\n", *run_dir, report.violations.size());
        for (std::size_t i = 0; i < report.violations.size() && i < kMaxReported; ++i)
          fmt::print(stderr, "  [{}] {}\n", report.violations[i].rule, report.violations[i].message);
        if (report.violations.size() > kMaxReported)
          fmt::print(stderr, "  ... and {} more\n", report.violations.size() - kMaxReported);
        return 1;
      }
      std::string note = report.preempted_skipped == 0
                             ? ""
                             : fmt::format("; {} preempted jobs left out of the allocation sweep",
                                           report.preempted_skipped);
      fmt::print("{}: ok ({} jobs{})\n", *run_dir, report.jobs, note);
      return 0;
    };
  });
}

}  // namespace aidcsim::cli
