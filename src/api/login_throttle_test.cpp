#include "api/login_throttle.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

struct FakeClock {
  double now = 1000;
  std::function<double()> fn() {
    return [this] { return now; };
  }
};

TEST(LoginThrottle, TenFailuresLockTheAccountUntilTheWindowPasses) {
  FakeClock clock;
  LoginThrottle t({10, 30, 900}, clock.fn());
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(t.retry_after("user1", "10.0.0.1"), 0) << i;
    t.record_failure("user1", "10.0.0.1");
    clock.now += 1;
  }
  // The first failure was at 1000: free again at 1900; it is 1010 now.
  EXPECT_EQ(t.retry_after("user1", "10.0.0.2"), 890);
  EXPECT_EQ(t.retry_after("USER1", "10.0.0.2"), 890);  // case makes no other account
  EXPECT_EQ(t.retry_after("user2", "10.0.0.2"), 0);
  clock.now = 1899.5;
  EXPECT_EQ(t.retry_after("user1", "10.0.0.2"), 1);
  clock.now = 1900;
  EXPECT_EQ(t.retry_after("user1", "10.0.0.2"), 0);  // one failure aged out: one more try
  t.record_failure("user1", "10.0.0.2");
  EXPECT_EQ(t.retry_after("user1", "10.0.0.2"), 1);  // the second one (1001) ages out next
}

TEST(LoginThrottle, SuccessResetsTheAccountButNotTheAddress) {
  FakeClock clock;
  LoginThrottle t({3, 5, 60}, clock.fn());
  for (int i = 0; i < 3; ++i) t.record_failure("a", "ip");
  EXPECT_GT(t.retry_after("a", "other-ip"), 0);
  t.record_success("a");
  EXPECT_EQ(t.retry_after("a", "other-ip"), 0);
  t.record_failure("b", "ip");
  t.record_failure("c", "ip");
  EXPECT_EQ(t.retry_after("d", "ip"), 60);  // 5 failures from "ip" (3 + 2): locked for everyone there
  EXPECT_EQ(t.retry_after("d", "ip2"), 0);
}

TEST(LoginThrottle, ZeroDisablesALimit) {
  FakeClock clock;
  LoginThrottle t({0, 0, 60}, clock.fn());
  for (int i = 0; i < 100; ++i) t.record_failure("a", "ip");
  EXPECT_EQ(t.retry_after("a", "ip"), 0);
}

TEST(LoginThrottle, MemoryIsBoundedUnderASprayOfNames) {
  FakeClock clock;
  LoginThrottle t({10, 0, 60}, clock.fn());
  for (std::size_t i = 0; i < LoginThrottle::kMaxKeys + 10; ++i) {
    t.record_failure("name-" + std::to_string(i), "ip");
    clock.now += 1e-6;
  }
  for (int i = 0; i < 10; ++i) t.record_failure("target", "ip");
  EXPECT_GT(t.retry_after("target", "ip"), 0);  // the newest keys survive a prune
}

}  // namespace
}  // namespace openem
