// `aidcsim export trace-events RUN_DIR`: a finished run as Chrome trace-event JSON (docs/timeline.md).
// Self-contained: `export` is a group other exporters join through export_group().
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "sim/cli/commands.hpp"
#include "sim/core/errors.hpp"
#include "sim/io/outputs.hpp"
#include "sim/views/trace_events.hpp"

namespace aidcsim::cli {

CLI::App* export_group(CLI::App& app) {
  for (CLI::App* existing : app.get_subcommands([](CLI::App*) { return true; }))
    if (existing->get_name() == "export") return existing;
  auto* group = app.add_subcommand("export", "write a finished run in the formats of other tools");
  group->require_subcommand(1);
  return group;
}

// The output file's folder must exist: a wrong -o is the user's input error (exit 2), found before any work.
void check_output_path(const std::string& path, const std::string& option) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
    throw InputErrors({{path, 0, option, fmt::format("folder \"{}\" does not exist", parent.string())}});
  if (std::filesystem::is_directory(path, ec))
    throw InputErrors({{path, 0, option, "is a directory, expected a file name"}});
}

void add_export_trace_events_command(CLI::App& app, std::function<int()>& action) {
  auto run_dir = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto by = std::make_shared<std::string>("gpu");
  auto max_requests = std::make_shared<std::size_t>(views::TraceEventOptions{}.max_requests);
  auto* cmd = export_group(app)->add_subcommand(
      "trace-events", "the run's jobs, start-ups, migrations and requests as Chrome trace-event JSON (Perfetto)");
  cmd->add_option("run_dir", *run_dir, "output directory of `aidcsim run`")->required();
  cmd->add_option("-o,--output", *out, "output file (default RUN_DIR/trace-events.json)");
  cmd->add_option("--by", *by, "one row per GPU (gpu) or per job slot of a server (server)")
      ->check(CLI::IsMember({"gpu", "server"}));
  cmd->add_option("--max-requests", *max_requests,
                  "requests shown at most; more are sampled, every k-th (0 = all)");
  cmd->callback([=, &action]() {
    action = [=]() {
      std::string path = out->empty() ? (std::filesystem::path(*run_dir) / "trace-events.json").string() : *out;
      check_output_path(path, "-o");
      views::TraceEventOptions options;
      options.rows = *by == "server" ? views::TimelineRows::server : views::TimelineRows::gpu;
      options.max_requests = *max_requests;
      std::string text = views::trace_events_json(views::read_timeline_input(*run_dir), options);
      write_file_atomically(path, text);
      return 0;
    };
  });
}

}  // namespace aidcsim::cli
