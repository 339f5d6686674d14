#include "extract/flat_aggregate.h"

#include <gtest/gtest.h>

namespace openem::extract {
namespace {

TEST(FlatAggregate, KeysPastTheLimitAreCountedNotKept) {
  FlatAggregate a;
  for (std::size_t i = 0; i < FlatAggregate::kMaxKeys + 10; ++i) a.add("K" + std::to_string(i), "1");
  EXPECT_EQ(a.size(), FlatAggregate::kMaxKeys);
  EXPECT_EQ(a.dropped_samples(), 10u);
  a.add("K0", "2");  // known keys still take samples
  EXPECT_FALSE(a.find("K0")->all_equal);
}

TEST(FlatAggregate, ResetScratchLeavesNoSamplesBehind) {
  FlatAggregate scratch, total;
  scratch.add("PixelSpacing", "2.7");
  scratch.add("Voltage", "300");
  total.merge(scratch);
  scratch.reset();
  scratch.add("PixelSpacing", "2.7");  // the next file has no Voltage
  EXPECT_EQ(scratch.find("Voltage"), nullptr);
  EXPECT_EQ(scratch.flat_view().count("Voltage"), 0u);
  total.merge(scratch);
  EXPECT_EQ(total.find("Voltage")->count, 1u);
  EXPECT_EQ(total.find("PixelSpacing")->count, 2u);
  EXPECT_TRUE(total.find("PixelSpacing")->all_equal);
}

}  // namespace
}  // namespace openem::extract
