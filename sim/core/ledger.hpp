#pragma once
// The allocation ledger: what is free on every GPU and server. The only place that changes
// allocations, and it refuses (std::logic_error) anything that would over-allocate.
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"

namespace aidcsim {

struct GpuShare {
  GpuIndex gpu = 0;
  int milli = kWholeGpuMilli;
};
struct ServerShare {
  ServerIndex server = 0;
  double cpus = 0;
  double mem_gib = 0;
};
// Most jobs hold one GPU on one server: one share of each kind is kept inline, so the allocation of
// such a job costs no heap blocks (the million-job replay's memory, docs/performance.md).
struct Allocation {
  boost::container::small_vector<GpuShare, 1> gpus;
  boost::container::small_vector<ServerShare, 1> servers;
};

class Ledger {
 public:
  explicit Ledger(const Cluster& cluster);

  const Cluster& cluster() const { return cluster_; }
  int free_milli(GpuIndex g) const { return gpu_free_milli_[g]; }
  double free_cpus(ServerIndex s) const { return server_free_cpus_[s]; }
  // Free memory; +infinity where the server declares none (memory is then no constraint).
  double free_mem_gib(ServerIndex s) const { return server_free_mem_gib_[s]; }
  int whole_free_gpus(ServerIndex s) const { return whole_free_[s]; }
  bool server_idle(ServerIndex s) const;
  // Smallest server index >= from with at least k wholly free GPUs, or servers().size(); O(log S).
  ServerIndex first_server_with_whole_free(int k, ServerIndex from = 0) const;

  // "" when the allocation fits now, else why not.
  std::string check(const Allocation& a) const;
  void apply(const Allocation& a);    // throws std::logic_error when it does not fit
  void release(const Allocation& a);  // throws std::logic_error when it was not held

  // The cluster can change: a server can be away (not provisioned, failed) and come back. An away
  // server offers nothing (its free resources read as 0, so every placement policy passes it over)
  // and nothing can be applied on it; what was held on it when it went away can still be released
  // (it is free again when the server comes back). Servers are there at first.
  void set_server_available(ServerIndex s, bool available);
  bool server_available(ServerIndex s) const { return away_count_ == 0 || !away_[s]; }
  std::size_t servers_away() const { return away_count_; }

  // Bumped by every apply(), release() and change of availability: a reader can tell that nothing changed since it looked.
  // A copy (a what-if ledger: the Cluster Autoscaler's simulated nodes) starts in a version range of its
  // own, so a cache keyed on (address, version) never mistakes it for another ledger's state.
  std::uint64_t version() const { return version_.value; }

  double allocated_gpus() const { return allocated_milli_ / 1000.0; }
  long long allocated_milli() const { return allocated_milli_; }
  double allocated_gpus_of_model(int model_index) const { return allocated_milli_by_model_[model_index] / 1000.0; }

 private:
  void update_tree(ServerIndex s);
  const Cluster& cluster_;
  std::vector<int> gpu_free_milli_;
  std::vector<double> server_free_cpus_;
  std::vector<double> server_free_mem_gib_;
  std::vector<int> whole_free_;
  std::vector<int> tree_;  // segment tree (max of whole_free_) over servers
  std::size_t leaves_ = 1;
  long long allocated_milli_ = 0;
  struct Version {
    std::uint64_t value = 0;
    mutable std::uint64_t copies = 0;
    Version() = default;
    Version(const Version& o) : value(o.value + ((++o.copies) << 40)) {}
    Version& operator=(const Version&) = delete;
  };
  Version version_;
  std::vector<long long> allocated_milli_by_model_;
  // Availability: the free resources of away servers, kept here while the visible ones read 0.
  void withhold(ServerIndex s);
  void give_back(ServerIndex s);
  std::vector<char> away_;
  std::size_t away_count_ = 0;
  struct Withheld {
    std::vector<int> gpu_free_milli;
    int whole_free = 0;
    double cpus = 0, mem_gib = 0;
  };
  std::vector<Withheld> withheld_;
};

}  // namespace aidcsim
