#include "models/placement/scoring.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/config/options.hpp"
#include "sim/core/run_record.hpp"

namespace aidcsim::placement {

static std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  std::uint64_t x = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  return splitmix64(x);
}

std::uint64_t stream_seed(std::uint64_t seed, std::string_view stream) { return aidcsim::stream_seed(seed, stream); }

std::uint64_t view_fingerprint(const ClusterView& view) {
  std::uint64_t h = mix(0, static_cast<std::uint64_t>(view.ledger.allocated_milli()));
  long long cpu_milli = 0;
  for (ServerIndex s = 0; s < view.cluster.servers.size(); ++s)
    cpu_milli += std::llround(view.ledger.free_cpus(s) * 1000.0) * static_cast<long long>(s + 1);
  return mix(h, static_cast<std::uint64_t>(cpu_milli));
}

std::mt19937_64 decision_rng(std::uint64_t policy_seed, const Request& r, const ClusterView& view) {
  std::uint64_t h = mix(policy_seed, view_fingerprint(view));
  h = mix(h, static_cast<std::uint64_t>(r.gpus));
  h = mix(h, static_cast<std::uint64_t>(r.gpu_milli));
  h = mix(h, static_cast<std::uint64_t>(std::llround(r.cpus * 1000.0)));
  h = mix(h, static_cast<std::uint64_t>(std::llround(r.mem_gib * 1024.0)));
  return std::mt19937_64(h);
}

TieBreak read_tie_break(OptionReader& options) {
  std::string t = options.text("tie_break", "order", {"order", "first", "random"});
  return t == "first" ? TieBreak::first : t == "random" ? TieBreak::random : TieBreak::order;
}

void record_streams(PolicyArgs& args, std::string_view policy_stream, TieBreak tie) {
  if (!args.record) return;
  args.record->random_stream(std::string(policy_stream), stream_seed(args.seed, policy_stream));
  if (tie == TieBreak::order)
    args.record->random_stream(std::string(kServerOrderStream), stream_seed(args.seed, kServerOrderStream));
}

const std::vector<std::uint32_t>& TieBreaker::ranks(std::size_t servers) {
  if (rank_.size() == servers) return rank_;
  // One random order per run seed, shared by every policy: Fisher-Yates on the server indices.
  std::mt19937_64 rng(stream_seed(seed_, kServerOrderStream));
  std::vector<std::uint32_t> order(servers);
  for (std::size_t i = 0; i < servers; ++i) order[i] = static_cast<std::uint32_t>(i);
  for (std::size_t i = servers; i > 1; --i) std::swap(order[i - 1], order[uniform_below(rng, i)]);
  rank_.assign(servers, 0);
  for (std::size_t pos = 0; pos < servers; ++pos) rank_[order[pos]] = static_cast<std::uint32_t>(pos);
  return rank_;
}

void BestPicker::offer(ServerIndex s, long long score) {
  if (!found_ || score > score_) {
    found_ = true;
    best_ = s;
    score_ = score;
    ties_ = 1;
    return;
  }
  if (score < score_) return;
  switch (mode_) {
    case TieBreak::first: return;
    case TieBreak::order:
      if ((*rank_)[s] < (*rank_)[best_]) best_ = s;
      return;
    case TieBreak::random:
      if (uniform_below(rng_, static_cast<std::uint64_t>(++ties_)) == 0) best_ = s;
      return;
  }
}

long long NodeRes::gpu_left_total() const {
  long long sum = 0;
  for (int v : gpu_left) sum += v;
  return sum;
}

int NodeRes::fully_free_gpus() const {
  return static_cast<int>(std::count(gpu_left.begin(), gpu_left.end(), kWholeGpuMilli));
}

void read_node(const ClusterView& view, ServerIndex s, NodeRes& out) {
  const Server& server = view.cluster.servers[s];
  out.cpu_left_milli = std::llround(view.ledger.free_cpus(s) * 1000.0);
  out.cpu_capacity_milli = static_cast<long long>(server.cores) * 1000;
  out.gpu_left.resize(server.gpus.size());
  for (std::size_t i = 0; i < server.gpus.size(); ++i) out.gpu_left[i] = view.ledger.free_milli(server.gpus[i]);
}

MaxSpec max_spec(const Cluster& cluster) {
  MaxSpec m;
  for (const auto& s : cluster.servers) {
    m.cpu_milli = std::max(m.cpu_milli, s.cores * 1000.0);
    m.gpu_milli = std::max(m.gpu_milli, static_cast<double>(s.gpus.size()) * kWholeGpuMilli);
  }
  return m;
}

long long request_cpu_milli(const Request& r) { return std::llround(r.cpus * 1000.0); }
long long request_gpu_milli(const Request& r) { return r.gpus > 0 ? static_cast<long long>(r.gpus) * r.gpu_milli : 0; }
bool is_shared_gpu_request(const Request& r) { return r.gpus == 1 && r.gpu_milli < kWholeGpuMilli; }

bool fits_single_server(const ClusterView& view, const Request& r, ServerIndex s) {
  if (!server_resources_fit(view, r, s, r.gpus)) return false;
  if (r.gpus <= 0) return true;
  int usable = 0;
  for (GpuIndex g : view.cluster.servers[s].gpus)
    if (r.allows(view.cluster.gpus[g]) && view.ledger.free_milli(g) >= r.gpu_milli && ++usable >= r.gpus) return true;
  return false;
}

std::vector<GpuIndex> choose_gpus(const ClusterView& view, const Request& r, ServerIndex s, GpuChoice choice,
                                  std::mt19937_64& rng) {
  std::vector<GpuIndex> out;
  if (r.gpus <= 0) return out;
  const auto& gpus = view.cluster.servers[s].gpus;
  if (is_shared_gpu_request(r)) {
    long long seen = 0;
    int best_free = -1;
    for (GpuIndex g : gpus) {
      int free = view.ledger.free_milli(g);
      if (!r.allows(view.cluster.gpus[g]) || free < r.gpu_milli) continue;
      bool take = false;
      switch (choice) {
        case GpuChoice::best: take = out.empty() || free < best_free; break;
        case GpuChoice::worst: take = out.empty() || free > best_free; break;
        case GpuChoice::random: take = uniform_below(rng, static_cast<std::uint64_t>(++seen)) == 0; break;
      }
      if (take) {
        out.assign(1, g);
        best_free = free;
      }
    }
    return out;
  }
  for (GpuIndex g : gpus) {
    if (static_cast<int>(out.size()) == r.gpus) break;
    if (r.allows(view.cluster.gpus[g]) && view.ledger.free_milli(g) >= r.gpu_milli) out.push_back(g);
  }
  return out;
}

Allocation allocation_on(const Request& r, ServerIndex s, const std::vector<GpuIndex>& gpus) {
  Allocation a;
  for (GpuIndex g : gpus) a.gpus.push_back({g, r.gpu_milli});
  a.servers.push_back({s, r.cpus, r.mem_gib});
  return a;
}

std::optional<Allocation> place_on_whole_servers(const ClusterView& view, const Request& r) {
  std::vector<ServerIndex> order(view.cluster.servers.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<ServerIndex>(i);
  return allocate_whole_servers(view, r, order);
}

}  // namespace aidcsim::placement
