#pragma once
// Placement: which GPUs and servers a job gets. Decides on a read-only view; returns an intent
// that the core checks against the ledger before applying.
#include <optional>

#include "sim/ledger.hpp"
#include "sim/request.hpp"

namespace aidcsim {

class PlacementPolicy {
 public:
  virtual ~PlacementPolicy() = default;
  virtual std::optional<Allocation> place(const Request& request, const ClusterView& view) = 0;
};

}  // namespace aidcsim
