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

// Names of every element; widths fixed once per platform so ids sort in declaration order.
struct Naming {
  int server_width;
  int rack_width;
  int gpu_width;

  std::string server(int s) const { return fmt::format("srv-{:0{}}", s, server_width); }
  std::string gpu(int s, int g) const { return fmt::format("srv-{:0{}}-gpu-{:0{}}", s, server_width, g, gpu_width); }
  std::string rack(int r) const { return fmt::format("rack-{:0{}}", r, rack_width); }
  std::string leaf(int r) const { return fmt::format("leaf-{:0{}}", r, rack_width); }
};

struct Ctx {
  const FatTreeOptions& o;
  const GpuModelInfo& gpu;
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
  int first_server(int r) const { return r * o.servers_per_rack; }
  int end_server(int r) const { return std::min(o.servers, (r + 1) * o.servers_per_rack); }
};

void write_links(Ctx& c)
{
  c.put("  <!-- All links live in the root zone: SimGrid finds them there first (see fat_tree.cpp). -->\n");
  for (int s = 0; s < c.o.servers; ++s) {
    c.link(c.n.server(s) + "-nic", c.o.nic_bw_Bps, c.o.nic_latency_s);
    for (int g = 0; g < c.o.gpus_per_server; ++g) {
      c.link(c.n.gpu(s, g) + "-pcie", c.gpu.pcie_bw_Bps, c.o.pcie_latency_s);
      if (c.gpu.nvlink_bw_Bps > 0)
        c.link(c.n.gpu(s, g) + "-nvlink", c.gpu.nvlink_bw_Bps, c.o.nvlink_latency_s);
    }
    c.flush(); // per server, so memory stays bounded for any platform size
  }
  for (int r = 0; r < c.racks; ++r) {
    const int in_rack = c.end_server(r) - c.first_server(r);
    c.link(c.n.rack(r) + "-uplink", in_rack * c.o.nic_bw_Bps / c.o.uplink_oversubscription, c.o.uplink_latency_s);
  }
  if (c.o.storage)
    c.link("storage-0-nic", c.o.storage_nic_bw_Bps, c.o.storage_latency_s);
}

void write_server_hosts(Ctx& c, int s, std::string_view ind)
{
  const std::string srv = c.n.server(s);
  c.put("{0}<host id=\"{1}\" speed=\"{2}\" core=\"{3}\">\n"
        "{0}  <prop id=\"kind\" value=\"server\"/>\n"
        "{0}  <prop id=\"memory\" value=\"{4}\"/>\n"
        "{0}  <prop id=\"rack\" value=\"{5}\"/>\n"
        "{0}  <prop id=\"wattage_per_state\" value=\"{6}\"/>\n"
        "{0}  <prop id=\"wattage_off\" value=\"0\"/>\n"
        "{0}</host>\n",
        ind, srv, flops(c.o.core_speed_flops), c.o.cores_per_server, c.o.server_memory,
        c.n.rack(s / c.o.servers_per_rack), watts(c.o.server_idle_w, c.o.server_max_w));
  for (int g = 0; g < c.o.gpus_per_server; ++g)
    c.put("{0}<host id=\"{1}\" speed=\"{2}\">\n"
          "{0}  <prop id=\"kind\" value=\"gpu\"/>\n"
          "{0}  <prop id=\"server\" value=\"{3}\"/>\n"
          "{0}  <prop id=\"gpu_model\" value=\"{4}\"/>\n"
          "{0}  <prop id=\"gpu_memory\" value=\"{5:.10g}GiB\"/>\n"
          "{0}  <prop id=\"wattage_per_state\" value=\"{6}\"/>\n"
          "{0}  <prop id=\"wattage_off\" value=\"0\"/>\n"
          "{0}</host>\n",
          ind, c.n.gpu(s, g), flops(c.gpu.speed_flops), srv, c.gpu.name, c.gpu.memory_bytes / (1024.0 * 1024 * 1024),
          watts(c.gpu.idle_w, c.gpu.max_w));
}

