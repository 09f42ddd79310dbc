// `aidcsim export openmetrics RUN_DIR [-o FILE] [--start DATE]` (docs/prometheus.md).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "sim/cli/commands.hpp"
#include "sim/core/errors.hpp"
#include "sim/io/openmetrics_export.hpp"
#include "sim/io/outputs.hpp"

namespace aidcsim::cli {

namespace {

// `export` groups the exporters of a finished run; whichever adds itself first creates it.
CLI::App* find_or_add_export_group(CLI::App& app) {
  for (CLI::App* existing : app.get_subcommands([](CLI::App*) { return true; }))
    if (existing->get_name() == "export") return existing;
  auto* group = app.add_subcommand("export", "write a finished run in the formats of other tools");
  group->require_subcommand(1);
  return group;
}

constexpr const char* kDefaultStart = "2026-01-01T00:00:00Z";

}  // namespace

void add_export_openmetrics_command(CLI::App& app, std::function<int()>& action) {
  auto run_dir = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto start = std::make_shared<std::string>(kDefaultStart);
  auto* cmd = find_or_add_export_group(app)->add_subcommand(
      "openmetrics", "the run's time series as OpenMetrics text, for promtool and Prometheus (docs/prometheus.md)");
  cmd->add_option("run_dir", *run_dir, "output directory of `aidcsim run`")->required();
  cmd->add_option("-o,--output", *out, "output file, `-` for stdout (default RUN_DIR/metrics.om)");
  cmd->add_option("--start", *start,
                  fmt::format("RFC 3339 date-time that simulated time 0 maps onto (default {})", kDefaultStart));
  cmd->callback([=, &action]() {
    action = [=]() {
      auto start_ms = parse_rfc3339_ms(*start);
      if (!start_ms)
        throw InputErrors({{"--start", 0, "",
                            fmt::format("found \"{}\", expected an RFC 3339 date-time from 1970 on such as {} "
                                        "(or a date, 2026-01-01)",
                                        abbreviate(*start, 60), kDefaultStart)}});
      OpenMetricsExport result = export_openmetrics(*run_dir, *start_ms);
      std::string path = out->empty() ? (std::filesystem::path(*run_dir) / "metrics.om").string() : *out;
      if (path == "-") {
        std::cout << result.text << std::flush;
        return std::cout ? 0 : 1;
      }
      std::error_code ec;
      std::filesystem::path parent = std::filesystem::path(path).parent_path();
      if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
        throw InputErrors({{path, 0, "-o", fmt::format("folder \"{}\" does not exist", parent.string())}});
      if (std::filesystem::is_directory(path, ec)) throw InputErrors({{path, 0, "-o", "is a folder, expected a file name"}});
      write_file_atomically(path, result.text);
      std::string note;
      if (!result.replaced_by_scrapes.empty())
        note = fmt::format(" (from scrapes.om instead of timeseries.csv: {})", join_names(result.replaced_by_scrapes));
      fmt::print("wrote {}: {} families, {} series, {} samples; simulated time 0 at {}{}{}\n", path, result.families,
                 result.series, result.samples, *start, result.has_scrapes ? "; timeseries.csv and scrapes.om" : "",
                 note);
      return 0;
    };
  });
}

}  // namespace aidcsim::cli
