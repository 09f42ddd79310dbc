#pragma once
// Placement: which GPUs and servers a job gets. Decides on a read-only view; returns an intent
// that the core checks against the ledger before applying.
#include <optional>

#include "sim/core/ledger.hpp"
#include "sim/core/request.hpp"

namespace aidcsim {

class PlacementPolicy {
 public:
  virtual ~PlacementPolicy() = default;
  virtual std::optional<Allocation> place(const Request& request, const ClusterView& view) = 0;
  // Told by whoever applies decisions (the core, the packing experiment) after an allocation was
  // applied to or released from the ledger. Policies that keep records per server (clustering keeps
  // the kinds of jobs on each server, as the Kubernetes scheduler cache does) override them.
  virtual void on_applied(const Request&, const Allocation&) {}
  virtual void on_released(const Request&, const Allocation&) {}
  // How multi-GPU jobs may be laid out (the `multi_gpu` option): the core's never-fits check follows it.
  virtual MultiGpu multi_gpu() const { return MultiGpu::one_server; }
};

}  // namespace aidcsim
