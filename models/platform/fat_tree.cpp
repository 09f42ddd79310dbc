#include "models/platform/fat_tree.hpp"

#include "models/platform/gpu_models.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h> // fmt::join lives here from fmt 11 on

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <unordered_set>
#include <vector>

// One writer serves the uniform fat tree (write_fat_tree_platform: servers srv-NNNNN) and platforms of
// heterogeneous servers (write_server_platform: node lists and presets, cluster_presets.cpp), which bring
// their own host ids, cores, memory, power and GPU count/model per server; a server may have no GPU.
//
// Layout written (ids zero-padded so that name order equals declaration order):
//
// <zone id="aidc" routing="Floyd">
//   <zone id="z-spine" routing="None"><router id="spine"/></zone>
//   <link id="srv-00000-nic"/> <link id="srv-00000-gpu-0-pcie"/> <link id="srv-00000-gpu-0-nvlink"/>
//   ... every other link, then <link id="rack-000-uplink"/> ... <link id="storage-0-nic"/>
//   <zone id="z-rack-000" routing="Floyd">
//     <zone id="z-leaf-000" routing="None"><router id="leaf-000"/></zone>
//     <zone id="z-srv-00000" routing="Full">
//       <host id="srv-00000"/> <host id="srv-00000-gpu-0"/> ...
//       <route> GPU->server: its pcie UP; GPU->GPU: both nvlink links (PCIe links if no NVLink)
//     </zone> ...
//     <zoneRoute src="z-srv-00000" dst="z-leaf-000" gw_src="srv-00000" gw_dst="leaf-000"> nic UP
//   </zone> ...
//   <zone id="z-storage" routing="Full"><host id="storage-0"><disk/></host></zone>
//   <zoneRoute rack->spine: uplink UP> ... <zoneRoute storage->spine: storage-0-nic UP>
// </zone>
// With ZoneLayout::PerRack the rack zone instead holds router leaf-000, the hosts, and <route>s
// (the intra-server ones plus server->leaf over the NIC) directly.
//
// SimGrid 3.32 quirks shaping this:
// - The DTD forbids hosts/routers next to sub-zones: switches get one-router zones.
// - Zones and hosts share one name space: zone ids carry a "z-" prefix.
// - The generated parser commits to the "leaf zone" content model when a zone opens with <link>,
//   then rejects sub-zones: the root opens with the spine zone.
// - <link_ctn> lookup (and a new link's duplicate check) searches the zone tree depth-first from the
//   root; links stored in server zones made loading quadratic (14 s for 10,000 GPUs). Links stored
//   in the root are found first, so all links live there.

namespace aidcsim {
namespace {

using Buffer = fmt::memory_buffer;

struct Unit {
  double factor;
  const char* suffix;
};

// Largest unit not above the value, so files read like hand-written ones ("312Tf", "25GBps",
// "500ns"); %.10g keeps every significant digit of the table values.
template <std::size_t N> std::string with_unit(double value, const std::array<Unit, N>& units)
{
  for (const auto& unit : units)
    if (value >= unit.factor)
      return fmt::format("{:.10g}{}", value / unit.factor, unit.suffix);
  return fmt::format("{:.10g}{}", value / units.back().factor, units.back().suffix);
}

std::string flops(double v)
{
  static constexpr std::array<Unit, 5> units{{{1e15, "Pf"}, {1e12, "Tf"}, {1e9, "Gf"}, {1e6, "Mf"}, {1, "f"}}};
  return with_unit(v, units);
}

std::string bandwidth(double v)
{
  static constexpr std::array<Unit, 4> units{{{1e12, "TBps"}, {1e9, "GBps"}, {1e6, "MBps"}, {1, "Bps"}}};
  return with_unit(v, units);
}

std::string latency(double v)
{
  if (v == 0)
    return "0s";
  static constexpr std::array<Unit, 4> units{{{1, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}}};
  return with_unit(v, units);
}

std::string watts(double idle_w, double max_w) { return fmt::format("{:.10g}:{:.10g}", idle_w, max_w); }

int digits(long long n) { return n < 10 ? 1 : 1 + digits(n / 10); }

// "<number><byte unit>"; anything else would reach the XML unchecked.
bool is_memory_size(std::string_view s)
{
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
    ++i;
  if (i == 0)
    return false;
  static constexpr std::array<std::string_view, 11> units{"B",   "kB", "KiB", "MB", "MiB", "GB",
                                                          "GiB", "TB", "TiB", "PB", "PiB"};
  return std::find(units.begin(), units.end(), s.substr(i)) != units.end();
}

void require(bool ok, std::string_view field, std::string_view why)
{
  if (!ok)
    throw std::invalid_argument(fmt::format("FatTreeOptions.{}: {}", field, why));
}

bool positive(double v) { return std::isfinite(v) && v > 0; }
bool non_negative(double v) { return std::isfinite(v) && v >= 0; }

// Names of the fabric elements; widths fixed once per platform so ids sort in declaration order.
struct Naming {
  int rack_width;
  int gpu_width;

