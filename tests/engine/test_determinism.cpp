// Determinism: the same scenario and seed, run twice in separate processes, give byte-identical
// jobs.csv, timeseries.csv and summary.json (but for its wall-clock line), and the same run.json but for
// the provenance fields that must differ: the wall-clock times and the command line (another --out).
#include <gtest/gtest.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

void expect_identical_runs(const std::string& extra) {
  TempFolder dir("determinism");
  const std::string scenario = std::string(AIDCSIM_SOURCE_DIR) + "/scenarios/quickstart.json";
  std::string first = dir / "first", second = dir / "second";
  CliResult a = run_cli("run " + scenario + " --out " + first + " --quiet --seed 7 " + extra);
  CliResult b = run_cli("run " + scenario + " --out " + second + " --quiet --seed 7 " + extra);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  for (const char* file : {"jobs.csv", "timeseries.csv"}) {
    std::string text = read_text(first + "/" + file);
    EXPECT_GT(text.size(), 100u) << file;
    EXPECT_TRUE(text == read_text(second + "/" + file)) << file << " differs between two runs";
  }
  std::string summary = summary_without_wall(first + "/summary.json");
  EXPECT_NE(read_text(first + "/summary.json"), summary) << "the wall_s line was not found";
  EXPECT_EQ(summary, summary_without_wall(second + "/summary.json"));
  EXPECT_EQ(read_json(first + "/summary.json")["seed"], 7);
  EXPECT_EQ(read_json(first + "/run.json")["seed"], 7);
  auto run_info = [](const std::string& dir) {
    nlohmann::json run = read_json(dir + "/run.json");
    EXPECT_EQ(run.erase("wall_clock"), 1u) << dir;
    EXPECT_EQ(run.erase("command_line"), 1u) << dir;
    return run;
  };
  nlohmann::json run_first = run_info(first);
  EXPECT_EQ(run_first["inputs"].size(), 3u);
  EXPECT_EQ(run_first, run_info(second)) << "run.json differs beyond its wall clock and command line";
  // No temporary file is left in the run directory.
  for (const auto& e : std::filesystem::directory_iterator(first))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

}  // namespace

TEST(Determinism, QuickstartTwiceGivesTheSameBytes) { expect_identical_runs(""); }

TEST(Determinism, QuickstartWithSimGridActivitiesTwiceGivesTheSameBytes) {
  expect_identical_runs("--set engine.activities=always");
}
