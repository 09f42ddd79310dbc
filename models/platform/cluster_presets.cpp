#include "models/platform/cluster_presets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include "models/platform/gpu_models.hpp"
#include "models/traces/readers.hpp"
#include "sim/core/csv.hpp"
#include "sim/core/errors.hpp"

namespace aidcsim {
namespace {

bool is_plain_name(const std::string& s) {
  return !s.empty() && s.size() <= 200 && std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
  });
}

// Names the fabric writer keeps for itself (see fat_tree.cpp).
bool is_reserved_name(const std::string& s) {
  auto numbered = [&](const std::string& prefix) {
    return s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0 &&
           std::all_of(s.begin() + static_cast<std::ptrdiff_t>(prefix.size()), s.end(),
                       [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; });
  };
  return s == "spine" || s == "storage-0" || s.rfind("z-", 0) == 0 || numbered("leaf-") || numbered("rack-");
}

// A GPU host is "<sn>-gpu-<g>"; a node named like another node's GPU would collide.
bool looks_like_gpu_host(const std::string& s) {
  auto pos = s.rfind("-gpu-");
  return pos != std::string::npos && pos + 5 < s.size() &&
         std::all_of(s.begin() + static_cast<std::ptrdiff_t>(pos + 5), s.end(),
                     [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; });
}

