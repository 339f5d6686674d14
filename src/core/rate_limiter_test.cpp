#include "core/rate_limiter.h"

#include <gtest/gtest.h>

namespace openem {
namespace {
using namespace std::chrono_literals;

TEST(RateLimiterTest, AllowsTheLimitPerWindowThenSaysWhenToRetry) {
  RateLimiter r(3, 60s);
  auto t = RateLimiter::Clock::now();
  EXPECT_FALSE(r.acquire("a", t));
  EXPECT_FALSE(r.acquire("a", t + 1s));
  EXPECT_FALSE(r.acquire("a", t + 2s));
  auto retry = r.acquire("a", t + 3s);
  ASSERT_TRUE(retry);
  EXPECT_EQ(*retry, 57);
  EXPECT_FALSE(r.acquire("b", t + 3s));  // keys are separate
  // In the next window the previous window's 3 still weigh in until they slide out.
  EXPECT_TRUE(r.acquire("a", t + 61s));
  EXPECT_FALSE(r.acquire("a", t + 100s));
  EXPECT_FALSE(r.acquire("a", t + 200s));  // two windows later everything is forgotten
}

TEST(RateLimiterTest, ResetForgetsAKey) {
  RateLimiter r(1, 60s);
  auto t = RateLimiter::Clock::now();
  EXPECT_FALSE(r.acquire("a", t));
  EXPECT_TRUE(r.acquire("a", t));
  r.reset("a");
  EXPECT_FALSE(r.acquire("a", t));
}

TEST(RateLimiterTest, MemoryIsBoundedAndNewKeysAreRefusedWhenFull) {
  RateLimiter r(5, 60s, 2);
  auto t = RateLimiter::Clock::now();
  EXPECT_FALSE(r.acquire("a", t));
  EXPECT_FALSE(r.acquire("b", t));
  EXPECT_TRUE(r.acquire("c", t));            // full, nobody idle: refused
  EXPECT_FALSE(r.acquire("c", t + 121s));   // a and b idle for two windows: dropped
}

}  // namespace
}  // namespace openem
