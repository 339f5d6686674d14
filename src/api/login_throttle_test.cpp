#include "api/login_throttle.h"

#include <gtest/gtest.h>

#include "store/testing/store_backends.h"

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
  LoginThrottle t({10, 30, 900}, nullptr, clock.fn());
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
  LoginThrottle t({3, 5, 60}, nullptr, clock.fn());
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
  LoginThrottle t({0, 0, 60}, nullptr, clock.fn());
  for (int i = 0; i < 100; ++i) t.record_failure("a", "ip");
  EXPECT_EQ(t.retry_after("a", "ip"), 0);
}

TEST(LoginThrottle, MemoryIsBoundedUnderASprayOfNames) {
  FakeClock clock;
  LoginThrottle t({10, 0, 60}, nullptr, clock.fn());
  for (std::size_t i = 0; i < LoginThrottle::kMaxKeys + 10; ++i) {
    t.record_failure("name-" + std::to_string(i), "ip");
    clock.now += 1e-6;
  }
  for (int i = 0; i < 10; ++i) t.record_failure("target", "ip");
  EXPECT_GT(t.retry_after("target", "ip"), 0);  // the newest keys survive a prune
}

// Two API processes on one shared catalog count failures together: the limit holds for the
// deployment, not per process (before: each process allowed the full limit on its own).
TEST(LoginThrottleAcrossProcesses, FailuresOnEitherProcessCountTowardsOneLimit) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto a_store = catalog.open(), b_store = catalog.open();
  FakeClock clock;
  clock.now = 1.7e9;
  LoginThrottle a({4, 6, 900}, a_store.get(), clock.fn()), b({4, 6, 900}, b_store.get(), clock.fn());
  for (int i = 0; i < 4; ++i) {
    LoginThrottle& here = i % 2 ? b : a;
    EXPECT_EQ(here.retry_after("user1", "10.0.0.1"), 0) << i;
    here.record_failure(i % 2 ? "User1" : "user1", "10.0.0.1");
    clock.now += 1;
  }
  // The first failure was at 1.7e9; the window is 900 s and it is 4 s later.
  EXPECT_EQ(a.retry_after("user1", "10.0.0.2"), 896);
  EXPECT_EQ(b.retry_after("USER1", "10.0.0.2"), 896);
  EXPECT_EQ(b.retry_after("user2", "10.0.0.2"), 0);
  // The address's limit counts the account's failures from it and others.
  a.record_failure("user2", "10.0.0.1");
  b.record_failure("user3", "10.0.0.1");
  EXPECT_GT(a.retry_after("user4", "10.0.0.1"), 0);
  EXPECT_EQ(a.retry_after("user4", "10.0.0.3"), 0);
  // A success on one process resets the account on both, not the address.
  b.record_success("user1");
  EXPECT_EQ(a.retry_after("user1", "10.0.0.2"), 0);
  EXPECT_GT(a.retry_after("user1", "10.0.0.1"), 0);
  clock.now += 900;
  EXPECT_EQ(a.retry_after("user4", "10.0.0.1"), 0);  // the window passed
}

}  // namespace
}  // namespace openem
