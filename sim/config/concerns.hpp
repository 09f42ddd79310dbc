#pragma once
// One declaration per concern: where a scenario chooses the concern's implementation (its dotted
// path, as --set and `aidcsim list` write it), the default, the docs page, the registry that knows the
// implementations, and the section its options are read from with the keys of that section that are
// not the implementation's, and when it is made. The scenario reader, prepare() (sim/run/run.cpp: each
// implementation the scenario asks for is made with its section's options, and the keys nobody knows
// are reported, sim/run/concern_sections.hpp), `aidcsim list` and the docs check read this table;
// a new concern is one line here, an interface in sim/policy/, its Registry in sim/core/registry.hpp
// and its folder under models/ (docs/architecture.md).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/registry.hpp"

namespace aidcsim {

// When prepare() makes a concern's implementation.
enum class MadeWhen : std::uint8_t {
  always,
  set,        // the value at presence_pointer() is present and not null (cost, failures, autoscaling.nodes)
  not_empty,  // ... and not an empty list or object (workload.services, autoscaling.services)
};

struct ConcernDecl {
  // "scheduler.policy": where the scenario chooses the implementation. A concern the scenario does not
  // choose (chosen == false: one implementation, default_choice) is named by the path of its options,
  // e.g. "workload.services".
  std::string choice_path;
  std::string default_choice;  // "fifo"
  std::string doc_page;        // relative to the repository, e.g. "docs/schedulers.md"
  // (name, one-line description) of every registered implementation, in registration order.
  std::vector<std::pair<std::string, std::string>> (*entries)(const Registries&);
  // The JSON pointer of the implementation's options; "{}" stands for the chosen name (a runtime's own
  // section). Empty: prepare() reads it with another concern's (the trace format and the model share
  // /workload/jobs).
  std::string section;
  // Keys of that section that are not the implementation's options (the choice itself, keys the core
  // reads). "<path>" stands for the names of the implementations of the concern at `path`.
  std::vector<std::string> shared_keys;
  MadeWhen made_when = MadeWhen::always;
  std::string presence{};  // the JSON pointer made_when tests; "" = the section itself
  bool chosen = true;    // the scenario chooses the implementation at choice_path
  bool needs_servers = false;  // not made without a platform: its options name the cluster's servers or GPUs
  // prepare() reports the keys of the section that neither the implementation nor the table knows. False
  // where that is done elsewhere: by the scenario reader where the section holds several concerns
  // (/workload, /autoscaling), by the implementation where it checks its whole section (failures,
  // autoscaling.nodes).
  bool prepare_checks_keys = true;

  const std::string& presence_pointer() const { return presence.empty() ? section : presence; }

  // The section of the implementation `chosen`.
  std::string section_of(const std::string& chosen) const {
    std::string out = section;
    if (auto at = out.find("{}"); at != std::string::npos) out.replace(at, 2, chosen);
    return out;
  }
  // shared_keys with every "<path>" replaced by that concern's implementation names.
  std::vector<std::string> known_keys(const Registries& r) const;

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