  std::string rack(int r) const { return fmt::format("rack-{:0{}}", r, rack_width); }
  std::string leaf(int r) const { return fmt::format("leaf-{:0{}}", r, rack_width); }
  std::string gpu(const std::string& server, int g) const { return fmt::format("{}-gpu-{:0{}}", server, g, gpu_width); }
};

struct Ctx {
  const FatTreeOptions& o; // the fabric fields (servers_per_rack, NIC, uplinks, latencies, storage)
  const std::vector<ServerSpec>& servers;
  std::vector<const GpuModelInfo*> gpu; // per server; nullptr for a server without GPUs
  Naming n;
  int racks;
  Buffer b;
  std::ostream& os;

  void flush()
  {
    os.write(b.data(), static_cast<std::streamsize>(b.size()));
    b.clear();
  }
  template <typename... Args> void put(fmt::format_string<Args...> f, Args&&... args)
  {
    fmt::format_to(std::back_inserter(b), f, std::forward<Args>(args)...);
  }
  void link(std::string_view id, double bw_Bps, double lat_s)
  {
    put("  <link id=\"{}\" bandwidth=\"{}\" latency=\"{}\" sharing_policy=\"SPLITDUPLEX\"/>\n", id, bandwidth(bw_Bps),
        latency(lat_s));
  }
  int server_count() const { return static_cast<int>(servers.size()); }
  int first_server(int r) const { return r * o.servers_per_rack; }
  int end_server(int r) const { return std::min(server_count(), (r + 1) * o.servers_per_rack); }
};

void write_links(Ctx& c)
{
  c.put("  <!-- All links live in the root zone: SimGrid finds them there first (see fat_tree.cpp). -->\n");
  for (int s = 0; s < c.server_count(); ++s) {
    const ServerSpec& srv = c.servers[s];
    c.link(srv.id + "-nic", srv.nic_bw_Bps > 0 ? srv.nic_bw_Bps : c.o.nic_bw_Bps, c.o.nic_latency_s);
    for (int g = 0; g < srv.gpus; ++g) {
      const std::string id = c.n.gpu(srv.id, g);
      c.link(id + "-pcie", c.gpu[s]->pcie_bw_Bps, c.o.pcie_latency_s);
      if (c.gpu[s]->nvlink_bw_Bps > 0)
        c.link(id + "-nvlink", c.gpu[s]->nvlink_bw_Bps, c.o.nvlink_latency_s);
    }
    c.flush(); // per server, so memory stays bounded for any platform size
  }
  for (int r = 0; r < c.racks; ++r) {
    const int in_rack = c.end_server(r) - c.first_server(r);
    double nics_Bps = in_rack * c.o.nic_bw_Bps;
    bool own_nics = false;  // servers with their own NIC (cloud instance types): the uplink carries their sum
    for (int s = c.first_server(r); s < c.end_server(r); ++s) own_nics = own_nics || c.servers[s].nic_bw_Bps > 0;
    if (own_nics) {
      nics_Bps = 0;
      for (int s = c.first_server(r); s < c.end_server(r); ++s)
        nics_Bps += c.servers[s].nic_bw_Bps > 0 ? c.servers[s].nic_bw_Bps : c.o.nic_bw_Bps;
    }
    c.link(c.n.rack(r) + "-uplink", nics_Bps / c.o.uplink_oversubscription, c.o.uplink_latency_s);
  }
  if (c.o.storage)
    c.link("storage-0-nic", c.o.storage_nic_bw_Bps, c.o.storage_latency_s);
}

void write_server_hosts(Ctx& c, int s, std::string_view ind)
{
  const ServerSpec& srv = c.servers[s];
  c.put("{0}<host id=\"{1}\" speed=\"{2}\" core=\"{3}\">\n"
        "{0}  <prop id=\"kind\" value=\"server\"/>\n",
        ind, srv.id, flops(srv.core_speed_flops), srv.cores);
  if (!srv.memory.empty())
    c.put("{0}  <prop id=\"memory\" value=\"{1}\"/>\n", ind, srv.memory);
  c.put("{0}  <prop id=\"rack\" value=\"{1}\"/>\n", ind, c.n.rack(s / c.o.servers_per_rack));
  for (const auto& [key, value] : srv.props)
    c.put("{0}  <prop id=\"{1}\" value=\"{2}\"/>\n", ind, key, value);
  c.put("{0}  <prop id=\"wattage_per_state\" value=\"{1}\"/>\n"
        "{0}  <prop id=\"wattage_off\" value=\"0\"/>\n"
        "{0}</host>\n",
        ind, watts(srv.idle_w, srv.max_w));
  for (int g = 0; g < srv.gpus; ++g) {
    const GpuModelInfo& gpu = *c.gpu[s];
    c.put("{0}<host id=\"{1}\" speed=\"{2}\">\n"
          "{0}  <prop id=\"kind\" value=\"gpu\"/>\n"
          "{0}  <prop id=\"server\" value=\"{3}\"/>\n"
          "{0}  <prop id=\"gpu_model\" value=\"{4}\"/>\n"
          "{0}  <prop id=\"gpu_memory\" value=\"{5:.10g}GiB\"/>\n"
          "{0}  <prop id=\"wattage_per_state\" value=\"{6}\"/>\n"
          "{0}  <prop id=\"wattage_off\" value=\"0\"/>\n"
          "{0}</host>\n",
          ind, c.n.gpu(srv.id, g), flops(gpu.speed_flops), srv.id, gpu.name, gpu.memory_bytes / (1024.0 * 1024 * 1024),
          watts(gpu.idle_w, gpu.max_w));
  }
}

void write_server_routes(Ctx& c, int s, std::string_view ind)
{
  const ServerSpec& srv = c.servers[s];
  if (srv.gpus == 0)
    return;
  // Without NVLink, GPU peers talk through PCIe: the same links as GPU<->host traffic, which is the
  // contention real PCIe-only boxes have.
  const char* peer_link = c.gpu[s]->nvlink_bw_Bps > 0 ? "nvlink" : "pcie";
  for (int g = 0; g < srv.gpus; ++g) {
    const std::string id = c.n.gpu(srv.id, g);
    c.put("{0}<route src=\"{1}\" dst=\"{2}\"><link_ctn id=\"{1}-pcie\" direction=\"UP\"/></route>\n", ind, id,
          srv.id);
    // Routes are symmetrical: SimGrid derives the reverse with the order reversed and UP/DOWN swapped.
    for (int h = g + 1; h < srv.gpus; ++h)
      c.put("{0}<route src=\"{1}\" dst=\"{2}\"><link_ctn id=\"{1}-{3}\" direction=\"UP\"/>"
            "<link_ctn id=\"{2}-{3}\" direction=\"DOWN\"/></route>\n",
            ind, id, c.n.gpu(srv.id, h), peer_link);
  }
}

void write_rack_per_server(Ctx& c, int r)
{
  const std::string leaf = c.n.leaf(r);
  c.put("  <zone id=\"z-{}\" routing=\"Floyd\">\n", c.n.rack(r));
  c.put("    <zone id=\"z-{0}\" routing=\"None\"><router id=\"{0}\"/></zone>\n", leaf);
  for (int s = c.first_server(r); s < c.end_server(r); ++s) {
    c.put("    <zone id=\"z-{}\" routing=\"Full\">\n", c.servers[s].id);
    write_server_hosts(c, s, "      ");
    write_server_routes(c, s, "      ");
    c.put("    </zone>\n");
    c.flush();
  }
  for (int s = c.first_server(r); s < c.end_server(r); ++s)
    c.put("    <zoneRoute src=\"z-{0}\" dst=\"z-{1}\" gw_src=\"{0}\" gw_dst=\"{1}\">"
          "<link_ctn id=\"{0}-nic\" direction=\"UP\"/></zoneRoute>\n",
          c.servers[s].id, leaf);
  c.put("  </zone>\n");
}

void write_rack_per_rack(Ctx& c, int r)
{
  const std::string leaf = c.n.leaf(r);
  c.put("  <zone id=\"z-{}\" routing=\"Floyd\">\n", c.n.rack(r));
  c.put("    <router id=\"{}\"/>\n", leaf);
  // The DTD wants every host before the first route.
  for (int s = c.first_server(r); s < c.end_server(r); ++s) {
    write_server_hosts(c, s, "    ");
    c.flush();
  }
  for (int s = c.first_server(r); s < c.end_server(r); ++s) {
    c.put("    <route src=\"{0}\" dst=\"{1}\"><link_ctn id=\"{0}-nic\" direction=\"UP\"/></route>\n", c.servers[s].id,
          leaf);
    write_server_routes(c, s, "    ");
    c.flush();
  }
  c.put("  </zone>\n");
}

void write_storage_zone(Ctx& c)
{
  c.put("  <zone id=\"z-storage\" routing=\"Full\">\n"
        "    <host id=\"storage-0\" speed=\"{}\" core=\"32\">\n"
        "      <prop id=\"kind\" value=\"storage\"/>\n"
        "      <prop id=\"wattage_per_state\" value=\"{}\"/>\n"
        "      <prop id=\"wattage_off\" value=\"0\"/>\n"
        "      <disk id=\"storage-0-disk\" read_bw=\"{}\" write_bw=\"{}\"/>\n"
        "    </host>\n"
        "  </zone>\n",
        flops(c.o.core_speed_flops), watts(c.o.server_idle_w, c.o.server_max_w),
        bandwidth(c.o.storage_disk_read_bw_Bps), bandwidth(c.o.storage_disk_write_bw_Bps));
}

// The fabric fields of FatTreeOptions (everything but the per-server ones).
void validate_fabric(const FatTreeOptions& o)
{
  require(o.servers_per_rack >= 1, "servers_per_rack", fmt::format("must be >= 1, got {}", o.servers_per_rack));
  require(positive(o.core_speed_flops), "core_speed_flops", "must be a positive finite number");
  require(non_negative(o.server_idle_w), "server_idle_w", "must be a finite number >= 0");
  require(std::isfinite(o.server_max_w) && o.server_max_w >= o.server_idle_w, "server_max_w",
          "must be >= server_idle_w");
  require(positive(o.nic_bw_Bps), "nic_bw_Bps", "must be a positive finite number");
  require(positive(o.uplink_oversubscription), "uplink_oversubscription", "must be a positive finite number");
  require(non_negative(o.nic_latency_s), "nic_latency_s", "must be a finite number >= 0");
  require(non_negative(o.uplink_latency_s), "uplink_latency_s", "must be a finite number >= 0");
  require(non_negative(o.pcie_latency_s), "pcie_latency_s", "must be a finite number >= 0");
  require(non_negative(o.nvlink_latency_s), "nvlink_latency_s", "must be a finite number >= 0");
  if (o.storage) {
    require(positive(o.storage_nic_bw_Bps), "storage_nic_bw_Bps", "must be a positive finite number");
    require(non_negative(o.storage_latency_s), "storage_latency_s", "must be a finite number >= 0");
    require(positive(o.storage_disk_read_bw_Bps), "storage_disk_read_bw_Bps", "must be a positive finite number");
    require(positive(o.storage_disk_write_bw_Bps), "storage_disk_write_bw_Bps", "must be a positive finite number");
  }
}

// Ids become XML attribute values, SimGrid names and parts of link ids: keep them to a safe alphabet.
bool is_safe_id(std::string_view id)
{
  if (id.empty() || id.size() > 200)
    return false;
  return std::all_of(id.begin(), id.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
  });
}

bool is_generated_fabric_name(std::string_view id)
{
  auto numbered = [&](std::string_view prefix) {
    return id.size() > prefix.size() && id.substr(0, prefix.size()) == prefix &&
           std::all_of(id.begin() + static_cast<std::ptrdiff_t>(prefix.size()), id.end(),
                       [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); });
  };
  return id == "spine" || id == "storage-0" || id.substr(0, 2) == "z-" || numbered("leaf-") || numbered("rack-");
}

