#pragma once
// One declaration per concern: where a scenario chooses the concern's implementation (its dotted
// path, as --set and `aidcsim list` write it), the default, the docs page, and the registry that
// knows the implementations. The scenario reader, `aidcsim list` and the docs check read this table;
// a new concern is one line here, an interface in sim/policy/, its Registry in sim/core/registry.hpp
// and its folder under models/ (docs/architecture.md).
#include <string>
#include <utility>
#include <vector>

#include "sim/core/registry.hpp"

namespace aidcsim {

struct ConcernDecl {
  std::string choice_path;     // "scheduler.policy"
  std::string default_choice;  // "fifo"
  std::string doc_page;        // relative to the repository, e.g. "docs/schedulers.md"
  // (name, one-line description) of every registered implementation, in registration order.
  std::vector<std::pair<std::string, std::string>> (*entries)(const Registries&);

  std::vector<std::string> names(const Registries& r) const {
    std::vector<std::string> out;
    for (auto& e : entries(r)) out.push_back(e.first);
    return out;
  }
};

const std::vector<ConcernDecl>& concern_table();
// The declaration whose choice_path is `path`; throws std::logic_error for an unknown path.
const ConcernDecl& concern(const std::string& path);

}  // namespace aidcsim
