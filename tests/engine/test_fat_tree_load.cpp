// Loads a generated 4-rack fat tree into a real SimGrid engine and checks the routes it resolves.
// One Engine per process: this file is its own test binary, and all tests share one engine.
// AIDCSIM_FAT_TREE_LAYOUT=per-rack checks ZoneLayout::PerRack instead of the default PerServer.
#include "models/platform/fat_tree.hpp"

#include <simgrid/s4u.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace sg4 = simgrid::s4u;

struct Route {
  std::vector<std::string> links;
  double latency_s = 0;
};

class FatTreeLoad : public ::testing::Test {
protected:
  static void SetUpTestSuite()
  {
    aidcsim::FatTreeOptions o;
    o.servers = 16;
    o.servers_per_rack = 4; // 4 racks
    o.gpus_per_server = 8;
    o.gpu_model = "A100-80GB";
    // Both layouts must resolve identical routes; CTest can run this binary once per layout.
    if (const char* layout = std::getenv("AIDCSIM_FAT_TREE_LAYOUT"); layout && std::string(layout) == "per-rack")
      o.layout = aidcsim::ZoneLayout::PerRack;
    layout_ = o.layout;
    path_ = std::filesystem::temp_directory_path() / ("aidcsim_fat_tree_" + std::to_string(getpid()) + ".xml");
    {
      std::ofstream out(path_);
      aidcsim::write_fat_tree_platform(o, out);
    }
    engine_ = new sg4::Engine("test_fat_tree_load");
    engine_->load_platform(path_.string());
    // SimGrid 3.32 seals (computes Floyd tables) lazily at run(); route queries need it done.
    engine_->seal_platform();
  }
  static void TearDownTestSuite() { std::filesystem::remove(path_); }

  static Route route(const std::string& src, const std::string& dst)
  {
    Route r;
    std::vector<sg4::Link*> links;
    sg4::Host::by_name(src)->route_to(sg4::Host::by_name(dst), links, &r.latency_s);
    for (const auto* l : links)
      r.links.push_back(l->get_name());
    return r;
  }

  static inline aidcsim::ZoneLayout layout_ = aidcsim::ZoneLayout::PerServer;
  static inline std::filesystem::path path_;
  static inline sg4::Engine* engine_ = nullptr; // lives until process exit, as SimGrid expects
};

using Links = std::vector<std::string>;

TEST_F(FatTreeLoad, AllHostsAreLoaded)
{
  EXPECT_EQ(engine_->get_host_count(), 16u * 9 + 1);
  EXPECT_STREQ(sg4::Host::by_name("srv-00003-gpu-7")->get_property("kind"), "gpu");
  EXPECT_STREQ(sg4::Host::by_name("srv-00003-gpu-7")->get_property("server"), "srv-00003");
  EXPECT_DOUBLE_EQ(sg4::Host::by_name("srv-00003-gpu-7")->get_speed(), 312e12);
  EXPECT_EQ(sg4::Host::by_name("srv-00003")->get_core_count(), 64);
  const bool server_zones = engine_->netpoint_by_name_or_null("z-srv-00003") != nullptr;
  EXPECT_EQ(server_zones, layout_ == aidcsim::ZoneLayout::PerServer);
}

TEST_F(FatTreeLoad, SameServerGpusUseNvlink)
{
  EXPECT_EQ(route("srv-00005-gpu-1", "srv-00005-gpu-6").links,
            (Links{"srv-00005-gpu-1-nvlink_UP", "srv-00005-gpu-6-nvlink_DOWN"}));
  EXPECT_EQ(route("srv-00005-gpu-6", "srv-00005-gpu-1").links,
            (Links{"srv-00005-gpu-6-nvlink_UP", "srv-00005-gpu-1-nvlink_DOWN"}));
}

TEST_F(FatTreeLoad, GpuToItsServerUsesPcie)
{
  EXPECT_EQ(route("srv-00005-gpu-2", "srv-00005").links, (Links{"srv-00005-gpu-2-pcie_UP"}));
  EXPECT_EQ(route("srv-00005", "srv-00005-gpu-2").links, (Links{"srv-00005-gpu-2-pcie_DOWN"}));
}

TEST_F(FatTreeLoad, SameRackRouteStaysBelowTheLeaf)
{
  EXPECT_EQ(route("srv-00004-gpu-0", "srv-00007-gpu-3").links,
            (Links{"srv-00004-gpu-0-pcie_UP", "srv-00004-nic_UP", "srv-00007-nic_DOWN", "srv-00007-gpu-3-pcie_DOWN"}));
}

TEST_F(FatTreeLoad, CrossRackRouteClimbsToTheSpine)
{
  const auto r = route("srv-00000-gpu-0", "srv-00015-gpu-7");
  ASSERT_FALSE(r.links.empty());
  EXPECT_EQ(r.links, (Links{"srv-00000-gpu-0-pcie_UP", "srv-00000-nic_UP", "rack-000-uplink_UP",
                            "rack-003-uplink_DOWN", "srv-00015-nic_DOWN", "srv-00015-gpu-7-pcie_DOWN"}));
  EXPECT_NEAR(r.latency_s, 6e-6, 1e-12); // pcie + nic + uplink, twice, 1 us each
}

TEST_F(FatTreeLoad, StorageIsReachableOverTheFabric)
{
  EXPECT_EQ(route("srv-00009-gpu-4", "storage-0").links,
            (Links{"srv-00009-gpu-4-pcie_UP", "srv-00009-nic_UP", "rack-002-uplink_UP", "storage-0-nic_DOWN"}));
  const auto disks = sg4::Host::by_name("storage-0")->get_disks();
  ASSERT_EQ(disks.size(), 1u);
  EXPECT_EQ(disks[0]->get_name(), "storage-0-disk");
  EXPECT_DOUBLE_EQ(disks[0]->get_read_bandwidth(), 50e9);
}

} // namespace
