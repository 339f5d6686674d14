#include "extract/flat_aggregate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

TEST(FlatAggregate, KnownKeysAreKeptPastTheLimit) {
  FlatAggregate a;
  for (std::size_t i = 0; i < FlatAggregate::kMaxKeys + 3; ++i) a.add("Junk" + std::to_string(10000 + i), "1");
  a.add("TiltIncrement", "3", KeyKind::kKnown);  // what a reader adds after the file's own keys
  a.add("LateFileKey", "x");
  ASSERT_NE(a.find("TiltIncrement"), nullptr);
  EXPECT_EQ(a.find("TiltIncrement")->first, "3");
  EXPECT_EQ(a.find("LateFileKey"), nullptr);
  EXPECT_EQ(a.dropped_samples(), 4u);
  // The alphabetically first dropped names, whatever order they came in.
  EXPECT_EQ(a.dropped_keys(), (std::vector<std::string>{"Junk14096", "Junk14097", "Junk14098", "LateFileKey"}));
}

TEST(FlatAggregate, MergeKeepsKnownKeysAndDroppedNames) {
  FlatAggregate full, file;
  for (std::size_t i = 0; i < FlatAggregate::kMaxKeys; ++i) full.add("Junk" + std::to_string(10000 + i), "1");
  for (int i = 0; i < 8; ++i) file.add("Other" + std::to_string(i), "1");
  file.add("Software", "SerialEM", KeyKind::kKnown);
  file.add("Junk10000", "1");  // held already: merges
  full.merge(file);
  ASSERT_NE(full.find("Software"), nullptr);
  EXPECT_EQ(full.find("Junk10000")->count, 2u);
  EXPECT_EQ(full.dropped_samples(), 8u);
  EXPECT_EQ(full.dropped_keys(), (std::vector<std::string>{"Other0", "Other1", "Other2", "Other3", "Other4"}));
  // A second merge of a scratch whose own limit dropped keys carries their names along.
  FlatAggregate scratch, total;
  for (std::size_t i = 0; i < FlatAggregate::kMaxKeys + 1; ++i) scratch.add("K" + std::to_string(10000 + i), "1");
  total.merge(scratch);
  EXPECT_EQ(total.dropped_samples(), 1u);
  EXPECT_EQ(total.dropped_keys(), (std::vector<std::string>{"K14096"}));
}

TEST(FlatAggregate, KnownKeysHaveTheirOwnBound) {
  // A caller that marked names from a file as known cannot grow it without bound either.
  FlatAggregate a;
  for (std::size_t i = 0; i < FlatAggregate::kMaxKnownKeys + FlatAggregate::kMaxKeys + 5; ++i)
    a.add("Known" + std::to_string(i), "1", KeyKind::kKnown);
  EXPECT_EQ(a.size(), FlatAggregate::kMaxKnownKeys + FlatAggregate::kMaxKeys);
  EXPECT_EQ(a.dropped_samples(), 5u);
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
