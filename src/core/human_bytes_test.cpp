#include "core/human_bytes.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

TEST(HumanBytesTest, DecimalUnits) {
  EXPECT_EQ(human_bytes(0), "0 bytes");
  EXPECT_EQ(human_bytes(999), "999 bytes");
  EXPECT_EQ(human_bytes(1000), "1.0 kB");
  EXPECT_EQ(human_bytes(12'345'678), "12.3 MB");
  EXPECT_EQ(human_bytes(1.5e9, 2), "1.50 GB");
  EXPECT_EQ(human_bytes(3e18), "3000.0 PB");  // no unit beyond PB
}

}  // namespace
}  // namespace openem
