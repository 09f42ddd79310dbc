// `container`: a job's start-up is its image pull plus the container start (`start_s`).
// Images: one per tenant (`image_per: "tenant"`, the default) or one for everybody ("cluster"); a
// tenant's image is `image_bytes_by_tenant[tenant]` bytes, else `image_bytes`. Each server keeps an
// LRU cache of images up to `cache_bytes`: an image in the cache is not pulled again (a pull still
// under way is waited for); a missing one travels from the `registry` host to the server as a
// SimGrid communication over the platform's links, sharing them with other pulls as SimGrid's
// network model decides. Limits as cgroups set them: a job's CPU work is capped at `cpus` cores
// (its server steps are bounded at cpus x core speed); memory is a limit at admission (the ledger).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <list>
#include <map>
#include <unordered_map>

#include "models/runtime/runtimes.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

// Least-recently-used image cache of one server.
class ImageCache {
 public:
  // True when the image was cached (it becomes the most recent); else it is added, evicting the
  // least recently used images until it fits (an image larger than the cache is never kept).
  bool use(const std::string& image, double bytes, double capacity_bytes) {
    auto it = where_.find(image);
    if (it != where_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return true;
    }
    if (bytes > capacity_bytes) return false;
    while (used_bytes_ + bytes > capacity_bytes && !order_.empty()) {
      used_bytes_ -= order_.back().second;
      where_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(image, bytes);
    where_[image] = order_.begin();
    used_bytes_ += bytes;
    return false;
  }

 private:
  std::list<std::pair<std::string, double>> order_;  // most recent first
  std::unordered_map<std::string, std::list<std::pair<std::string, double>>::iterator> where_;
  double used_bytes_ = 0;
};

struct ContainerOptions {
  std::string registry;
  double image_bytes = 10e9;
  std::map<std::string, double> image_bytes_by_tenant;
  bool image_per_tenant = true;
  double cache_bytes = 100e9;
  double start_s = 0;
};

class Container final : public Runtime {
 public:
  Container(ContainerOptions o, std::size_t servers) : o_(std::move(o)), caches_(servers) {}

  Startup startup(JobIndex, const JobSpec& job, const Allocation& a, double) override {
    Startup s;
    s.delay_s = o_.start_s;
    std::string image = o_.image_per_tenant ? job.tenant : "cluster";
    auto sized = o_.image_bytes_by_tenant.find(job.tenant);
    double bytes = sized != o_.image_bytes_by_tenant.end() ? sized->second : o_.image_bytes;
    for (ServerIndex server : servers_of(a)) {
      bool cached = caches_[server].use(image, bytes, o_.cache_bytes);
      // A cached image still waits for a pull of it that may be under way (bytes = 0).
      s.pulls.push_back({o_.registry, server, image, cached ? 0 : bytes});
    }
    return s;
  }

  void adjust(const JobSpec& job, ActivityPlan& plan, const Cluster& cluster) const override {
    if (job.cpus <= 0) return;
    for (auto& e : plan.execs) {
      if (e.on_gpu) continue;
      double cap = job.cpus * cluster.servers[e.index].core_speed_flops;
      e.bound_flops = e.bound_flops > 0 ? std::min(e.bound_flops, cap) : cap;
    }
  }

 private:
  static std::vector<ServerIndex> servers_of(const Allocation& a) {
    std::vector<ServerIndex> out;
    for (const auto& s : a.servers) out.push_back(s.server);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  ContainerOptions o_;
  std::vector<ImageCache> caches_;
};

}  // namespace

std::unique_ptr<Runtime> make_container_runtime(PolicyArgs& args) {
  OptionReader& r = args.options;
  ContainerOptions o;
  std::string default_registry = !args.cluster.storage.empty() ? args.cluster.storage.front().name : "";
  o.registry = r.text("registry", default_registry);
  o.image_bytes = r.number("image_bytes", o.image_bytes, 0, 1e18);
  o.image_bytes_by_tenant = r.named_numbers("image_bytes_by_tenant", 0, 1e18);
  o.image_per_tenant = r.text("image_per", "tenant", {"tenant", "cluster"}) == "tenant";
  o.cache_bytes = r.number("cache_bytes", o.cache_bytes, 0, 1e18);
  o.start_s = r.number("start_s", 0, 0, 1e9);
  r.reject_unknown();
  if (!args.cluster.servers.empty() || !args.cluster.storage.empty()) {
    bool known = std::any_of(args.cluster.storage.begin(), args.cluster.storage.end(),
                             [&](const StorageHost& h) { return h.name == o.registry; }) ||
                 std::any_of(args.cluster.servers.begin(), args.cluster.servers.end(),
                             [&](const Server& h) { return h.name == o.registry; });
    if (!known)
      r.problem("registry", o.registry.empty()
                                ? std::string("expected the host id of the image registry (the platform has no storage host to default to)")
                                : fmt::format("host \"{}\" is not a storage or server host of the platform", o.registry));
  }
  return std::make_unique<Container>(std::move(o), args.cluster.servers.size());
}

}  // namespace aidcsim
