// `aidcsim report RUN_DIR -o report.html`: one self-contained HTML page about a run (docs/timeline.md).
#include <filesystem>
#include <memory>

#include "sim/cli/commands.hpp"
#include "sim/io/outputs.hpp"
#include "sim/views/html_report.hpp"

namespace aidcsim::cli {

void add_report_command(CLI::App& app, std::function<int()>& action) {
  auto run_dir = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "report", "one self-contained HTML page about a run: summary, standard figures, per-tenant table");
  cmd->add_option("run_dir", *run_dir, "output directory of `aidcsim run`")->required();
  cmd->add_option("-o,--output", *out, "output file (default RUN_DIR/report.html)");
  cmd->callback([=, &action]() {
    action = [=]() {
      std::string path = out->empty() ? (std::filesystem::path(*run_dir) / "report.html").string() : *out;
      check_output_path(path, "-o");
      write_file_atomically(path, views::html_report(views::read_report_input(*run_dir)));
      return 0;
    };
  });
}

}  // namespace aidcsim::cli
