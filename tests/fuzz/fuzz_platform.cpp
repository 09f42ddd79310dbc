// Fuzz target: the platform loader (SimGrid's XML parser, then aidcsim's reading of hosts, GPUs and
// routes). SimGrid allows one engine per process and cannot reset it, so every input is loaded in a
// forked child; the parent only sees how the child ended. libFuzzer gets no coverage from the child
// (its counters live in the child's memory): this target mutates the seed platforms blindly, which
// is why it runs fast inputs only (docs/robustness.md).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fmt/format.h>
#include <string>

#include "sim/core/errors.hpp"
#include "sim/engine/platform_loader.hpp"
#include "sim/run/run.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aidcsim;
  std::string_view text = fuzz::as_text(data, size);
  if (fuzz::skip_known_defects() && (fuzz::has_nul(text) || fuzz::invalid_utf8(text) || fuzz::huge_exponent(text)))
    return 0;
  std::string path = fuzz::write_input("platform.xml", text);
  pid_t child = fork();
  if (child < 0) fuzz::finding("fork failed");
  if (child == 0) {
    std::signal(SIGABRT, SIG_DFL);  // an abort here is the child's answer, not the driver's finding
    if (!std::getenv("AIDCSIM_FUZZ_VERBOSE")) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
    }
    int code = 0;
    try {
      auto& engine = make_simgrid_engine(false);
      (void)describe_cluster(load_cluster(engine, path));
    } catch (const InputErrors&) {
      code = 2;
    } catch (const std::exception& e) {
      code = 3;
    }
    _exit(code);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
  }
  if (WIFSIGNALED(status)) {
    // SimGrid aborts (xbt_die) on some platforms it rejects: a known defect being fixed elsewhere.
    if (WTERMSIG(status) == SIGABRT && fuzz::skip_known_defects()) return 0;
    fuzz::finding(fmt::format("the platform loader died of signal {} (rerun with AIDCSIM_FUZZ_VERBOSE=1)",
                              WTERMSIG(status)));
  }
  if (WEXITSTATUS(status) == 3) fuzz::finding("the platform loader threw an exception that is not an input error");
  if (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 2)
    fuzz::finding(fmt::format("the platform loader exited {} (a sanitizer report?)", WEXITSTATUS(status)));
  return 0;
}
