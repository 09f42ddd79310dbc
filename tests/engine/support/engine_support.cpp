#include "tests/engine/support/engine_support.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/csv.hpp"

namespace aidcsim::testing {

std::string make_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("aidcsim-test-{}-{}", name, ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string small_platform_xml(int servers, int gpus_per_server, const std::string& model, double gpu_speed_flops,
                               int cores, const std::string& memory) {
  // SimGrid's DTD wants every host of a zone before its links, and the links before the routes.
  std::string hosts, links, routes;
  for (int s = 0; s < servers; ++s) {
    hosts += fmt::format(R"(  <host id="srv{}" speed="1Gf" core="{}"><prop id="kind" value="server"/><prop id="memory" value="{}"/></host>
)", s, cores, memory);
    links += fmt::format(R"(  <link id="nic{}" bandwidth="25GBps" latency="1us"/>
)", s);
    for (int g = 0; g < gpus_per_server; ++g) {
      hosts += fmt::format(R"(  <host id="srv{}-gpu{}" speed="{}f"><prop id="kind" value="gpu"/><prop id="server" value="srv{}"/><prop id="gpu_model" value="{}"/><prop id="gpu_memory" value="80GiB"/></host>
)", s, g, gpu_speed_flops, s, model);
      links += fmt::format(R"(  <link id="pcie{}-{}" bandwidth="32GBps" latency="1us"/>
)", s, g);
      routes += fmt::format(R"(  <route src="srv{}-gpu{}" dst="srv{}"><link_ctn id="pcie{}-{}"/></route>
)", s, g, s, s, g);
    }
  }
  for (int a = 0; a < servers; ++a)
    for (int b = a + 1; b < servers; ++b)
      routes += fmt::format(R"(  <route src="srv{}" dst="srv{}"><link_ctn id="nic{}"/><link_ctn id="nic{}"/></route>
)", a, b, a, b);
  return R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
<zone id="dc" routing="Full">
)" + hosts + links + routes + "</zone>\n</platform>\n";
}

CliResult run_cli(const std::string& args) {
  static int counter = 0;
  auto err_path = std::filesystem::temp_directory_path() / fmt::format("aidcsim-cli-{}-{}.err", ::getpid(), counter++);
  std::string command = fmt::format("{} {} 2>{}", AIDCSIM_CLI, args, err_path.string());
  CliResult r{0, "", ""};
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) r.out += buffer;
  int status = pipe ? pclose(pipe) : -1;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_text(err_path.string());
  std::filesystem::remove(err_path);
  return r;
}

std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
  std::vector<std::map<std::string, std::string>> rows;
  LineInput in(path);
  std::string line;
  std::vector<std::string> header, fields;
  if (!in.next(line)) return rows;
  split_csv(line, header);
  while (in.next(line)) {
    split_csv(line, fields);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace aidcsim::testing
