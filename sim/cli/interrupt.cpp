#include "sim/cli/interrupt.hpp"

namespace aidcsim::cli {

namespace {
// The one piece of process-wide state a signal handler needs.
volatile std::sig_atomic_t g_received = 0;
extern "C" void record_signal(int sig) { g_received = sig; }
}  // namespace

InterruptGuard::InterruptGuard() {
  g_received = 0;
  struct sigaction sa {};
  sa.sa_handler = record_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // a write interrupted by the signal goes on; the loop notices the flag
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

int InterruptGuard::received() { return static_cast<int>(g_received); }

}  // namespace aidcsim::cli
