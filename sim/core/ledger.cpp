#include "sim/core/ledger.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <limits>
#include <stdexcept>

namespace aidcsim {

// Floating-point requests (cpus, memory) are compared with a small tolerance so that releasing
// exactly what was applied can never leave a server "over-allocated" by rounding.
static constexpr double kEpsilon = 1e-9;

Ledger::Ledger(const Cluster& cluster) : cluster_(cluster) {
  gpu_free_milli_.assign(cluster.gpus.size(), kWholeGpuMilli);
  for (const auto& s : cluster.servers) {
    server_free_cpus_.push_back(s.cores);
    server_free_mem_gib_.push_back(s.memory_gib > 0 ? s.memory_gib : std::numeric_limits<double>::infinity());
    whole_free_.push_back(static_cast<int>(s.gpus.size()));
  }
  allocated_milli_by_model_.assign(cluster.gpu_models.size(), 0);
  while (leaves_ < std::max<std::size_t>(1, cluster.servers.size())) leaves_ *= 2;
  tree_.assign(2 * leaves_, -1);
  for (std::size_t s = 0; s < cluster.servers.size(); ++s) tree_[leaves_ + s] = whole_free_[s];
  for (std::size_t i = leaves_ - 1; i >= 1; --i) tree_[i] = std::max(tree_[2 * i], tree_[2 * i + 1]);
}

bool Ledger::server_idle(ServerIndex s) const {
  const Server& server = cluster_.servers[s];
  return whole_free_[s] == static_cast<int>(server.gpus.size()) &&
         server_free_cpus_[s] >= server.cores - kEpsilon &&
         (server.memory_gib <= 0 || server_free_mem_gib_[s] >= server.memory_gib - kEpsilon);
}

void Ledger::update_tree(ServerIndex s) {
  std::size_t i = leaves_ + s;
  tree_[i] = whole_free_[s];
  for (i /= 2; i >= 1; i /= 2) tree_[i] = std::max(tree_[2 * i], tree_[2 * i + 1]);
}

ServerIndex Ledger::first_server_with_whole_free(int k, ServerIndex from) const {
  const auto none = static_cast<ServerIndex>(cluster_.servers.size());
  if (from >= none || tree_[1] < k) return none;
  // Walk up from the leaf `from`, then down into the first subtree holding a large enough leaf.
  std::size_t i = leaves_ + from;
  if (tree_[i] >= k) return from;
  while (i > 1) {
    if (i % 2 == 0 && tree_[i + 1] >= k) {
      i = i + 1;
      while (i < leaves_) i = tree_[2 * i] >= k ? 2 * i : 2 * i + 1;
      return static_cast<ServerIndex>(i - leaves_);
    }
    i /= 2;
  }
  return none;
}

std::string Ledger::check(const Allocation& a) const {
  if (away_count_ > 0) {
    for (const auto& g : a.gpus)
      if (g.gpu < cluster_.gpus.size() && !server_available(cluster_.gpus[g.gpu].server))
        return fmt::format("GPU {} is on server {}, which is away", cluster_.gpus[g.gpu].name,
                           cluster_.servers[cluster_.gpus[g.gpu].server].name);
    for (const auto& sv : a.servers)
      if (sv.server < cluster_.servers.size() && !server_available(sv.server))
        return fmt::format("server {} is away", cluster_.servers[sv.server].name);
  }
  // A job may hold several shares of one GPU or server only through separate entries; sum them.
  std::vector<std::pair<GpuIndex, int>> gpu_need;
  for (const auto& g : a.gpus) {
    if (g.gpu >= gpu_free_milli_.size()) return fmt::format("GPU index {} does not exist", g.gpu);
    if (g.milli <= 0 || g.milli > kWholeGpuMilli) return fmt::format("GPU share {} milli is out of range", g.milli);
    gpu_need.emplace_back(g.gpu, g.milli);
  }
  std::sort(gpu_need.begin(), gpu_need.end());
  for (std::size_t i = 0; i < gpu_need.size();) {
    int total = 0;
    std::size_t j = i;
    for (; j < gpu_need.size() && gpu_need[j].first == gpu_need[i].first; ++j) total += gpu_need[j].second;
    if (total > gpu_free_milli_[gpu_need[i].first])
      return fmt::format("GPU {} has {} milli free, {} requested", cluster_.gpus[gpu_need[i].first].name,
                         gpu_free_milli_[gpu_need[i].first], total);
    i = j;
  }
  for (const auto& s : a.servers) {
    if (s.server >= server_free_cpus_.size()) return fmt::format("server index {} does not exist", s.server);
    if (s.cpus > server_free_cpus_[s.server] + kEpsilon)
      return fmt::format("server {} has {} CPUs free, {} requested", cluster_.servers[s.server].name,
                         server_free_cpus_[s.server], s.cpus);
    if (s.mem_gib > server_free_mem_gib_[s.server] + kEpsilon)
      return fmt::format("server {} has {} GiB free, {} requested", cluster_.servers[s.server].name,
                         server_free_mem_gib_[s.server], s.mem_gib);
  }
  return "";
}

void Ledger::apply(const Allocation& a) {
  if (std::string why = check(a); !why.empty()) throw std::logic_error("allocation refused: " + why);
  ++version_.value;
  for (const auto& g : a.gpus) {
    ServerIndex s = cluster_.gpus[g.gpu].server;
    if (gpu_free_milli_[g.gpu] == kWholeGpuMilli) {
      --whole_free_[s];
      update_tree(s);
    }
    gpu_free_milli_[g.gpu] -= g.milli;
    allocated_milli_ += g.milli;
    allocated_milli_by_model_[cluster_.gpus[g.gpu].model_index] += g.milli;
  }
  for (const auto& s : a.servers) {
    server_free_cpus_[s.server] -= s.cpus;
    server_free_mem_gib_[s.server] -= s.mem_gib;
  }
}

void Ledger::withhold(ServerIndex s) {
  Withheld& w = withheld_[s];
  const Server& server = cluster_.servers[s];
  w.gpu_free_milli.clear();
  for (GpuIndex g : server.gpus) {
    w.gpu_free_milli.push_back(gpu_free_milli_[g]);
    gpu_free_milli_[g] = 0;
  }
  w.whole_free = whole_free_[s];
  w.cpus = server_free_cpus_[s];
  w.mem_gib = server_free_mem_gib_[s];
  whole_free_[s] = 0;
  server_free_cpus_[s] = 0;
  server_free_mem_gib_[s] = 0;
  update_tree(s);
}

void Ledger::give_back(ServerIndex s) {
  Withheld& w = withheld_[s];
  const Server& server = cluster_.servers[s];
  for (std::size_t i = 0; i < server.gpus.size(); ++i) gpu_free_milli_[server.gpus[i]] = w.gpu_free_milli[i];
  whole_free_[s] = w.whole_free;
  server_free_cpus_[s] = w.cpus;
  server_free_mem_gib_[s] = w.mem_gib;
  update_tree(s);
}

void Ledger::set_server_available(ServerIndex s, bool available) {
  if (s >= cluster_.servers.size()) throw std::logic_error(fmt::format("server index {} does not exist", s));
  if (away_.empty()) {
    away_.assign(cluster_.servers.size(), 0);
    withheld_.resize(cluster_.servers.size());
  }
  if (!away_[s] == available) return;
  ++version_.value;
  if (available) {
    give_back(s);
    away_[s] = 0;
    --away_count_;
  } else {
    withhold(s);
    away_[s] = 1;
    ++away_count_;
  }
}

void Ledger::release(const Allocation& a) {
  if (away_count_ > 0) {
    // Released on an away server: checked and freed on its true resources, which stay withheld.
    std::vector<ServerIndex> away;
    auto note = [&](ServerIndex s) {
      if (s < away_.size() && away_[s] && std::find(away.begin(), away.end(), s) == away.end()) away.push_back(s);
    };
    for (const auto& g : a.gpus)
      if (g.gpu < cluster_.gpus.size()) note(cluster_.gpus[g.gpu].server);
    for (const auto& sv : a.servers) note(sv.server);
    if (!away.empty()) {
      for (ServerIndex s : away) give_back(s);
      std::size_t count = away_count_;
      away_count_ = 0;
      try {
        release(a);
      } catch (...) {
        away_count_ = count;
        for (ServerIndex s : away) withhold(s);
        throw;
      }
      away_count_ = count;
      for (ServerIndex s : away) withhold(s);
      return;
    }
  }
  // Check everything first, so a refused release changes nothing (as apply does); shares of one GPU
  // or server inside one allocation add up.
  for (const auto& g : a.gpus) {
    if (g.gpu >= gpu_free_milli_.size()) throw std::logic_error(fmt::format("release of GPU index {} that does not exist", g.gpu));
    if (g.milli <= 0) throw std::logic_error(fmt::format("release of a {} milli share", g.milli));
  }
  // One GPU (most jobs) needs no grouping, and no allocation.
  std::vector<std::pair<GpuIndex, int>> gpu_back;
  std::pair<GpuIndex, int> one;
  std::span<const std::pair<GpuIndex, int>> grouped;
  if (a.gpus.size() == 1) {
    one = {a.gpus[0].gpu, a.gpus[0].milli};
    grouped = {&one, 1};
  } else {
    for (const auto& g : a.gpus) gpu_back.emplace_back(g.gpu, g.milli);
    std::sort(gpu_back.begin(), gpu_back.end());
    grouped = gpu_back;
  }
  for (std::size_t i = 0; i < grouped.size();) {
    int total = 0;
    std::size_t j = i;
    for (; j < grouped.size() && grouped[j].first == grouped[i].first; ++j) total += grouped[j].second;
    GpuIndex gpu = grouped[i].first;
    if (gpu_free_milli_[gpu] + total > kWholeGpuMilli)
      throw std::logic_error(fmt::format("release of {} milli on GPU {} that was not held", total, cluster_.gpus[gpu].name));
    i = j;
  }
  for (const auto& s : a.servers) {
    if (s.server >= server_free_cpus_.size())
      throw std::logic_error(fmt::format("release on server index {} that does not exist", s.server));
    double cpus = 0, mem_gib = 0;  // all of this allocation's shares of the server
    for (const auto& t : a.servers)
      if (t.server == s.server) {
        cpus += t.cpus;
        mem_gib += t.mem_gib;
      }
    const Server& server = cluster_.servers[s.server];
    if (server_free_cpus_[s.server] + cpus > server.cores + kEpsilon)
      throw std::logic_error(fmt::format("release of {} CPUs on server {} that were not held", cpus, server.name));
    if (server.memory_gib > 0 && server_free_mem_gib_[s.server] + mem_gib > server.memory_gib + kEpsilon)
      throw std::logic_error(fmt::format("release of {} GiB memory on server {} that was not held", mem_gib, server.name));
  }
  ++version_.value;
  for (const auto& g : a.gpus) {
    gpu_free_milli_[g.gpu] += g.milli;
    allocated_milli_ -= g.milli;
    allocated_milli_by_model_[cluster_.gpus[g.gpu].model_index] -= g.milli;
    if (gpu_free_milli_[g.gpu] == kWholeGpuMilli) {
      ServerIndex s = cluster_.gpus[g.gpu].server;
      ++whole_free_[s];
      update_tree(s);
    }
  }
  for (const auto& s : a.servers) {
    server_free_cpus_[s.server] += s.cpus;
    server_free_mem_gib_[s.server] += s.mem_gib;
  }
}

}  // namespace aidcsim
