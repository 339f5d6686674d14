#include "core/backoff.h"

#include <gtest/gtest.h>

#include "core/json_fields.h"

namespace openem {
namespace {

TEST(BackoffTest, DoublesFromTheFirstWaitUpToTheCap) {
  EXPECT_EQ(doubling_backoff(1, 10, 3600), 10);
  EXPECT_EQ(doubling_backoff(2, 10, 3600), 20);
  EXPECT_EQ(doubling_backoff(4, 10, 3600), 80);
  EXPECT_EQ(doubling_backoff(9, 10, 3600), 2560);
  EXPECT_EQ(doubling_backoff(10, 10, 3600), 3600);
  EXPECT_EQ(doubling_backoff(1'000'000, 10, 3600), 3600);  // a long outage neither overflows nor wraps
  EXPECT_EQ(doubling_backoff(0, 10, 3600), 10);            // "no failure yet" waits the first wait
}

TEST(JsonIntTest, ReadsIntegersAndTruncatesDoublesAndIsZeroOtherwise) {
  const boost::json::object o = {{"a", 3}, {"b", 4.9}, {"c", "5"}, {"d", nullptr}, {"e", 7u}};
  EXPECT_EQ(json_int(o, "a"), 3);
  EXPECT_EQ(json_int(o, "b"), 4);
  EXPECT_EQ(json_int(o, "c"), 0);
  EXPECT_EQ(json_int(o, "d"), 0);
  EXPECT_EQ(json_int(o, "e"), 7);
  EXPECT_EQ(json_int(o, "missing"), 0);
}

}  // namespace
}  // namespace openem
