#include <fmt/format.h>

#include <fstream>
#include <map>
#include <memory>

#include "models/platform/cloud_platform.hpp"
#include "models/platform/cluster_presets.hpp"
#include "models/platform/fat_tree.hpp"
#include "sim/cli/commands.hpp"
#include "sim/core/errors.hpp"
#include "sim/io/outputs.hpp"
#include "sim/engine/platform_loader.hpp"
#include "sim/run/run.hpp"

namespace aidcsim::cli {

namespace {

const std::map<std::string, ZoneLayout>& layouts() {
  static const std::map<std::string, ZoneLayout> m{{"per-server", ZoneLayout::PerServer},
                                                   {"per-rack", ZoneLayout::PerRack}};
  return m;
}

// The fabric options every generator shares.
void add_fabric_options(CLI::App& cmd, FatTreeOptions& fabric) {
  cmd.add_option("--servers-per-rack", fabric.servers_per_rack, "servers under one leaf switch")
      ->capture_default_str();
  cmd.add_option("--oversubscription", fabric.uplink_oversubscription,
                 "leaf uplink = servers in the rack x NIC / this (1 = non-blocking)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1024.0));
  cmd.add_option("--layout", fabric.layout,
                 fmt::format("zones: per-server (least memory) or per-rack (loads faster); default {}",
                             fabric.layout == ZoneLayout::PerRack ? "per-rack" : "per-server"))
      ->transform(CLI::CheckedTransformer(layouts()));
}

// Validates and writes `platform` atomically (nothing is left behind on error), then prints what it wrote.
int write_platform_file(const std::string& command, const std::string& out, const ServerPlatform& platform) {
  AtomicFile file(out);
  try {
    write_server_platform(platform, file.stream());
  } catch (const std::invalid_argument& e) {
    throw InputErrors({{command, 0, "", e.what()}});
  }
  file.commit();
  std::map<std::string, std::pair<int, long long>> models;
  int cpu_only = 0;
  for (const auto& s : platform.servers) {
    if (s.gpus == 0) {
      ++cpu_only;
      continue;
    }
    auto& [n, g] = models[s.gpu_model];
    ++n;
    g += s.gpus;
  }
  long long gpus = 0;
  std::string by_model;
  for (const auto& [model, c] : models) {
    gpus += c.second;
    by_model += fmt::format("{}{} {}/{}", by_model.empty() ? "" : ", ", model, c.first, c.second);
  }
  fmt::print("wrote {} ({} servers, {} GPUs; servers/GPUs by model: {}{})\n", out, platform.servers.size(), gpus,
             by_model.empty() ? "none" : by_model, cpu_only > 0 ? fmt::format("; {} without GPU", cpu_only) : "");
  return 0;
}

void add_cluster_platform_commands(CLI::App& platform, std::function<int()>& action) {
  // platform openb NODE_LIST.csv -o FILE [--gpu-model-override M]
  {
    auto node_list = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto options = std::make_shared<OpenbPlatformOptions>();
    auto* cmd = platform.add_subcommand(
        "openb", "write the platform of an OpenB (Alibaba GPU 2023) node list: one server per node");
    cmd->add_option("node_list", *node_list, "openb_node_list_*.csv (sn,cpu_milli,memory_mib,gpu,model)")
        ->required();
    cmd->add_option("--gpu-model-override", options->gpu_model_override,
                    "make every GPU this model (e.g. A100-80GB); prop trace_gpu_model keeps the listed one");
    add_fabric_options(*cmd, options->fabric);
    cmd->add_option("-o,--output", *out, "output XML file")->required();
    cmd->callback([node_list, out, options, &action]() {
      action = [node_list, out, options]() {
        std::vector<OpenbNode> nodes = read_openb_node_list(*node_list);  // InputErrors with lines
        ServerPlatform p;
        try {
          p = openb_platform(nodes, *node_list, *options);
        } catch (const std::invalid_argument& e) {
          throw InputErrors({{"platform openb", 0, "--gpu-model-override", e.what()}});
        }
        return write_platform_file("platform openb", *out, p);
      };
    });
  }
  // platform cloud TYPE:COUNT[:GROUP]... -o FILE
  {
    auto specs = std::make_shared<std::vector<std::string>>();
    auto out = std::make_shared<std::string>();
    auto options = std::make_shared<CloudPlatformOptions>();
    auto* cmd = platform.add_subcommand(
        "cloud", "write servers of cloud instance types (aidcsim list instances) as node groups: props instance_type, node_group");
    cmd->add_option("groups", *specs, "TYPE:COUNT[:GROUP], e.g. p5.48xlarge:4 p4de.24xlarge:2:burst")->required();
    add_fabric_options(*cmd, options->fabric);
    cmd->add_option("-o,--output", *out, "output XML file")->required();
    cmd->callback([specs, out, options, &action]() {
      action = [specs, out, options]() {
        ServerPlatform p;
        try {
          for (const auto& text : *specs) options->groups.push_back(parse_cloud_node_group(text));
          p = cloud_platform(*options);
        } catch (const std::invalid_argument& e) {
          throw InputErrors({{"platform cloud", 0, "", e.what()}});
        }
        return write_platform_file("platform cloud", *out, p);
      };
    });
  }
  // platform philly -o FILE
  {
    auto out = std::make_shared<std::string>();
    auto options = std::make_shared<PhillyPresetOptions>();
    auto* cmd = platform.add_subcommand(
        "philly", "write the Philly-like preset: 231x8 + 321x2 GPUs (2,490) in 15 virtual clusters (prop vc)");
    add_fabric_options(*cmd, options->fabric);
    cmd->add_option("-o,--output", *out, "output XML file")->required();
    cmd->callback([out, options, &action]() {
      action = [out, options]() { return write_platform_file("platform philly", *out, philly_platform(*options)); };
    });
  }
  // platform helios -o FILE [--vc-config vc_config.csv] [--gpu-model M]
  {
    auto out = std::make_shared<std::string>();
    auto options = std::make_shared<HeliosPresetOptions>();
    auto* cmd = platform.add_subcommand(
        "helios", "write the Helios Venus-like preset: 8-GPU V100 servers, node counts per virtual cluster");
    cmd->add_option("--vc-config", options->vc_config,
                    "VC node counts (Lucid/Helios vc_config.csv: ,num); default: the built-in Venus table");
    cmd->add_option("--gpu-model", options->gpu_model, "GPU model of every server")->capture_default_str();
    add_fabric_options(*cmd, options->fabric);
    cmd->add_option("-o,--output", *out, "output XML file")->required();
    cmd->callback([out, options, &action]() {
      action = [out, options]() {
        ServerPlatform p;
        try {
          p = helios_platform(*options);  // a bad --vc-config file throws InputErrors with lines
        } catch (const std::invalid_argument& e) {
          throw InputErrors({{"platform helios", 0, "--gpu-model", e.what()}});
        }
        return write_platform_file("platform helios", *out, p);
      };
    });
  }
}

}  // namespace

void add_platform_command(CLI::App& app, std::function<int()>& action) {
  auto* platform = app.add_subcommand("platform", "generate or describe SimGrid platforms");
  platform->require_subcommand(1);

  auto info_file = std::make_shared<std::string>();
  auto* info = platform->add_subcommand("info", "counts by kind and GPU model, topology components");
  info->add_option("file", *info_file, "platform XML")->required();
  info->callback([info_file, &action]() {
    action = [info_file]() {
      auto& engine = make_simgrid_engine(false);
      Cluster cluster = load_cluster(engine, *info_file);
      fmt::print("{}", describe_cluster(cluster));
      return 0;
    };
  });

  auto options = std::make_shared<FatTreeOptions>();
  auto out = std::make_shared<std::string>();
  auto* fat_tree = platform->add_subcommand("fat-tree", "write a fat-tree platform of GPU servers");
  fat_tree->add_option("--servers", options->servers, "number of servers")->required();
  fat_tree->add_option("--gpus-per-server", options->gpus_per_server, "GPUs per server")->required();
  fat_tree->add_option("--gpu-model", options->gpu_model, "GPU model (see docs/platforms.md, GPU models)")->required();
  fat_tree->add_option("--servers-per-rack", options->servers_per_rack, "servers under one leaf switch");
  fat_tree->add_option("--oversubscription", options->uplink_oversubscription,
                       "leaf uplink = servers in the rack x NIC / this (1 = non-blocking)")
      ->check(CLI::Range(1.0, 1024.0));
  fat_tree->add_option("--cores-per-server", options->cores_per_server, "CPU cores per server");
  fat_tree->add_flag("--no-storage{false}", options->storage, "without the shared storage host storage-0");
  fat_tree->add_option("--layout", options->layout,
                       "zones: per-server (least memory) or per-rack (loads ~4x faster past 20,000 GPUs)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, ZoneLayout>{{"per-server", ZoneLayout::PerServer}, {"per-rack", ZoneLayout::PerRack}}));
  fat_tree->add_option("-o,--output", *out, "output XML file")->required();
  fat_tree->callback([options, out, &action]() {
    action = [options, out]() {
      AtomicFile file(*out);
      try {
        write_fat_tree_platform(*options, file.stream());
      } catch (const std::invalid_argument& e) {
        throw InputErrors({{"platform fat-tree", 0, "", e.what()}});
      }
      file.commit();
      fmt::print("wrote {} ({} servers x {} {} GPUs)\n", *out, options->servers, options->gpus_per_server,
                 options->gpu_model);
      return 0;
    };
  });

  add_cluster_platform_commands(*platform, action);
}

}  // namespace aidcsim::cli