void validate_servers(const ServerPlatform& p)
{
  auto fail = [](std::size_t s, const std::string& id, const std::string& why) {
    throw std::invalid_argument(fmt::format("server {} ('{}'): {}", s, id, why));
  };
  if (p.servers.empty())
    throw std::invalid_argument("ServerPlatform.servers: no server to write");
  std::unordered_set<std::string> ids;
  int max_gpus = 0;
  for (const auto& srv : p.servers)
    max_gpus = std::max(max_gpus, srv.gpus);
  const Naming n{0, digits(std::max(0, max_gpus - 1))};
  for (std::size_t s = 0; s < p.servers.size(); ++s) {
    const ServerSpec& srv = p.servers[s];
    if (!is_safe_id(srv.id))
      fail(s, srv.id, "the id must be 1-200 characters among letters, digits, '-', '_' and '.'");
    if (is_generated_fabric_name(srv.id))
      fail(s, srv.id, "the id is reserved for the fabric (spine, leaf-N, rack-N, storage-0, z-*)");
    if (srv.cores < 1)
      fail(s, srv.id, fmt::format("cores must be >= 1, got {}", srv.cores));
    if (!positive(srv.core_speed_flops))
      fail(s, srv.id, "core_speed_flops must be a positive finite number");
    if (!srv.memory.empty() && !is_memory_size(srv.memory))
      fail(s, srv.id, fmt::format("memory '{}' is not <number><byte unit> such as 512GiB", srv.memory));
    if (!non_negative(srv.idle_w) || !std::isfinite(srv.max_w) || srv.max_w < srv.idle_w)
      fail(s, srv.id, "power must be 0 <= idle_w <= max_w");
    if (!non_negative(srv.nic_bw_Bps))
      fail(s, srv.id, "nic_bw_Bps must be 0 (the fabric's) or a positive finite number");
    if (srv.gpus < 0 || srv.gpus > 64)
      fail(s, srv.id, fmt::format("gpus must be in [0, 64], got {}", srv.gpus));
    if (srv.gpus > 0 && find_gpu_model(srv.gpu_model) == nullptr)
      fail(s, srv.id, fmt::format("unknown GPU model '{}'; known models: {}", srv.gpu_model,
                                  fmt::join(gpu_model_names(), ", ")));
    for (const auto& [key, value] : srv.props) {
      if (!is_safe_id(key) || key == "kind" || key == "memory" || key == "rack" || key.rfind("wattage", 0) == 0)
        fail(s, srv.id, fmt::format("extra prop id '{}' is reserved or not a plain name", key));
      if (!is_safe_id(value))
        fail(s, srv.id, fmt::format("prop '{}' value '{}' must be letters, digits, '-', '_' or '.'", key, value));
    }
    if (!ids.insert(srv.id).second)
      fail(s, srv.id, "duplicate host id");
    for (int g = 0; g < srv.gpus; ++g)
      if (!ids.insert(n.gpu(srv.id, g)).second)
        fail(s, srv.id, fmt::format("GPU host id '{}' is already used", n.gpu(srv.id, g)));
  }
}

