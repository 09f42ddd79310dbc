#pragma once
// SIGINT and SIGTERM during `aidcsim run`: the handler only records the signal (the one thing a
// handler may safely do); the engine polls it between events and the run stops through ordinary
// C++ unwinding, which removes the temporary output files.
#include <csignal>

namespace aidcsim::cli {

// Installs the handlers for its lifetime and restores the previous ones after. Install it after the
// SimGrid engine exists: SimGrid installs a SIGINT handler of its own that calls exit() from inside
// the handler.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  // The signal received since the guard was installed, or 0.
  static int received();

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace aidcsim::cli
