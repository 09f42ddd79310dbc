// Pure-XML tests of the GPU model table and the fat-tree platform generator (no SimGrid engine).
#include "models/platform/fat_tree.hpp"
#include "models/platform/gpu_models.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

namespace {

using aidcsim::FatTreeOptions;

std::size_t count(const std::string& text, const std::string& needle)
{
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size()))
    ++n;
  return n;
}

std::string generate(const FatTreeOptions& o)
{
  std::ostringstream out;
  aidcsim::write_fat_tree_platform(o, out);
  return out.str();
}

// Message of the invalid_argument thrown by validation, or "" when nothing is thrown.
std::string validation_error(const FatTreeOptions& o)
{
  try {
    aidcsim::validate_fat_tree_options(o);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

FatTreeOptions three_racks()
{
  FatTreeOptions o;
  o.servers = 20;
  o.gpus_per_server = 4;
  o.servers_per_rack = 8; // racks of 8, 8 and 4 servers
  return o;
}

TEST(GpuModels, RequiredModelsArePresent)
{
  for (const char* name :
       {"A100-40GB", "A100-80GB", "H100-80GB", "A30-24GB", "V100M16", "V100M32", "P100", "T4", "A10", "G2", "G3", "L4"})
    EXPECT_NE(aidcsim::find_gpu_model(name), nullptr) << name;
}

TEST(GpuModels, LookupReturnsDatasheetFigures)
{
  const auto* a100 = aidcsim::find_gpu_model("A100-80GB");
  ASSERT_NE(a100, nullptr);
  EXPECT_EQ(a100->name, "A100-80GB");
  EXPECT_DOUBLE_EQ(a100->speed_flops, 312e12);
  EXPECT_DOUBLE_EQ(a100->memory_bytes, 80.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(a100->max_w, 400);
  EXPECT_TRUE(a100->mig_capable);
  EXPECT_FALSE(aidcsim::find_gpu_model("T4")->mig_capable);
  EXPECT_GT(aidcsim::find_gpu_model("H100-80GB")->speed_flops, a100->speed_flops);
}

TEST(GpuModels, UnknownAndWrongCaseNamesAreNotFound)
{
  EXPECT_EQ(aidcsim::find_gpu_model("B200"), nullptr);
  EXPECT_EQ(aidcsim::find_gpu_model("a100-80gb"), nullptr);
  EXPECT_EQ(aidcsim::find_gpu_model(""), nullptr);
}

TEST(GpuModels, EveryEntryIsConsistent)
{
  const auto names = aidcsim::gpu_model_names();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size()) << "duplicate names";
  for (const auto& name : names) {
    const auto* m = aidcsim::find_gpu_model(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_GT(m->speed_flops, 1e12) << name;
    EXPECT_GT(m->memory_bytes, 1e9) << name;
    EXPECT_GT(m->idle_w, 0) << name;
    EXPECT_LT(m->idle_w, m->max_w) << name;
    EXPECT_GT(m->pcie_bw_Bps, 0) << name;
    EXPECT_GE(m->nvlink_bw_Bps, 0) << name;
    EXPECT_FALSE(m->source.empty()) << name;
  }
}

TEST(GpuModels, UndisclosedAlibabaCodesStateTheirAssumption)
{
  for (const char* name : {"G2", "G3"})
    EXPECT_NE(aidcsim::find_gpu_model(name)->source.find("ASSUMPTION"), std::string::npos) << name;
}

TEST(FatTreeOptions, DefaultsAreValid) { EXPECT_EQ(validation_error(FatTreeOptions{}), ""); }

TEST(FatTreeOptions, UnknownGpuModelListsTheKnownOnes)
{
  FatTreeOptions o;
  o.gpu_model = "B200";
  const auto msg = validation_error(o);
  EXPECT_NE(msg.find("gpu_model"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'B200'"), std::string::npos) << msg;
  for (const auto& name : aidcsim::gpu_model_names())
    EXPECT_NE(msg.find(name), std::string::npos) << name << " missing from: " << msg;
}

TEST(FatTreeOptions, EachBadFieldIsNamed)
{
  const std::pair<std::string, void (*)(FatTreeOptions&)> cases[] = {
      {"servers", [](FatTreeOptions& o) { o.servers = 0; }},
      {"gpus_per_server", [](FatTreeOptions& o) { o.gpus_per_server = 0; }},
      {"gpus_per_server", [](FatTreeOptions& o) { o.gpus_per_server = 65; }},
      {"servers_per_rack", [](FatTreeOptions& o) { o.servers_per_rack = -1; }},
      {"cores_per_server", [](FatTreeOptions& o) { o.cores_per_server = 0; }},
      {"core_speed_flops", [](FatTreeOptions& o) { o.core_speed_flops = 0; }},
      {"server_memory", [](FatTreeOptions& o) { o.server_memory = "lots"; }},
      {"server_memory", [](FatTreeOptions& o) { o.server_memory = "512GiB\"/><evil"; }},
      {"server_max_w", [](FatTreeOptions& o) { o.server_max_w = o.server_idle_w - 1; }},
      {"nic_bw_Bps", [](FatTreeOptions& o) { o.nic_bw_Bps = -25e9; }},
      {"nic_bw_Bps", [](FatTreeOptions& o) { o.nic_bw_Bps = std::numeric_limits<double>::quiet_NaN(); }},
      {"uplink_oversubscription", [](FatTreeOptions& o) { o.uplink_oversubscription = 0; }},
      {"nvlink_latency_s", [](FatTreeOptions& o) { o.nvlink_latency_s = -1e-6; }},
      {"storage_disk_read_bw_Bps", [](FatTreeOptions& o) { o.storage_disk_read_bw_Bps = 0; }},
  };
  for (const auto& [field, breaker] : cases) {
    FatTreeOptions o;
    breaker(o);
    const auto msg = validation_error(o);
    EXPECT_NE(msg.find("FatTreeOptions." + field + ":"), std::string::npos) << field << " -> '" << msg << "'";
  }
}

TEST(FatTreeOptions, StorageFieldsAreIgnoredWithoutStorage)
{
  FatTreeOptions o;
  o.storage = false;
  o.storage_disk_read_bw_Bps = 0;
  EXPECT_EQ(validation_error(o), "");
}

TEST(FatTreeXml, WriterRejectsBadOptions)
{
  FatTreeOptions o;
  o.gpu_model = "nope";
  std::ostringstream out;
  EXPECT_THROW(aidcsim::write_fat_tree_platform(o, out), std::invalid_argument);
  EXPECT_TRUE(out.str().empty()) << "nothing may be written before validation";
}

TEST(FatTreeXml, CountsMatchTheOptions)
{
  const auto xml = generate(three_racks());
  EXPECT_EQ(count(xml, "<prop id=\"kind\" value=\"gpu\"/>"), 80u);
  EXPECT_EQ(count(xml, "<prop id=\"kind\" value=\"server\"/>"), 20u);
  EXPECT_EQ(count(xml, "<prop id=\"kind\" value=\"storage\"/>"), 1u);
  EXPECT_EQ(count(xml, "<disk id=\"storage-0-disk\""), 1u);
  EXPECT_EQ(count(xml, "<zone id=\"z-rack-"), 3u);
  EXPECT_EQ(count(xml, "<zone id=\"z-srv-"), 20u);
  EXPECT_EQ(count(xml, "<router id=\"leaf-"), 3u);
  EXPECT_EQ(count(xml, "-uplink\" bandwidth="), 3u);
  EXPECT_EQ(count(xml, "-nvlink\" bandwidth=\"300GBps\""), 80u);
  EXPECT_EQ(count(xml, "-pcie\" bandwidth=\"32GBps\""), 80u);
  // Per server: one GPU->server route per GPU and one route per GPU pair (4 + 6).
  EXPECT_EQ(count(xml, "<route "), 20u * (4 + 6));
  EXPECT_EQ(count(xml, "<zone "), count(xml, "</zone>"));
  EXPECT_EQ(count(xml, "<platform version=\"4.1\">"), 1u);
}

TEST(FatTreeXml, GpuHostsCarryTheRequiredProps)
{
  const auto xml = generate(three_racks());
  EXPECT_NE(xml.find("<host id=\"srv-00019-gpu-3\" speed=\"312Tf\">\n"
                     "        <prop id=\"kind\" value=\"gpu\"/>\n"
                     "        <prop id=\"server\" value=\"srv-00019\"/>\n"
                     "        <prop id=\"gpu_model\" value=\"A100-80GB\"/>\n"
                     "        <prop id=\"gpu_memory\" value=\"80GiB\"/>\n"
                     "        <prop id=\"wattage_per_state\" value=\"55:400\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<host id=\"srv-00000\" speed=\"40Gf\" core=\"64\">"), std::string::npos);
  EXPECT_NE(xml.find("<prop id=\"memory\" value=\"1TiB\"/>"), std::string::npos);
}

TEST(FatTreeXml, UplinksFollowRackSizeAndOversubscription)
{
  auto o = three_racks();
  o.uplink_oversubscription = 2;
  const auto xml = generate(o);
  EXPECT_NE(xml.find("<link id=\"rack-000-uplink\" bandwidth=\"100GBps\""), std::string::npos); // 8*25/2
  EXPECT_NE(xml.find("<link id=\"rack-002-uplink\" bandwidth=\"50GBps\""), std::string::npos);  // 4*25/2
}

TEST(FatTreeXml, GpusWithoutNvlinkTalkOverPcie)
{
  auto o = three_racks();
  o.gpu_model = "T4";
  const auto xml = generate(o);
  EXPECT_EQ(count(xml, "nvlink"), 0u);
  EXPECT_NE(xml.find("<route src=\"srv-00000-gpu-0\" dst=\"srv-00000-gpu-1\">"
                     "<link_ctn id=\"srv-00000-gpu-0-pcie\" direction=\"UP\"/>"
                     "<link_ctn id=\"srv-00000-gpu-1-pcie\" direction=\"DOWN\"/></route>"),
            std::string::npos);
}

TEST(FatTreeXml, IdsAreZeroPaddedInDeclarationOrder)
{
  auto o = three_racks();
  o.gpus_per_server = 12;
  const auto xml = generate(o);
  EXPECT_NE(xml.find("<host id=\"srv-00000-gpu-00\""), std::string::npos);
  EXPECT_NE(xml.find("<host id=\"srv-00019-gpu-11\""), std::string::npos);
  // Host declarations appear in lexicographic order of their ids.
  std::string previous;
  for (auto pos = xml.find("<host id=\""); pos != std::string::npos; pos = xml.find("<host id=\"", pos + 1)) {
    const auto start = pos + 10;
    const auto id = xml.substr(start, xml.find('"', start) - start);
    EXPECT_LT(previous, id);
    previous = id;
  }
  EXPECT_EQ(previous, "storage-0");
}

TEST(FatTreeXml, LinksPrecedeRackZonesInTheRootZone)
{
  // Loading speed depends on this (see fat_tree.cpp), and the root must open with a zone.
  const auto xml = generate(three_racks());
  const auto root = xml.find("<zone id=\"aidc\"");
  EXPECT_EQ(xml.find("<", root + 1), xml.find("<zone id=\"z-spine\""));
  EXPECT_LT(xml.rfind("<link id="), xml.find("<zone id=\"z-rack-000\""));
}

TEST(FatTreeXml, PerRackLayoutHasTheSameHostsWithoutServerZones)
{
  auto o = three_racks();
  o.layout = aidcsim::ZoneLayout::PerRack;
  const auto xml = generate(o);
  EXPECT_EQ(count(xml, "<prop id=\"kind\" value=\"gpu\"/>"), 80u);
  EXPECT_EQ(count(xml, "<zone id=\"z-srv-"), 0u);
  EXPECT_EQ(count(xml, "<zoneRoute src=\"z-srv-"), 0u);
  // Server->leaf routes become plain routes inside the rack zone.
  EXPECT_EQ(count(xml, "<route "), 20u * (4 + 6 + 1));
  // Inside a leaf zone every host must come before the first route (DTD).
  const auto rack = xml.find("<zone id=\"z-rack-000\"");
  EXPECT_LT(xml.find("<host id=\"srv-00007-gpu-3\"", rack), xml.find("<route ", rack));
}

TEST(FatTreeXml, StorageCanBeLeftOut)
{
  auto o = three_racks();
  o.storage = false;
  const auto xml = generate(o);
  EXPECT_EQ(xml.find("storage-0"), std::string::npos);
  EXPECT_EQ(xml.find("value=\"storage\""), std::string::npos);
}

TEST(FatTreeXml, OutputIsDeterministic)
{
  EXPECT_EQ(generate(three_racks()), generate(three_racks()));
}

TEST(QuickstartPlatform, DescribesTwoEightGpuA100Servers)
{
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "platforms" /
                    "quickstart.xml";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot open " << path;
  const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(count(xml, "<prop id=\"kind\" value=\"server\"/>"), 2u);
  EXPECT_EQ(count(xml, "<prop id=\"kind\" value=\"gpu\"/>"), 16u);
  EXPECT_EQ(count(xml, "<prop id=\"gpu_model\" value=\"A100-80GB\"/>"), 16u);
  EXPECT_EQ(count(xml, "-nvlink\" bandwidth="), 16u);
  EXPECT_EQ(count(xml, "-pcie\" bandwidth="), 16u);
  EXPECT_EQ(count(xml, "<prop id=\"kind\" value=\"storage\"/>"), 1u);
  EXPECT_EQ(count(xml, "<disk "), 1u);
  EXPECT_EQ(count(xml, "<router id=\"leaf-000\"/>"), 1u);
}

} // namespace
