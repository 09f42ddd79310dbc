// Platforms of real clusters (models/platform/cluster_presets.hpp), checked on the generated XML
// without a SimGrid engine: the OpenB node lists of ../shared/traces (counts per GPU model as published
// in openb/SOURCE.md), node-list errors with file, line and column, the Philly-like and Helios
// Venus-like presets, and the committed platforms/helios-venus.xml.
#include "models/platform/cluster_presets.hpp"
#include "models/platform/fat_tree.hpp"
#include "models/platform/gpu_models.hpp"
#include "sim/core/errors.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace aidcsim;

namespace {

fs::path repo_root() { return fs::absolute(fs::path(__FILE__)).parent_path().parent_path().parent_path(); }
fs::path shared_traces() { return (repo_root() / ".." / "shared" / "traces").lexically_normal(); }
fs::path all_nodes() { return shared_traces() / "openb" / "openb_node_list_all_node.csv"; }
fs::path gpu_nodes() { return shared_traces() / "openb" / "openb_node_list_gpu_node.csv"; }

std::string xml_of(const ServerPlatform& p) {
  std::ostringstream out;
  write_server_platform(p, out);
  return out.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

std::string attribute(const std::string& line, const std::string& name) {
  auto at = line.find(name + "=\"");
  if (at == std::string::npos) return "";
  at += name.size() + 2;
  return line.substr(at, line.find('"', at) - at);
}

// What the XML says, read line by line the way the writer lays it out (one element per line).
struct XmlFigures {
  struct PerModel {
    std::set<std::string> servers;
    long long gpus = 0;
  };
  std::map<std::string, PerModel> by_model;  // GPU model -> servers holding it, GPU count
  std::map<std::string, std::string> server_vc;
  std::map<std::string, std::string> server_memory;
  std::map<std::string, int> server_cores;
  std::vector<std::string> server_order;
  long long gpu_hosts = 0;
};

XmlFigures figures(const std::string& xml) {
  XmlFigures f;
  std::istringstream in(xml);
  std::string line, host, kind, server, core;
  while (std::getline(in, line)) {
    if (line.find("<host ") != std::string::npos) {
      host = attribute(line, "id");
      core = attribute(line, "core");
      kind.clear();
      server.clear();
    } else if (line.find("<prop id=\"kind\"") != std::string::npos) {
      kind = attribute(line, "value");
      if (kind == "server") {
        f.server_order.push_back(host);
        f.server_cores[host] = std::stoi(core);
      }
      if (kind == "gpu") ++f.gpu_hosts;
    } else if (line.find("<prop id=\"server\"") != std::string::npos) {
      server = attribute(line, "value");
    } else if (line.find("<prop id=\"gpu_model\"") != std::string::npos && kind == "gpu") {
      auto& m = f.by_model[attribute(line, "value")];
      m.servers.insert(server);
      ++m.gpus;
    } else if (line.find("<prop id=\"vc\"") != std::string::npos && kind == "server") {
      f.server_vc[host] = attribute(line, "value");
    } else if (line.find("<prop id=\"memory\"") != std::string::npos && kind == "server") {
      f.server_memory[host] = attribute(line, "value");
    }
  }
  return f;
}

// Writes `text` to a fresh temporary file and returns its path.
class TempFile {
 public:
  explicit TempFile(const std::string& text, const std::string& name = "nodes.csv") {
    static int serial = 0;
    path_ = fs::temp_directory_path() /
            ("aidcsim_presets_" + std::to_string(getpid()) + "_" + std::to_string(serial++) + "_" + name);
    std::ofstream(path_) << text;
  }
  ~TempFile() { fs::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// The problems thrown for a node list; fails the test when nothing is thrown.
std::vector<InputProblem> node_list_problems(const std::string& text) {
  TempFile file(text);
  try {
    read_openb_node_list(file.path());
  } catch (const InputErrors& e) {
    return e.problems();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {};
}

const char* kHeader = "sn,cpu_milli,memory_mib,gpu,model\n";

const std::map<std::string, std::pair<std::size_t, long long>> kOpenbModels{
    // openb/SOURCE.md: GPU nodes by model (nodes / GPUs)
    {"G2", {549, 4392}}, {"T4", {404, 842}},    {"P100", {134, 265}}, {"V100M16", {55, 195}},
    {"G3", {39, 312}},   {"V100M32", {30, 204}}, {"A10", {2, 2}}};

void expect_openb_models(const XmlFigures& f) {
  ASSERT_EQ(f.by_model.size(), kOpenbModels.size());
  for (const auto& [model, expected] : kOpenbModels) {
    ASSERT_TRUE(f.by_model.count(model)) << model;
    EXPECT_EQ(f.by_model.at(model).servers.size(), expected.first) << model << " nodes";
    EXPECT_EQ(f.by_model.at(model).gpus, expected.second) << model << " GPUs";
  }
  EXPECT_EQ(f.gpu_hosts, 6212);
}

}  // namespace

// ---- OpenB node lists as published ----

TEST(OpenbNodeList, AllNodeListHas1523NodesOf310CpuOnly) {
  auto nodes = read_openb_node_list(all_nodes().string());
  ASSERT_EQ(nodes.size(), 1523u);
  std::size_t cpu_only = 0;
  long long gpus = 0;
  for (const auto& n : nodes) {
    cpu_only += n.gpus == 0 ? 1 : 0;
    gpus += n.gpus;
    if (n.gpus == 0) {
      EXPECT_TRUE(n.model.empty()) << n.sn;
    }
    EXPECT_TRUE(n.gpus == 0 || n.gpus == 1 || n.gpus == 2 || n.gpus == 4 || n.gpus == 8) << n.sn;
    EXPECT_EQ(n.cpu_milli % 1000, 0) << n.sn << ": the published lists have whole cores only";
  }
  EXPECT_EQ(cpu_only, 310u);
  EXPECT_EQ(gpus, 6212);
  EXPECT_EQ(nodes.front().sn, "openb-node-0000");
  EXPECT_EQ(nodes.front().line, 2);
}

TEST(OpenbNodeList, GpuNodeListPlatformHasThePublishedCountsPerModel) {
  auto nodes = read_openb_node_list(gpu_nodes().string());
  ASSERT_EQ(nodes.size(), 1213u);
  const std::string xml = xml_of(openb_platform(nodes, gpu_nodes().string(), OpenbPlatformOptions{}));
  XmlFigures f = figures(xml);
  expect_openb_models(f);
  ASSERT_EQ(f.server_order.size(), 1213u);
  long long cores = 0;
  for (const auto& [id, c] : f.server_cores) cores += c;
  EXPECT_EQ(cores, 107018);  // SOURCE.md: 107,018 CPU cores (cpu_milli 107,018,000)
}

TEST(OpenbNodeList, AllNodePlatformKeepsSnAsHostIdAndDeclaresCpuAndMemory) {
  auto nodes = read_openb_node_list(all_nodes().string());
  const std::string xml = xml_of(openb_platform(nodes, all_nodes().string(), OpenbPlatformOptions{}));
  XmlFigures f = figures(xml);
  expect_openb_models(f);
  ASSERT_EQ(f.server_order.size(), 1523u);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    ASSERT_EQ(f.server_order[i], nodes[i].sn);  // host id = sn, in file order
    EXPECT_EQ(f.server_cores[nodes[i].sn], nodes[i].cpu_milli / 1000) << nodes[i].sn;
    EXPECT_EQ(f.server_memory[nodes[i].sn], openb_memory(nodes[i].memory_mib)) << nodes[i].sn;
  }
  // First node of the list: 32 cores, 262,144 MiB, no GPU.
  EXPECT_NE(xml.find("<host id=\"openb-node-0000\" speed=\"40Gf\" core=\"32\">"), std::string::npos);
  EXPECT_NE(xml.find("<prop id=\"memory\" value=\"256GiB\"/>"), std::string::npos);
  // GPU hosts are <sn>-gpu-<g>, one digit (8 GPUs at most).
  EXPECT_NE(xml.find("<prop id=\"server\" value=\"openb-node-1522\"/>"), std::string::npos);
  EXPECT_EQ(count(xml, "<prop id=\"kind\" value=\"server\"/>"), 1523u);
  EXPECT_EQ(count(xml, "<prop id=\"kind\" value=\"storage\"/>"), 1u);
  // Default layout: hosts straight in the rack zones (per-rack), racks of 16.
  EXPECT_EQ(count(xml, "<zone id=\"z-rack-"), 96u);
  EXPECT_EQ(count(xml, "<zone id=\"z-openb-node-"), 0u);
  EXPECT_EQ(count(xml, "<zone "), count(xml, "</zone>"));
}

TEST(OpenbNodeList, GpuSpeedMemoryAndLinksComeFromTheGpuTable) {
  auto nodes = read_openb_node_list(gpu_nodes().string());
  const std::string xml = xml_of(openb_platform(nodes, gpu_nodes().string(), OpenbPlatformOptions{}));
  for (const auto& [model, expected] : kOpenbModels) {
    const GpuModelInfo* info = find_gpu_model(model);
    ASSERT_NE(info, nullptr) << model;
    EXPECT_FALSE(info->source.empty()) << model;
    const std::string prop = "<prop id=\"gpu_model\" value=\"" + model + "\"/>";
    EXPECT_EQ(count(xml, prop), static_cast<std::size_t>(expected.second)) << model;
  }
  // T4: 65 TFLOPS, 16 GiB, PCIe Gen3, no NVLink; G2 (assumed A100-40GB class): NVLink.
  EXPECT_EQ(count(xml, "<prop id=\"gpu_memory\" value=\"16GiB\"/>"), 842u + 265u + 195u);
  EXPECT_EQ(count(xml, "-nvlink\" bandwidth=\"300GBps\""), 4392u + 312u);
  EXPECT_EQ(count(xml, "-nvlink\" bandwidth=\"150GBps\""), 195u + 204u);
  EXPECT_EQ(count(xml, "-pcie\" bandwidth="), 6212u);
  EXPECT_NE(find_gpu_model("G2")->source.find("ASSUMPTION"), std::string::npos);
  EXPECT_NE(find_gpu_model("G3")->source.find("ASSUMPTION"), std::string::npos);
}

TEST(OpenbNodeList, GpuModelOverrideMakesEveryGpuThatModelAndKeepsTheListedOne) {
  auto nodes = read_openb_node_list(all_nodes().string());
  OpenbPlatformOptions o;
  o.gpu_model_override = "A100-80GB";
  const std::string xml = xml_of(openb_platform(nodes, all_nodes().string(), o));
  XmlFigures f = figures(xml);
  ASSERT_EQ(f.by_model.size(), 1u);
  EXPECT_EQ(f.by_model["A100-80GB"].gpus, 6212);
  EXPECT_EQ(f.by_model["A100-80GB"].servers.size(), 1213u);
  EXPECT_EQ(count(xml, "<prop id=\"trace_gpu_model\" value=\"G2\"/>"), 549u);
  EXPECT_EQ(count(xml, "<prop id=\"trace_gpu_model\""), 1213u);
  o.gpu_model_override = "B200";
  EXPECT_THROW(openb_platform(nodes, all_nodes().string(), o), std::invalid_argument);
}

TEST(OpenbNodeList, CoresRoundToNearestWholeCoreAtLeastOne) {
  EXPECT_EQ(openb_cores(32000), 32);
  EXPECT_EQ(openb_cores(1499), 1);
  EXPECT_EQ(openb_cores(1500), 2);
  EXPECT_EQ(openb_cores(400), 1);
  EXPECT_EQ(openb_cores(95600), 96);
  EXPECT_EQ(openb_memory(262144), "256GiB");
  EXPECT_EQ(openb_memory(1000), "1000MiB");
}

// ---- Node-list errors ----

TEST(OpenbNodeListErrors, MalformedRowsAreReportedWithLineAndColumn) {
  const std::string text = std::string(kHeader) +
                           "n-0,32000,262144,0,\n"      // line 2: fine
                           "n-1,abc,262144,2,T4\n"      // line 3: cpu_milli not a number
                           "n-2,32000,-5,2,T4\n"        // line 4: negative memory
                           "n-3,32000,262144,2,\n"      // line 5: GPUs without a model
                           "n-4,32000,262144,2,H200\n"  // line 6: unknown model
                           "n-0,32000,262144,0,\n"      // line 7: duplicate sn
                           "n-5,32000,262144\n"         // line 8: too few fields
                           "n-6,32000,262144,0,T4\n"    // line 9: a model on a CPU-only node
                           "n-7,32000,262144,3.5,T4\n"  // line 10: fractional GPU count
                           ",32000,262144,1,T4\n"       // line 11: empty sn
                           "spine,32000,262144,1,T4\n"  // line 12: reserved name
                           "n-8,0,262144,1,T4\n";       // line 13: zero CPU
  auto problems = node_list_problems(text);
  std::map<int, InputProblem> by_line;
  for (const auto& p : problems) by_line[p.line] = p;
  ASSERT_EQ(problems.size(), 11u) << InputErrors(problems).what();  // lines 3..13
  auto expect = [&](int line, const std::string& where, const std::string& fragment) {
    ASSERT_TRUE(by_line.count(line)) << "no problem on line " << line;
    const InputProblem& p = by_line[line];
    EXPECT_EQ(p.where, where) << "line " << line;
    EXPECT_NE(p.what.find(fragment), std::string::npos) << "line " << line << ": " << p.what;
    EXPECT_NE(p.format().find(":" + std::to_string(line) + ": "), std::string::npos) << p.format();
  };
  expect(3, "cpu_milli", "found \"abc\"");
  expect(4, "memory_mib", "found \"-5\"");
  expect(5, "model", "expected a GPU model");
  expect(6, "model", "found \"H200\"");
  expect(6, "model", "G2");  // lists the known models
  expect(7, "sn", "duplicate node \"n-0\" (first on line 2)");
  expect(8, "", "row has 3 fields, expected 5");
  expect(9, "model", "0 GPUs");
  expect(10, "gpu", "found \"3.5\"");
  expect(11, "sn", "empty value");
  expect(12, "sn", "found \"spine\"");
  expect(13, "cpu_milli", "found \"0\"");
  for (const auto& p : problems) EXPECT_NE(p.file.find("nodes.csv"), std::string::npos) << p.file;
}

TEST(OpenbNodeListErrors, CpuNodesMayWriteNaNAsModel) {
  TempFile file(std::string(kHeader) + "n-0,8000,65536,0,NaN\nn-1,8000,65536,1,A10\n");
  auto nodes = read_openb_node_list(file.path());
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].model, "");
  EXPECT_EQ(nodes[1].model, "A10");
}

TEST(OpenbNodeListErrors, WrongHeaderIsOneErrorNamingTheColumns) {
  auto problems = node_list_problems("name,cpu_milli,memory_mib,num_gpu,gpu_milli\nx,1,1,1,1000\nx,1,1,1,1000\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 1);
  EXPECT_NE(problems[0].what.find("sn, cpu_milli, memory_mib, gpu, model"), std::string::npos) << problems[0].what;
}

TEST(OpenbNodeListErrors, EmptyAndMissingFilesAreErrors) {
  auto problems = node_list_problems("");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].what.find("empty file"), std::string::npos);
  problems = node_list_problems(kHeader);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].what.find("no node rows"), std::string::npos);
  try {
    read_openb_node_list("/nonexistent/nodes.csv");
    ADD_FAILURE() << "no error for a missing file";
  } catch (const InputErrors& e) {
    EXPECT_NE(std::string(e.what()).find("not found"), std::string::npos);
  }
}

