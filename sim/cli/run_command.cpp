#include <fmt/format.h>
#include <unistd.h>

#include "sim/cli/commands.hpp"
#include "sim/cli/interrupt.hpp"
#include "sim/core/errors.hpp"
#include "sim/run/report.hpp"
#include "sim/run/run.hpp"

namespace aidcsim::cli {

namespace {
struct RunArgs {
  std::string scenario;
  std::optional<std::string> out;
  std::vector<std::string> sets;
  std::optional<std::uint64_t> seed;
  bool quiet = false;
  bool verbose = false;
  std::string engine_stats;
};
}  // namespace

void add_run_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "run one scenario");
  cmd->add_option("scenario", args->scenario, "scenario JSON file")->required();
  cmd->add_option("--out", args->out, "output directory (default results/<scenario name>)");
  cmd->add_option("--set", args->sets, "override a scenario value: KEY=VALUE with a dotted KEY");
  cmd->add_option("--seed", args->seed, "override the scenario's seed");
  cmd->add_flag("--quiet", args->quiet, "print nothing but errors");
  cmd->add_flag("--verbose-simgrid", args->verbose, "let SimGrid log its messages");
  cmd->add_option("--engine-stats", args->engine_stats,
                  "also write FILE: SimGrid activities and steps, core events (for benchmarks)");
  cmd->callback([args, &action]() {
    action = [args]() {
      if (args->out && args->out->empty())
        throw InputErrors({{"--out", 0, "", "empty; expected a directory (or no --out for results/<scenario name>)"}});
      std::vector<Override> overrides;
      for (const auto& s : args->sets) overrides.push_back(parse_override(s));
      auto& engine = make_simgrid_engine(args->verbose);
      InterruptGuard interrupts;  // after the engine: replaces SimGrid's own SIGINT handler
      Prepared prepared = prepare(engine, args->scenario, overrides, args->seed, builtin_registries());
      RunOptions options{args->out.value_or(""), !args->quiet && isatty(STDERR_FILENO),
                         [] { return InterruptGuard::received() != 0; }, args->engine_stats};
      nlohmann::json summary;
      try {
        summary = run_prepared(engine, prepared, options);
      } catch (const RunInterrupted&) {
        const int sig = InterruptGuard::received();
        fmt::print(stderr, "error: run: interrupted by {}; stopped, no outputs written\n",
                   sig == SIGTERM ? "SIGTERM" : "SIGINT");
        return 128 + sig;
      }
      if (!args->quiet) {
        fmt::print("{}", format_summary(summary));
        fmt::print("  outputs in {}/\n", summary["out_dir"].get<std::string>());
      }
      return 0;
    };
  });
}

}  // namespace aidcsim::cli
