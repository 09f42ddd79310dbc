#include <fmt/format.h>

#include <exception>

#include "sim/cli/commands.hpp"
#include "sim/core/errors.hpp"

namespace aidcsim::cli {

int guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const InputErrors& e) {
    fmt::print(stderr, "{}", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}

}  // namespace aidcsim::cli
