#include <fmt/format.h>

#include <fstream>

#include "models/platform/fat_tree.hpp"
#include "sim/cli/commands.hpp"
#include "sim/errors.hpp"
#include "sim/outputs.hpp"
#include "sim/platform_loader.hpp"
#include "sim/run.hpp"

namespace aidcsim::cli {

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
  fat_tree->add_option("--gpu-model", options->gpu_model, "GPU model (see the README's table)")->required();
  fat_tree->add_option("--servers-per-rack", options->servers_per_rack, "servers under one leaf switch");
  fat_tree->add_option("--cores-per-server", options->cores_per_server, "CPU cores per server");
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
}

}  // namespace aidcsim::cli