bool is_nan_text(const std::string& s) {
  std::string lower;
  for (char ch : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower == "nan";
}

std::string known_models() { return join_names(gpu_model_names()); }

ServerSpec base_server(const FatTreeOptions& fabric) {
  ServerSpec s;
  s.core_speed_flops = fabric.core_speed_flops;
  s.idle_w = fabric.server_idle_w;
  s.max_w = fabric.server_max_w;
  return s;
}

// Largest-remainder (Hamilton) apportionment of `total` seats by weight, each part getting at least
// `minimum`. Ties go to the earlier entry, so the result is deterministic.
std::vector<int> apportion(int total, const std::vector<double>& weights, int minimum) {
  const int n = static_cast<int>(weights.size());
  std::vector<int> seats(weights.size(), minimum);
  int left = total - minimum * n;
  if (left < 0) throw std::invalid_argument("apportion: fewer seats than the minimum per part");
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<std::pair<double, int>> remainders;
  int given = 0;
  for (int i = 0; i < n; ++i) {
    double exact = sum > 0 ? left * weights[i] / sum : 0;
    int whole = static_cast<int>(std::floor(exact));
    seats[i] += whole;
    given += whole;
    remainders.emplace_back(exact - whole, i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int k = 0; k < left - given; ++k) ++seats[remainders[static_cast<std::size_t>(k % n)].second];
  return seats;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// OpenB

std::vector<OpenbNode> read_openb_node_list(const std::string& path) {
  ProblemList problems;
  if (!std::filesystem::exists(path)) throw InputErrors({{path, 0, "", "node list file not found"}});
  LineInput in(path);
  static const std::vector<std::string> columns{"sn", "cpu_milli", "memory_mib", "gpu", "model"};
  auto header = read_trace_header(in, path, "OpenB node list", columns, problems);
  problems.throw_if_any();
  const CsvHeader& h = *header;
  const int c_sn = h.index("sn"), c_cpu = h.index("cpu_milli"), c_mem = h.index("memory_mib"), c_gpu = h.index("gpu"),
            c_model = h.index("model");

  std::vector<OpenbNode> nodes;
  std::unordered_map<std::string, int> first_line;
  std::vector<std::string> fields;
  std::string line;
  while (in.next(line)) {
    if (line.empty()) continue;
    split_csv(line, fields);
    if (fields.size() != h.names().size()) {
      problems.add(path, in.line_number(), "",
                   fmt::format("row has {} fields, expected {} as in the header", fields.size(), h.names().size()));
      continue;
    }
    RowReader row{path, in.line_number(), h, fields, problems};
    OpenbNode node;
    node.line = in.line_number();
    node.sn = row.text(c_sn);
    if (node.sn.empty()) {
      row.fail(c_sn, "empty value; expected a node name such as openb-node-0000");
    } else if (!is_plain_name(node.sn)) {
      row.fail(c_sn, fmt::format("found \"{}\", expected a node name of letters, digits, '-', '_' and '.'", node.sn));
    } else if (is_reserved_name(node.sn) || looks_like_gpu_host(node.sn)) {
      row.fail(c_sn, fmt::format("found \"{}\", a name the platform uses for its own elements (spine, leaf-N, "
                                 "rack-N, storage-0, z-*, *-gpu-N); expected another node name",
                                 node.sn));
    } else if (auto [it, inserted] = first_line.try_emplace(node.sn, node.line); !inserted) {
      row.fail(c_sn, fmt::format("duplicate node \"{}\" (first on line {}); expected unique sn values", node.sn,
                                 it->second));
    }
    node.cpu_milli = row.integer(c_cpu, 0, 1, 1'000'000'000LL, "milli-cores, an integer >= 1", true);
    node.memory_mib = row.integer(c_mem, 0, 1, 1'000'000'000LL, "MiB, an integer >= 1", true);
    node.gpus = static_cast<int>(row.integer(c_gpu, 0, 0, 64, "a GPU count, an integer in 0..64", true));
    std::string model = row.text(c_model);
    if (row.ok) {
      if (node.gpus > 0) {
        if (model.empty() || is_nan_text(model))
          row.fail(c_model, fmt::format("empty value for a node with {} GPUs; expected a GPU model, one of: {}",
                                        node.gpus, known_models()));
        else if (find_gpu_model(model) == nullptr)
          row.fail(c_model, fmt::format("found \"{}\", expected a GPU model, one of: {}", model, known_models()));
        else
          node.model = model;
      } else if (!model.empty() && !is_nan_text(model)) {
        row.fail(c_model, fmt::format("found \"{}\" on a node with 0 GPUs; expected an empty value (or NaN)", model));
      }
    }
    if (row.ok) nodes.push_back(std::move(node));
  }
  if (problems.empty() && nodes.empty())
    problems.add(path, 0, "", "no node rows after the header; expected one row per node");
  problems.throw_if_any();
  return nodes;
}

FatTreeOptions openb_default_fabric() {
  FatTreeOptions f;
  f.layout = ZoneLayout::PerRack;
  return f;
}

int openb_cores(long long cpu_milli) {
  long long cores = (cpu_milli + 500) / 1000;
  return static_cast<int>(std::clamp(cores, 1LL, 1'000'000LL));
}

std::string openb_memory(long long memory_mib) {
  if (memory_mib % 1024 == 0) return fmt::format("{}GiB", memory_mib / 1024);
  return fmt::format("{}MiB", memory_mib);
}

ServerPlatform openb_platform(const std::vector<OpenbNode>& nodes, const std::string& source,
                              const OpenbPlatformOptions& options) {
  if (!options.gpu_model_override.empty() && find_gpu_model(options.gpu_model_override) == nullptr)
    throw std::invalid_argument(fmt::format("unknown GPU model '{}'; known models: {}",
                                            options.gpu_model_override, known_models()));
  ServerPlatform p;
  p.fabric = options.fabric;
  std::map<std::string, std::pair<int, long long>> per_model;  // model -> nodes, GPUs
  for (const auto& node : nodes) {
    ServerSpec s = base_server(p.fabric);
    s.id = node.sn;
    s.cores = openb_cores(node.cpu_milli);
    s.memory = openb_memory(node.memory_mib);
    s.gpus = node.gpus;
    if (node.gpus > 0) {
      s.gpu_model = options.gpu_model_override.empty() ? node.model : options.gpu_model_override;
      // Keep the trace's own model visible when it is overridden (e.g. for MIG studies on A100s).
      if (!options.gpu_model_override.empty()) s.props.emplace_back("trace_gpu_model", node.model);
      auto& [n, g] = per_model[s.gpu_model];
      ++n;
      g += node.gpus;
    }
    p.servers.push_back(std::move(s));
  }
  std::string models;
  int listed = 0;
  for (const auto& [model, counts] : per_model) {
    models += fmt::format("{}{} {} nodes/{} GPUs", listed == 0 ? "" : (listed % 4 == 0 ? ",\n" : ", "), model,
                          counts.first, counts.second);
    ++listed;
  }
  std::string file = std::filesystem::path(source).filename().string();
  p.title = fmt::format(
      "aidcsim OpenB platform (Alibaba GPU cluster trace 2023, FGD ATC'23) from {}:\n"
      "one server per node, host id = the node's sn, cores = cpu_milli/1000, memory = memory_mib,\n"
      "GPUs from the GPU table{}. By model:\n{}.",
      file,
      options.gpu_model_override.empty()
          ? std::string()
          : fmt::format(" with every GPU as {} (prop trace_gpu_model keeps the node list's model)",
                        options.gpu_model_override),
      models.empty() ? std::string("no GPU") : models);
  return p;
}

// ---------------------------------------------------------------------------------------------------
// Presets

FatTreeOptions philly_default_fabric() {
  FatTreeOptions f;
  f.servers_per_rack = 16;
  f.nic_bw_Bps = 12.5e9;  // 100 Gb/s (EDR InfiniBand class, 2017): assumption
  // 2x Intel Xeon E5-2690 v4 assumed (as ExaDigiT's Philly loader does): 2.6 GHz, AVX2 FMA 16 FP64 FLOP/cycle.
  f.core_speed_flops = 2.6e9 * 16;
  return f;
}

FatTreeOptions helios_default_fabric() {
  FatTreeOptions f;
  f.servers_per_rack = 16;
  f.nic_bw_Bps = 12.5e9;  // 100 Gb/s InfiniBand class: assumption
  return f;
}

const std::vector<VirtualCluster>& philly_virtual_clusters() {
  // GPU-hours per `cluster` value of philly.csv (Pollux's copy of the Philly trace, 82,247 jobs,
  // 978,078.5 GPU-hours in all), largest first. Computed with: sum(gpu_time) / 3600 per cluster.
  static const std::vector<VirtualCluster> vcs{
      {"ee9e8c", 256112.2, 0}, {"7f04ca", 164930.7, 0}, {"b436b2", 125739.5, 0}, {"6214e9", 97184.8, 0},
      {"6c71a0", 82203.3, 0},  {"2869ce", 80695.1, 0},  {"0e4a51", 77556.3, 0},  {"103959", 42880.3, 0},
      {"11cb48", 28104.3, 0},  {"e13805", 13557.9, 0},  {"ed69ec", 8937.5, 0},   {"23dbec", 156.6, 0},
      {"51b7ef", 12.2, 0},     {"795a4c", 5.1, 0},      {"925e2b", 2.9, 0}};
  return vcs;
}

ServerPlatform philly_platform(const PhillyPresetOptions& options) {
  // philly-traces cluster_machine_list: 552 machines, 321 with 2 GPUs of 12 GB and 231 with 8 GPUs of
  // 24 GB = 2,490 GPUs. Machines are shared out to the VCs in proportion to their GPU-hours, at least one
  // machine of each kind per VC.
  constexpr int kTwoGpu = 321, kEightGpu = 231;
  const auto& vcs = philly_virtual_clusters();
  std::vector<double> weights;
  for (const auto& vc : vcs) weights.push_back(vc.weight);
  const std::vector<int> eights = apportion(kEightGpu, weights, 1);
  const std::vector<int> twos = apportion(kTwoGpu, weights, 1);

  ServerPlatform p;
  p.fabric = options.fabric;
  int index = 0;
  for (std::size_t v = 0; v < vcs.size(); ++v) {
    for (int k = 0; k < eights[v] + twos[v]; ++k) {
      ServerSpec s = base_server(p.fabric);
      s.id = fmt::format("philly-{:03}", index++);
      s.cores = 28;  // 2x 14-core Xeon E5-2690 v4 (assumption)
      bool eight = k < eights[v];
      s.gpus = eight ? 8 : 2;
      s.gpu_model = eight ? "P40" : "P100-12GB";
      s.props.emplace_back("vc", vcs[v].name);
      p.servers.push_back(std::move(s));
    }
  }
  std::string split;
  for (std::size_t v = 0; v < vcs.size(); ++v)
    split += fmt::format("{}{} {}x8+{}x2", v == 0 ? "" : (v % 5 == 0 ? ",\n" : ", "), vcs[v].name, eights[v], twos[v]);
  p.title = fmt::format(
      "aidcsim Philly-like platform (Microsoft Philly, Jeon et al. ATC'19; philly-traces cluster_machine_list):\n"
      "231 servers x 8 GPUs (24 GB, assumed P40) + 321 servers x 2 GPUs (12 GB, assumed P100-12GB) = 2,490 GPUs,\n"
      "in 15 virtual clusters (prop vc) sized by their GPU-hours in philly.csv, at least one server of each kind:\n"
      "{}.",
      split);
  return p;
}

const std::vector<VirtualCluster>& helios_venus_virtual_clusters() {
  // ../shared/traces/helios-summary/vc_config.csv (Lucid, simulation/data/Venus/vc_config.csv).
  static const std::vector<VirtualCluster> vcs{
      {"vcEwI", 9, 9},  {"vcWoR", 5, 5},   {"vcHvQ", 8, 8},  {"vcvGl", 20, 20}, {"vc8Gr", 6, 6},
      {"vcKeu", 12, 12}, {"vcKrE", 4, 4},  {"vcYVn", 11, 11}, {"vchbv", 4, 4},  {"vcLTP", 8, 8},
      {"vchA3", 3, 3},  {"vcJsw", 32, 32}, {"vcefl", 10, 10}, {"vcvlY", 2, 2},  {"vcgkz", 1, 1}};
  return vcs;
}

std::vector<VirtualCluster> read_vc_config(const std::string& path) {
  ProblemList problems;
  if (!std::filesystem::exists(path)) throw InputErrors({{path, 0, "", "VC configuration file not found"}});
  LineInput in(path);
  auto header = read_trace_header(in, path, "Helios vc_config", {"num"}, problems);
  problems.throw_if_any();
  const CsvHeader& h = *header;
  const int c_num = h.index("num");
  const int c_name = c_num == 0 ? 1 : 0;  // the VC name is the other column (unnamed in the published file)
  std::vector<VirtualCluster> vcs;
  std::unordered_map<std::string, int> first_line;
  std::vector<std::string> fields;
  std::string line;
  int total = 0;
  while (in.next(line)) {
    if (line.empty()) continue;
    split_csv(line, fields);
    if (fields.size() != h.names().size() || h.names().size() < 2) {
      problems.add(path, in.line_number(), "",
                   fmt::format("row has {} fields, expected 2 (VC name, num) as in the header", fields.size()));
      continue;
    }
    RowReader row{path, in.line_number(), h, fields, problems};
    VirtualCluster vc;
    vc.name = row.text(c_name);
    std::string where = h.names()[static_cast<std::size_t>(c_name)].empty() ? "vc" : h.names()[c_name];
    if (!is_plain_name(vc.name))
      problems.add(path, in.line_number(), where,
                   fmt::format("found \"{}\", expected a VC name of letters, digits, '-', '_' and '.'", vc.name));
    else if (auto [it, inserted] = first_line.try_emplace(vc.name, in.line_number()); !inserted)
      problems.add(path, in.line_number(), where,
                   fmt::format("duplicate VC \"{}\" (first on line {})", vc.name, it->second));
    vc.servers = static_cast<int>(row.integer(c_num, 0, 0, 100000, "a node count, an integer in 0..100000", true));
    vc.weight = vc.servers;
    total += vc.servers;
    vcs.push_back(std::move(vc));
  }
  if (problems.empty() && total == 0) problems.add(path, 0, "num", "no node in any VC; expected a total >= 1");
  problems.throw_if_any();
  return vcs;
}

ServerPlatform helios_platform(const HeliosPresetOptions& options) {
  if (find_gpu_model(options.gpu_model) == nullptr)
    throw std::invalid_argument(
        fmt::format("unknown GPU model '{}'; known models: {}", options.gpu_model, known_models()));
  const std::vector<VirtualCluster> vcs =
      options.vc_config.empty() ? helios_venus_virtual_clusters() : read_vc_config(options.vc_config);
  ServerPlatform p;
  p.fabric = options.fabric;
  int index = 0;
  std::string split;
  for (std::size_t v = 0; v < vcs.size(); ++v) {
    for (int k = 0; k < vcs[v].servers; ++k) {
      ServerSpec s = base_server(p.fabric);
      s.id = fmt::format("venus-{:03}", index++);
      s.cores = 96;  // Lucid's simulator default for Venus nodes (num_cpus_per_node)
      s.gpus = 8;
      s.gpu_model = options.gpu_model;
      s.props.emplace_back("vc", vcs[v].name);
      p.servers.push_back(std::move(s));
    }
    split += fmt::format("{}{} {}", v == 0 ? "" : (v % 8 == 0 ? ",\n" : ", "), vcs[v].name, vcs[v].servers);
  }
  p.title = fmt::format(
      "aidcsim Helios Venus-like platform (SenseTime Helios, Hu et al. SC'21): {} servers x 8 {} GPUs,\n"
      "virtual clusters (prop vc) with the node counts of {}:\n{}.",
      index, options.gpu_model,
      options.vc_config.empty() ? std::string("Lucid's Venus vc_config.csv (September 2020)")
                                : std::filesystem::path(options.vc_config).filename().string(),
      split);
  return p;
}

}  // namespace aidcsim