// ---- The generic writer's own checks ----

TEST(ServerPlatform, WriterRejectsCollidingOrReservedIds) {
  ServerPlatform p;
  ServerSpec a;
  a.id = "node-a";
  a.gpus = 2;
  a.gpu_model = "T4";
  ServerSpec b = a;
  b.id = "node-a-gpu-1";  // the first server's second GPU
  p.servers = {a, b};
  EXPECT_THROW(validate_server_platform(p), std::invalid_argument);
  p.servers = {a, a};
  EXPECT_THROW(validate_server_platform(p), std::invalid_argument);
  b.id = "leaf-001";
  p.servers = {a, b};
  EXPECT_THROW(validate_server_platform(p), std::invalid_argument);
  b.id = "node b";
  p.servers = {b};
  EXPECT_THROW(validate_server_platform(p), std::invalid_argument);
  b.id = "node-b";
  b.gpu_model = "nope";
  p.servers = {b};
  EXPECT_THROW(validate_server_platform(p), std::invalid_argument);
  p.servers.clear();
  EXPECT_THROW(validate_server_platform(p), std::invalid_argument);
  p.servers = {a};
  std::ostringstream out;
  EXPECT_NO_THROW(write_server_platform(p, out));
  EXPECT_NE(out.str().find("<host id=\"node-a-gpu-1\""), std::string::npos);
}

