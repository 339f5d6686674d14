#include "core/password_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/password.h"

namespace openem {
namespace {

TEST(PasswordPool, VerifiesAndHashesOnItsThreads) {
  PasswordPool pool(1, 2);
  auto h = pool.hash("correct horse");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u);
  EXPECT_EQ(pool.verify("correct horse", *h), std::optional<bool>(true));
  EXPECT_EQ(pool.verify("wrong horse", *h), std::optional<bool>(false));
  EXPECT_EQ(pool.verify("x", "not a hash"), std::optional<bool>(false));
}

// With max_pending calls waiting or running, the next is refused at once instead of waiting;
// the accepted ones get their own right answers.
TEST(PasswordPool, RefusesBeyondMaxPendingWithoutWaiting) {
  const std::string h = hash_password("pw");
  // Well-formed, but with costly parameters (64 MiB, 6 passes): keeps the worker busy a while.
  const std::string slow = "$argon2id$v=19$m=65536,t=6,p=1$c29tZXNhbHRzb21lc2FsdA$" + std::string(43, 'A');
  PasswordPool pool(1, 2);
  std::optional<bool> first, second;
  std::thread a([&] { first = pool.verify("x", slow); });
  std::thread b([&] { second = pool.verify("x", slow); });
  for (int i = 0; i < 5000 && pool.pending() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(pool.pending(), 2u);
  auto t0 = std::chrono::steady_clock::now();
  auto refused = pool.verify("pw", h);
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(refused, std::nullopt);
  EXPECT_LT(waited, std::chrono::milliseconds(20));  // never waited for a hash
  EXPECT_EQ(pool.hash("pw"), std::nullopt);
  a.join();
  b.join();
  EXPECT_EQ(first, std::optional<bool>(false));
  EXPECT_EQ(second, std::optional<bool>(false));
  EXPECT_EQ(pool.pending(), 0u);
  EXPECT_EQ(pool.verify("pw", h), std::optional<bool>(true));
}

}  // namespace
}  // namespace openem