void write_server_routes(Ctx& c, int s, std::string_view ind)
{
  const std::string srv = c.n.server(s);
  // Without NVLink, GPU peers talk through PCIe: the same links as GPU<->host traffic, which is the
  // contention real PCIe-only boxes have.
  const char* peer_link = c.gpu.nvlink_bw_Bps > 0 ? "nvlink" : "pcie";
  for (int g = 0; g < c.o.gpus_per_server; ++g) {
    const std::string id = c.n.gpu(s, g);
    c.put("{0}<route src=\"{1}\" dst=\"{2}\"><link_ctn id=\"{1}-pcie\" direction=\"UP\"/></route>\n", ind, id, srv);
    // Routes are symmetrical: SimGrid derives the reverse with the order reversed and UP/DOWN swapped.
    for (int h = g + 1; h < c.o.gpus_per_server; ++h)
      c.put("{0}<route src=\"{1}\" dst=\"{2}\"><link_ctn id=\"{1}-{3}\" direction=\"UP\"/>"
            "<link_ctn id=\"{2}-{3}\" direction=\"DOWN\"/></route>\n",
            ind, id, c.n.gpu(s, h), peer_link);
  }
}

void write_rack_per_server(Ctx& c, int r)
{
  const std::string leaf = c.n.leaf(r);
  c.put("  <zone id=\"z-{}\" routing=\"Floyd\">\n", c.n.rack(r));
  c.put("    <zone id=\"z-{0}\" routing=\"None\"><router id=\"{0}\"/></zone>\n", leaf);
  for (int s = c.first_server(r); s < c.end_server(r); ++s) {
    c.put("    <zone id=\"z-{}\" routing=\"Full\">\n", c.n.server(s));
    write_server_hosts(c, s, "      ");
    write_server_routes(c, s, "      ");
    c.put("    </zone>\n");
    c.flush();
  }
  for (int s = c.first_server(r); s < c.end_server(r); ++s)
    c.put("    <zoneRoute src=\"z-{0}\" dst=\"z-{1}\" gw_src=\"{0}\" gw_dst=\"{1}\">"
          "<link_ctn id=\"{0}-nic\" direction=\"UP\"/></zoneRoute>\n",
          c.n.server(s), leaf);
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
    c.put("    <route src=\"{0}\" dst=\"{1}\"><link_ctn id=\"{0}-nic\" direction=\"UP\"/></route>\n", c.n.server(s),
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
  require(positive(o.core_speed_flops), "core_speed_flops", "must be a positive finite number");
  require(is_memory_size(o.server_memory), "server_memory",
          fmt::format("'{}' is not <number><byte unit> such as 512GiB or 1TiB", o.server_memory));
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

void write_fat_tree_platform(const FatTreeOptions& o, std::ostream& os)
{
  validate_fat_tree_options(o);
  const int racks = (o.servers + o.servers_per_rack - 1) / o.servers_per_rack;
  Ctx c{o,
        *find_gpu_model(o.gpu_model),
        Naming{std::max(5, digits(o.servers - 1)), std::max(3, digits(racks - 1)), digits(o.gpus_per_server - 1)},
        racks,
        Buffer{},
        os};

  c.put("<?xml version='1.0'?>\n"
        "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
        "<platform version=\"4.1\">\n"
        "<!-- aidcsim fat tree: {} servers x {} {} GPUs, {} servers per rack ({} rack(s)), {} layout.\n"
        "     NIC {}, uplink oversubscription {:g}, storage {}. Bandwidths are per direction (SPLITDUPLEX). -->\n"
        "<zone id=\"aidc\" routing=\"Floyd\">\n",
        o.servers, o.gpus_per_server, o.gpu_model, o.servers_per_rack, racks,
        o.layout == ZoneLayout::PerServer ? "per-server zone" : "per-rack zone", bandwidth(o.nic_bw_Bps),
        o.uplink_oversubscription, o.storage ? "yes" : "no");
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

} // namespace aidcsim