void write_platform(const FatTreeOptions& o, const std::vector<ServerSpec>& servers, const std::string& header,
                    std::ostream& os)
{
  const int count = static_cast<int>(servers.size());
  const int racks = (count + o.servers_per_rack - 1) / o.servers_per_rack;
  int max_gpus = 0;
  for (const auto& srv : servers)
    max_gpus = std::max(max_gpus, srv.gpus);
  Ctx c{o, servers, {}, Naming{std::max(3, digits(racks - 1)), digits(std::max(0, max_gpus - 1))}, racks, Buffer{}, os};
  c.gpu.reserve(servers.size());
  for (const auto& srv : servers)
    c.gpu.push_back(srv.gpus > 0 ? find_gpu_model(srv.gpu_model) : nullptr);

  c.put("<?xml version='1.0'?>\n"
        "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
        "<platform version=\"4.1\">\n"
        "{}"
        "<zone id=\"aidc\" routing=\"Floyd\">\n",
        header);
  // First child must be a zone, not a link (see the parser quirk above).
  c.put("  <zone id=\"z-spine\" routing=\"None\"><router id=\"spine\"/></zone>\n");
  write_links(c);
  for (int r = 0; r < racks; ++r) {
    if (o.layout == ZoneLayout::PerServer)
      write_rack_per_server(c, r);
    else
      write_rack_per_rack(c, r);
  }
  if (o.storage)
    write_storage_zone(c);
  for (int r = 0; r < racks; ++r)
    c.put("  <zoneRoute src=\"z-{0}\" dst=\"z-spine\" gw_src=\"{1}\" gw_dst=\"spine\">"
          "<link_ctn id=\"{0}-uplink\" direction=\"UP\"/></zoneRoute>\n",
          c.n.rack(r), c.n.leaf(r));
  if (o.storage)
    c.put("  <zoneRoute src=\"z-storage\" dst=\"z-spine\" gw_src=\"storage-0\" gw_dst=\"spine\">"
          "<link_ctn id=\"storage-0-nic\" direction=\"UP\"/></zoneRoute>\n");
  c.put("</zone>\n</platform>\n");
  c.flush();
}

} // namespace