TEST(ServerPlatform, UniformServersWriteTheSameXmlAsTheFatTree) {
  FatTreeOptions o;
  o.servers = 20;
  o.gpus_per_server = 4;
  o.servers_per_rack = 8;
  std::ostringstream fat;
  write_fat_tree_platform(o, fat);
  ServerPlatform p;
  p.fabric = o;
  for (int s = 0; s < o.servers; ++s) {
    ServerSpec spec;
    spec.id = "srv-" + std::string(s < 10 ? "0000" : "000") + std::to_string(s);
    spec.cores = o.cores_per_server;
    spec.memory = o.server_memory;
    spec.gpus = o.gpus_per_server;
    spec.gpu_model = o.gpu_model;
    p.servers.push_back(spec);
  }
  const std::string generic = xml_of(p);
  // Everything after the header comment is identical.
  auto body = [](const std::string& xml) { return xml.substr(xml.find("<zone id=\"aidc\"")); };
  EXPECT_EQ(body(generic), body(fat.str()));
}

// ---- Presets ----

TEST(PhillyPreset, Has231EightGpuAnd321TwoGpuServersIn15VirtualClusters) {
  const std::string xml = xml_of(philly_platform(PhillyPresetOptions{}));
  XmlFigures f = figures(xml);
  ASSERT_EQ(f.server_order.size(), 552u);
  EXPECT_EQ(f.gpu_hosts, 2490);
  ASSERT_EQ(f.by_model.size(), 2u);
  EXPECT_EQ(f.by_model["P40"].servers.size(), 231u);
  EXPECT_EQ(f.by_model["P40"].gpus, 1848);
  EXPECT_EQ(f.by_model["P100-12GB"].servers.size(), 321u);
  EXPECT_EQ(f.by_model["P100-12GB"].gpus, 642);
  EXPECT_EQ(count(xml, "<prop id=\"gpu_memory\" value=\"24GiB\"/>"), 1848u);
  EXPECT_EQ(count(xml, "<prop id=\"gpu_memory\" value=\"12GiB\"/>"), 642u);
  // Every server has a vc; the 15 VCs of philly.csv each get at least one server of each kind.
  ASSERT_EQ(f.server_vc.size(), 552u);
  std::map<std::string, std::pair<int, int>> per_vc;  // vc -> 8-GPU servers, 2-GPU servers
  for (const auto& [model, m] : f.by_model)
    for (const auto& srv : m.servers) (model == "P40" ? per_vc[f.server_vc[srv]].first : per_vc[f.server_vc[srv]].second)++;
  ASSERT_EQ(per_vc.size(), 15u);
  std::set<std::string> names;
  for (const auto& vc : philly_virtual_clusters()) names.insert(vc.name);
  for (const auto& [vc, n] : per_vc) {
    EXPECT_TRUE(names.count(vc)) << vc;
    EXPECT_GE(n.first, 1) << vc;
    EXPECT_GE(n.second, 1) << vc;
  }
  // The largest VC by GPU-hours (ee9e8c, 26% of them) gets the most servers.
  EXPECT_EQ(per_vc["ee9e8c"].first, 58);
  EXPECT_EQ(per_vc["ee9e8c"].second, 81);
  EXPECT_EQ(per_vc["925e2b"].first, 1);
  EXPECT_EQ(per_vc["925e2b"].second, 1);
  // No memory is declared (not published), so memory is no constraint.
  EXPECT_EQ(count(xml, "<prop id=\"memory\""), 0u);
}

