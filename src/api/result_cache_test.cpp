#include "api/result_cache.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

TEST(ResultCacheTest, ValidOnlyForTheGenerationItWasStoredAt) {
  ResultCache c;
  EXPECT_FALSE(c.get("k", 1));
  c.put("k", 1, "v1");
  EXPECT_EQ(*c.get("k", 1), "v1");
  EXPECT_FALSE(c.get("k", 2));  // a write happened since
  c.put("k", 2, "v2");
  EXPECT_EQ(*c.get("k", 2), "v2");
}

TEST(ResultCacheTest, StaysBounded) {
  ResultCache c(4);
  for (int i = 0; i < 10; ++i) c.put("k" + std::to_string(i), 7, "v");
  int present = 0;
  for (int i = 0; i < 10; ++i) present += c.get("k" + std::to_string(i), 7) ? 1 : 0;
  EXPECT_LE(present, 4);
  EXPECT_TRUE(c.get("k9", 7));  // the newest is kept
}

}  // namespace
}  // namespace openem
