#include "api/store_error_response.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "store/store_errors.h"

namespace openem {
namespace {

int status_of(const std::exception& e) {
  auto res = store_error_response(e);
  return res ? res->status : 0;
}

TEST(StoreErrorResponseTest, EachKindHasItsStatus) {
  using K = StoreError::Kind;
  EXPECT_EQ(status_of(StoreError(K::kDuplicateId, "taken")), 409);
  EXPECT_EQ(status_of(StoreError(K::kInvalidDocument, "NUL")), 400);
  EXPECT_EQ(status_of(StoreError(K::kInvalidPattern, "bad")), 400);
  EXPECT_EQ(status_of(StoreError(K::kCatalogUpgraded, "newer")), 503);
  auto budget = store_error_response(StoreError(K::kBudgetExceeded, "slow"));
  ASSERT_TRUE(budget);
  EXPECT_EQ(budget->status, 503);
  ASSERT_EQ(budget->headers.size(), 1u);
  EXPECT_EQ(budget->headers[0], (std::pair<std::string, std::string>{"Retry-After", "1"}));
  EXPECT_NE(budget->body.find("slow"), std::string::npos) << budget->body;  // the store's words, in SciCat's body
}

TEST(StoreErrorResponseTest, OtherExceptionsAreNotItsToAnswer) {
  EXPECT_FALSE(store_error_response(std::runtime_error("disk on fire")));
}

}  // namespace
}  // namespace openem
