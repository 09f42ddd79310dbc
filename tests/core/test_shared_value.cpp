// Shared<T>: the 8-byte handle a JobSpec keeps for its tenant and GPU models.
#include <gtest/gtest.h>

#include "sim/core/shared_value.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {
namespace {

TEST(SharedValue, APoolKeepsOneCopyPerDistinctValue) {
  SharedPool<std::string> pool;
  const Shared<std::string> a = pool.get("team-a");
  const Shared<std::string> b = pool.get(std::string("team-") + "a");
  const Shared<std::string> c = pool.get("team-b");
  EXPECT_EQ(&a.get(), &b.get());  // one copy, two handles
  EXPECT_NE(&a.get(), &c.get());
  EXPECT_EQ(*a, "team-a");
  EXPECT_EQ(*c, "team-b");
  EXPECT_FALSE(a == c);
}

TEST(SharedValue, DefaultsShareTheEmptyValueAndCopiesOutliveTheirSource) {
  const Shared<std::vector<std::string>> none;
  const Shared<std::vector<std::string>> also_none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(&none.get(), &also_none.get());

  Shared<std::vector<std::string>> kept;
  {
    const Shared<std::vector<std::string>> models = {"A100", "V100"};
    kept = models;
  }
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept->at(1), "V100");
  EXPECT_TRUE(kept == std::vector<std::string>({"A100", "V100"}));
}

TEST(SharedValue, AJobSpecKeepsHandlesNotCopies) {
  static_assert(sizeof(Shared<std::string>) == sizeof(void*));
  JobSpec job;
  EXPECT_EQ(*job.tenant, *default_tenant());
  EXPECT_TRUE(job.gpu_models.empty());
  JobSpec copy = job;
  EXPECT_EQ(&copy.tenant.get(), &job.tenant.get());
}

}  // namespace
}  // namespace aidcsim
