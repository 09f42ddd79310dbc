#include <gtest/gtest.h>

#include "sim/metrics/metrics.hpp"
#include "sim/core/units.hpp"

using namespace aidcsim;

TEST(NearestRank, MatchesTheDefinitionOnSmallSets) {
  std::vector<double> v{15, 20, 35, 40, 50};  // the textbook example
  EXPECT_EQ(*nearest_rank(v, 5), 15);
  EXPECT_EQ(*nearest_rank(v, 30), 20);
  EXPECT_EQ(*nearest_rank(v, 40), 20);
  EXPECT_EQ(*nearest_rank(v, 50), 35);
  EXPECT_EQ(*nearest_rank(v, 100), 50);
  EXPECT_FALSE(nearest_rank({}, 50).has_value());
}

TEST(NearestRank, HundredValues) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_EQ(*nearest_rank(v, 95), 95);
  EXPECT_EQ(*nearest_rank(v, 99), 99);
  EXPECT_EQ(*nearest_rank(v, 50), 50);
}

TEST(Stats, MeanAndPercentilesOfUnsortedInput) {
  Stats s = compute_stats({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(*s.mean, 2.5);
  EXPECT_EQ(*s.p50, 2);
  EXPECT_EQ(*s.max, 4);
  Stats empty = compute_stats({});
  EXPECT_FALSE(empty.mean.has_value());
  EXPECT_TRUE(to_json(empty)["p95"].is_null());
}

TEST(TimeWeightedMean, HandMadeIntervals) {
  // 0 GPUs on [0,10), 4 on [10,20), 2 on [20,40): area 40 + 40 = 80 over 40 s.
  std::vector<std::pair<double, double>> steps{{0, 0}, {10, 4}, {20, 2}};
  EXPECT_DOUBLE_EQ(time_weighted_mean(steps, 0, 40), 2.0);
  // A window that cuts the steps: [15, 25) -> 4*5 + 2*5 = 30 over 10 s.
  EXPECT_DOUBLE_EQ(time_weighted_mean(steps, 15, 25), 3.0);
  EXPECT_DOUBLE_EQ(time_weighted_mean(steps, 5, 5), 0.0);
}

TEST(Units, SizesAndNumbers) {
  EXPECT_DOUBLE_EQ(*parse_size_bytes("80GiB"), 80.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*parse_size_bytes("1.5 TB"), 1.5e12);
  EXPECT_DOUBLE_EQ(*parse_size_bytes("1024"), 1024);
  EXPECT_FALSE(parse_size_bytes("lots").has_value());
  EXPECT_FALSE(parse_size_bytes("12XB").has_value());
  EXPECT_EQ(format_number(12.5), "12.5");
  EXPECT_EQ(format_number(3.0), "3");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.3");
  EXPECT_EQ(format_number(-0.0000001), "0");
  EXPECT_EQ(format_number(kNoTime), "");
}