void validate_fat_tree_options(const FatTreeOptions& o)
{
  require(o.servers >= 1, "servers", fmt::format("must be >= 1, got {}", o.servers));
  require(o.gpus_per_server >= 1 && o.gpus_per_server <= 64, "gpus_per_server",
          fmt::format("must be in [1, 64], got {}", o.gpus_per_server));
  if (find_gpu_model(o.gpu_model) == nullptr)
    throw std::invalid_argument(fmt::format("FatTreeOptions.gpu_model: unknown GPU model '{}'; known models: {}",
                                            o.gpu_model, fmt::join(gpu_model_names(), ", ")));
  require(o.servers_per_rack >= 1, "servers_per_rack", fmt::format("must be >= 1, got {}", o.servers_per_rack));
  require(o.cores_per_server >= 1, "cores_per_server", fmt::format("must be >= 1, got {}", o.cores_per_server));
  require(is_memory_size(o.server_memory), "server_memory",
          fmt::format("'{}' is not <number><byte unit> such as 512GiB or 1TiB", o.server_memory));
  validate_fabric(o);
}

void write_fat_tree_platform(const FatTreeOptions& o, std::ostream& os)
{
  validate_fat_tree_options(o);
  const int racks = (o.servers + o.servers_per_rack - 1) / o.servers_per_rack;
  const int width = std::max(5, digits(o.servers - 1));
  std::vector<ServerSpec> servers(static_cast<std::size_t>(o.servers));
  for (int s = 0; s < o.servers; ++s) {
    ServerSpec& srv = servers[static_cast<std::size_t>(s)];
    srv.id = fmt::format("srv-{:0{}}", s, width);
    srv.cores = o.cores_per_server;
    srv.core_speed_flops = o.core_speed_flops;
    srv.memory = o.server_memory;
    srv.idle_w = o.server_idle_w;
    srv.max_w = o.server_max_w;
    srv.gpus = o.gpus_per_server;
    srv.gpu_model = o.gpu_model;
  }
  const std::string header = fmt::format(
      "<!-- aidcsim fat tree: {} servers x {} {} GPUs, {} servers per rack ({} rack(s)), {} layout.\n"
      "     NIC {}, uplink oversubscription {:g}, storage {}. Bandwidths are per direction (SPLITDUPLEX). -->\n",
      o.servers, o.gpus_per_server, o.gpu_model, o.servers_per_rack, racks,
      o.layout == ZoneLayout::PerServer ? "per-server zone" : "per-rack zone", bandwidth(o.nic_bw_Bps),
      o.uplink_oversubscription, o.storage ? "yes" : "no");
  write_platform(o, servers, header, os);
}