TEST(PhillyPreset, GpuHoursTableSumsToThePublishedTotal) {
  double sum = 0;
  for (const auto& vc : philly_virtual_clusters()) sum += vc.weight;
  EXPECT_NEAR(sum, 978078.5, 1.0);  // philly/SOURCE.md: sum gpu_time 978,078.5 GPU-hours
  EXPECT_EQ(philly_virtual_clusters().size(), 15u);
}

TEST(HeliosPreset, VenusHas135EightGpuServersWithTheVcConfigCounts) {
  const std::string xml = xml_of(helios_platform(HeliosPresetOptions{}));
  XmlFigures f = figures(xml);
  ASSERT_EQ(f.server_order.size(), 135u);
  EXPECT_EQ(f.gpu_hosts, 1080);
  ASSERT_EQ(f.by_model.size(), 1u);
  EXPECT_EQ(f.by_model["V100M32"].gpus, 1080);
  std::map<std::string, int> per_vc;
  for (const auto& [srv, vc] : f.server_vc) ++per_vc[vc];
  // The published file and the built-in table agree.
  auto published = read_vc_config((shared_traces() / "helios-summary" / "vc_config.csv").string());
  ASSERT_EQ(published.size(), 15u);
  ASSERT_EQ(published.size(), helios_venus_virtual_clusters().size());
  for (std::size_t i = 0; i < published.size(); ++i) {
    EXPECT_EQ(published[i].name, helios_venus_virtual_clusters()[i].name);
    EXPECT_EQ(published[i].servers, helios_venus_virtual_clusters()[i].servers);
    EXPECT_EQ(per_vc[published[i].name], published[i].servers) << published[i].name;
  }
  EXPECT_EQ(per_vc["vcJsw"], 32);
}

