#pragma once
// Helpers shared by the placement unit tests (test_placements.cpp, test_placement_multi_gpu.cpp):
// requests, jobs and ledger occupation built by hand.
#include <set>
#include <string>
#include <vector>

#include "sim/core/ledger.hpp"
#include "sim/core/request.hpp"
#include "sim/core/types.hpp"

namespace aidcsim::unit::placement_kit {

// The placement policies the tests go through (test_placements.cpp: each is registered).
inline const std::vector<std::string> kPolicies = {"first-fit", "best-fit", "spread", "random",   "packing",
                                                   "clustering", "dotprod", "topology", "fgd"};

inline std::set<ServerIndex> servers_of(const Allocation& a) {
  std::set<ServerIndex> out;
  for (const auto& s : a.servers) out.insert(s.server);
  return out;
}

inline Request request(int gpus, int gpu_milli = 1000, double cpus = 0, double mem_gib = 0) {
  Request r;
  r.gpus = gpus;
  r.gpu_milli = gpu_milli;
  r.cpus = cpus;
  r.mem_gib = mem_gib;
  return r;
}

inline JobSpec job(int gpus, int milli, double cpus) {
  JobSpec j;
  j.job_id = "j";
  j.gpus = gpus;
  j.gpu_milli = milli;
  j.cpus = cpus;
  return j;
}

// Occupies `milli` of GPU `g` (and nothing else).
inline void use(Ledger& ledger, GpuIndex g, int milli) {
  Allocation a;
  a.gpus.push_back({g, milli});
  ledger.apply(a);
}
// Occupies `cpus` CPUs of server `s` (and nothing else).
inline void use_cpus(Ledger& ledger, ServerIndex s, double cpus) {
  Allocation a;
  a.servers.push_back({s, cpus, 0});
  ledger.apply(a);
}

}  // namespace aidcsim::unit::placement_kit