void validate_server_platform(const ServerPlatform& p)
{
  validate_fabric(p.fabric);
  validate_servers(p);
  if (p.title.find("--") != std::string::npos)
    throw std::invalid_argument("ServerPlatform.title: must not contain \"--\" (it is written in an XML comment)");
}

void write_server_platform(const ServerPlatform& p, std::ostream& os)
{
  validate_server_platform(p);
  const int racks = (static_cast<int>(p.servers.size()) + p.fabric.servers_per_rack - 1) / p.fabric.servers_per_rack;
  long long gpus = 0;
  for (const auto& srv : p.servers)
    gpus += srv.gpus;
  std::string header = "<!-- ";
  for (char ch : p.title) {
    header += ch;
    if (ch == '\n')
      header += "     ";
  }
  header += fmt::format("\n     {} servers, {} GPUs, {} servers per rack ({} rack(s)), {} layout.\n"
                        "     NIC {}, uplink oversubscription {:g}, storage {}. Bandwidths are per direction "
                        "(SPLITDUPLEX). -->\n",
                        p.servers.size(), gpus, p.fabric.servers_per_rack, racks,
                        p.fabric.layout == ZoneLayout::PerServer ? "per-server zone" : "per-rack zone",
                        bandwidth(p.fabric.nic_bw_Bps), p.fabric.uplink_oversubscription,
                        p.fabric.storage ? "yes" : "no");
  write_platform(p.fabric, p.servers, header, os);
}

} // namespace aidcsim