TEST(HeliosPreset, GpuModelAndVcConfigCanBeChanged) {
  TempFile vc(",num\nvcA,2\nvcB,1\n", "vc_config.csv");
  HeliosPresetOptions o;
  o.vc_config = vc.path();
  o.gpu_model = "V100M16";
  XmlFigures f = figures(xml_of(helios_platform(o)));
  EXPECT_EQ(f.server_order.size(), 3u);
  EXPECT_EQ(f.by_model["V100M16"].gpus, 24);
  EXPECT_EQ(f.server_vc["venus-002"], "vcB");
  o.gpu_model = "B200";
  EXPECT_THROW(helios_platform(o), std::invalid_argument);
}

TEST(HeliosPreset, BrokenVcConfigRowsAreReportedWithLines) {
  TempFile vc(",num\nvcA,2\nvcA,1\nvcC,x\nvc D,1\nvcE\n", "vc_config.csv");
  try {
    read_vc_config(vc.path());
    ADD_FAILURE() << "no error";
  } catch (const InputErrors& e) {
    std::set<int> lines;
    for (const auto& p : e.problems()) lines.insert(p.line);
    EXPECT_EQ(lines, (std::set<int>{3, 4, 5, 6})) << e.what();
  }
}

TEST(CommittedPlatforms, HeliosVenusXmlIsThePresetOutput) {
  const fs::path path = repo_root() / "platforms" / "helios-venus.xml";
  ASSERT_TRUE(fs::exists(path)) << path;
  std::ifstream in(path);
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(committed.str(), xml_of(helios_platform(HeliosPresetOptions{})))
      << "regenerate with: build/aidcsim platform helios -o platforms/helios-venus.xml";
}
