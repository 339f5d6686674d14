#include "ingest/file_blocks.h"

#include <gtest/gtest.h>

namespace openem::ingest {
namespace {

TEST(FileBlocks, AtMostTwentyThousandFilesEach) {
  std::vector<std::uint64_t> sizes(45001, 10);
  auto blocks = split_into_blocks(sizes);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].begin, 0u);
  EXPECT_EQ(blocks[0].end, 20000u);
  EXPECT_EQ(blocks[0].bytes, 200000u);
  EXPECT_EQ(blocks[1].begin, 20000u);
  EXPECT_EQ(blocks[1].end, 40000u);
  EXPECT_EQ(blocks[2].begin, 40000u);
  EXPECT_EQ(blocks[2].end, 45001u);
  EXPECT_EQ(blocks[2].bytes, 50010u);
}

TEST(FileBlocks, ExactlyTwentyThousandIsOneBlock) {
  auto blocks = split_into_blocks(std::vector<std::uint64_t>(20000, 1));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].end, 20000u);
}

TEST(FileBlocks, EmptyListHasNoBlocks) { EXPECT_TRUE(split_into_blocks({}).empty()); }

TEST(FileBlocks, ByteLimitStartsANewBlockAndBigFilesStandAlone) {
  const std::uint64_t G = 1000ull * 1000 * 1000;
  auto blocks = split_into_blocks({150 * G, 40 * G, 20 * G, 300 * G, 1});
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[0].end, 2u);  // 190 GB
  EXPECT_EQ(blocks[0].bytes, 190 * G);
  EXPECT_EQ(blocks[1].begin, 2u);  // 20 GB, then 300 GB would exceed
  EXPECT_EQ(blocks[1].end, 3u);
  EXPECT_EQ(blocks[2].begin, 3u);  // the 300 GB file alone: over the limit by itself
  EXPECT_EQ(blocks[2].end, 4u);
  EXPECT_EQ(blocks[2].bytes, 300 * G);
  EXPECT_EQ(blocks[3].begin, 4u);
  EXPECT_EQ(blocks[3].bytes, 1u);
}

TEST(FileBlocks, CustomLimits) {
  auto blocks = split_into_blocks({1, 1, 1, 1, 1}, 2);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[2].end - blocks[2].begin, 1u);
}

}  // namespace
}  // namespace openem::ingest
