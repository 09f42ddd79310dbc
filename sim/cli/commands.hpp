#pragma once
// One function per subcommand; each returns the process exit code (0 ok, 1 failure, 2 bad input).
#include <CLI/CLI.hpp>
#include <functional>

namespace aidcsim::cli {

// Each adds its subcommand to `app` and sets `action` to run when that subcommand is chosen.
void add_run_command(CLI::App& app, std::function<int()>& action);
void add_validate_command(CLI::App& app, std::function<int()>& action);
void add_list_command(CLI::App& app, std::function<int()>& action);
void add_platform_command(CLI::App& app, std::function<int()>& action);
void add_trace_command(CLI::App& app, std::function<int()>& action);
void add_sweep_command(CLI::App& app, std::function<int()>& action);
void add_check_command(CLI::App& app, std::function<int()>& action);
// `export openmetrics` (docs/prometheus.md).
void add_export_openmetrics_command(CLI::App& app, std::function<int()>& action);
// `export trace-events` and `report`: views of a finished run (docs/timeline.md).
void add_export_trace_events_command(CLI::App& app, std::function<int()>& action);
void add_report_command(CLI::App& app, std::function<int()>& action);
// The `export` group, created by the first exporter that asks for it.
CLI::App* export_group(CLI::App& app);
// Throws InputErrors (exit 2) when an output file's folder is missing or the path is a directory.
void check_output_path(const std::string& path, const std::string& option);

// Runs `body`, turning InputErrors into their messages and exit 2, other exceptions into exit 1.
int guarded(const std::function<int()>& body);

}  // namespace aidcsim::cli
