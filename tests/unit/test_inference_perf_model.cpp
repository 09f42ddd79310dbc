// The LLM iteration latency model (models/inference/perf_model.hpp) on SplitwiseSim's measured table:
// the medians and interpolations of the fact sheet's scenario E1 (shared/notes, computed there with
// SplitwiseSim's own loader), exact to 1e-9 s.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "models/inference/perf_model.hpp"

using namespace aidcsim;

namespace {

// ../shared/traces beside the repository, found from this file's path (tests/unit/ -> ../..).
std::string table_path() {
  namespace fs = std::filesystem;
  fs::path root = fs::absolute(fs::path(__FILE__)).parent_path().parent_path().parent_path();
  return (root / ".." / "shared" / "traces" / "llm-perf-splitwise" / "perf_model.csv").lexically_normal().string();
}

TEST(LlmPerfModel, PiecewiseLinearInterpolatesAndExtrapolates) {
  PiecewiseLinear f({{128, 1.0}, {256, 2.0}, {512, 2.5}});
  EXPECT_DOUBLE_EQ(f(128), 1.0);
  EXPECT_DOUBLE_EQ(f(192), 1.5);           // inside
  EXPECT_DOUBLE_EQ(f(384), 2.25);
  EXPECT_DOUBLE_EQ(f(64), 0.5);            // below the first knot: the first segment's line
  EXPECT_DOUBLE_EQ(f(1024), 3.5);          // above the last: the last segment's line
  EXPECT_DOUBLE_EQ(f(-1000), 0.0);         // never negative
  EXPECT_DOUBLE_EQ(PiecewiseLinear({{5, 7.0}})(100), 7.0);
}

TEST(LlmPerfModel, SplitwiseMediansAndInterpolationOnTheTable) {
  ProblemList problems;
  LlmPerfModel m = LlmPerfModel::read(table_path(), problems);
  ASSERT_TRUE(problems.empty()) << problems.items()[0].what;
  EXPECT_EQ(m.keys().size(), 12u);
  LlmPerfModel::Key a100{"llama2-70b", "a100-80gb", 8}, h100{"llama2-70b", "h100-80gb", 8};
  ASSERT_TRUE(m.has(a100));
  // Knots (medians of the five repeats) and interpolated points of scenario E1.
  EXPECT_NEAR(m.prompt_s(a100, 128), 0.065347240, 1e-9);
  EXPECT_NEAR(m.prompt_s(a100, 2048), 0.282709530, 1e-9);
  EXPECT_NEAR(m.token_s(a100, 128), 0.043031259, 1e-9);
  EXPECT_NEAR(m.token_s(a100, 256), 0.043483438, 1e-9);
  EXPECT_NEAR(m.iteration_s(a100, {1024, 0}), 0.160860031, 1e-9);   // prefill of 1,024 tokens
  EXPECT_NEAR(m.iteration_s(a100, {2048, 0}), 0.282709530, 1e-9);   // two prefills of 1,024
  EXPECT_NEAR(m.iteration_s(a100, {0, 32}), 0.042692125, 1e-9);     // 32 decodes, extrapolated below 128
  EXPECT_NEAR(m.iteration_s(a100, {1000, 31}), 0.177862285, 1e-9);  // mixed: 1.1 x prompt(1031)
  EXPECT_NEAR(m.iteration_s(a100, {0, 1}), 0.042582613, 1e-9);
  // A lone request, prompt 1024, 5 output tokens: prefill yields the first, 4 decodes the rest.
  EXPECT_NEAR(m.iteration_s(a100, {1024, 0}) + 4 * m.iteration_s(a100, {0, 1}), 0.331190481, 1e-9);
  EXPECT_NEAR(m.iteration_s(h100, {1024, 0}), 0.077683869, 1e-9);
  EXPECT_NEAR(m.token_s(h100, 128), 0.029872660, 1e-9);
  EXPECT_NEAR(m.token_s(h100, 1), 0.031466, 1e-6);
}

TEST(LlmPerfModel, BadTableNamesFileAndLine) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + "/perf_bad.csv";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("model,hardware,prompt_size,batch_size,prompt_time,token_time,tensor_parallel\n"
             "m,h,512,1,100,50,2\nm,h,-5,1,100,50,2\n", f);
  std::fclose(f);
  ProblemList problems;
  LlmPerfModel::read(path, problems);
  ASSERT_EQ(problems.items().size(), 1u);
  EXPECT_EQ(problems.items()[0].line, 3);
  std::remove(path.c_str());
}

}  // namespace
