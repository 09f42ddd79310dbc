#pragma once
// Named implementations of one concern. Entries are added in models/builtin.cpp (one line each);
// there is no static self-registration, so there is no global mutable state.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/errors.hpp"

namespace aidcsim {

class OptionReader;

struct Cluster;
struct JobSpec;
class RunRecord;

// What a factory gets: the policy's options (already located for error messages), the run seed,
// the platform and the whole workload (e.g. FGD's target task distribution). Trace readers get an
// empty cluster and workload: they run before either exists. `record` (null in tests) takes the
// files a policy reads and the random streams it derives from the seed, for run.json.
struct PolicyArgs {
  OptionReader& options;
  std::uint64_t seed;
  const Cluster& cluster;
  const std::vector<JobSpec>& jobs;
  RunRecord* record = nullptr;
  std::string scenario_dir{};  // relative paths in the options are relative to it
};

template <class Interface>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Interface>(PolicyArgs&)>;
  struct Entry {
    std::string name;
    std::string description;
    Factory make;
  };

  void add(std::string name, std::string description, Factory make) {
    entries_.push_back({std::move(name), std::move(description), std::move(make)});
  }
  const Entry* find(const std::string& name) const {
    for (const auto& e : entries_)
      if (e.name == name) return &e;
    return nullptr;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.name);
    return out;
  }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

class Scheduler;
class PlacementPolicy;
class TraceReader;
class WorkloadModel;
class Monitor;
class GpuSharing;
class Runtime;
class QuotaPolicy;
class ServiceWorkload;
class Scraper;
class ServiceAutoscaler;
class NodeAutoscaler;
class FailureModel;
struct ServerPrices;


struct Registries {
  Registry<Scheduler> schedulers;
  Registry<PlacementPolicy> placements;
  Registry<TraceReader> trace_readers;
  Registry<WorkloadModel> workload_models;
  Registry<Monitor> monitors;
  Registry<GpuSharing> gpu_sharing;
  Registry<Runtime> runtimes;
  Registry<QuotaPolicy> quotas;
  Registry<ServiceWorkload> services;  // made when workload.services is not empty
  Registry<Scraper> scrapers;          // made for every run, with the monitoring section
  Registry<ServiceAutoscaler> service_autoscalers;  // made when autoscaling.services is not empty
  Registry<NodeAutoscaler> node_autoscalers;        // made when autoscaling.nodes is set
  Registry<FailureModel> failures;     // made when the scenario has a failures section
  Registry<ServerPrices> costs;        // cost.preset: made when the scenario has a cost section
};

// All built-in implementations (models/builtin.cpp).
const Registries& builtin_registries();

}  // namespace aidcsim
