// aidcsim: a thin front over the library; every subcommand lives in its own file.
#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/run/build_info.hpp"

int main(int argc, char** argv) {
  CLI::App app{"aidcsim: a discrete-event simulator of AI datacenters on SimGrid"};
  app.require_subcommand(1);
  // The commit and dirty flag of this binary's build, and the library versions (docs/provenance.md).
  app.set_version_flag("--version", aidcsim::version_text(), "print the version, git commit and library versions");
  std::function<int()> action;
  aidcsim::cli::add_run_command(app, action);
  aidcsim::cli::add_validate_command(app, action);
  aidcsim::cli::add_list_command(app, action);
  aidcsim::cli::add_platform_command(app, action);
  aidcsim::cli::add_trace_command(app, action);
  aidcsim::cli::add_sweep_command(app, action);
  aidcsim::cli::add_check_command(app, action);
  aidcsim::cli::add_export_openmetrics_command(app, action);
  aidcsim::cli::add_export_trace_events_command(app, action);
  aidcsim::cli::add_report_command(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return aidcsim::cli::guarded(action);
}
