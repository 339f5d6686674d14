// The store under a RequestScope (core/request_scope.h), on both stores: one request reads a
// shared catalog's write generation once and answers from it, yet never answers from before
// its own writes; a new request sees what another process wrote before it began.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/principal.h"
#include "core/request_scope.h"
#include "query/access.h"
#include "store/catalog_store.h"
#include "store/testing/store_test_fixture.h"

namespace openem {
namespace {
namespace json = boost::json;
using testing::Backend;

class RequestScopeContractTest : public testing::StoreOnEachBackend {
 protected:
  static json::object dataset(int i) {
    return json::object{{"pid", "x/" + std::to_string(i)}, {"ownerGroup", "a"}, {"type", "raw"}};
  }
  // The number of datasets an admin may read, from the counts kept per access set.
  static std::int64_t counted_total(CatalogStore& store) {
    const Principal admin{"4", "admin", "", {"admin"}};
    auto readers = readable_access_values(schemas::datasets(), admin, ReadScope{true, true});
    auto counted = store.counted_facets(schemas::datasets(), *readers, {"type"}, 10);
    return counted ? counted->total : -1;
  }
};

TEST_P(RequestScopeContractTest, ARequestNeverAnswersFromBeforeItsOwnWrite) {
  store_->insert(schemas::datasets(), dataset(1));
  RequestScope request;
  const std::uint64_t before = store_->write_generation();
  EXPECT_EQ(counted_total(*store_), 1);
  store_->insert(schemas::datasets(), dataset(2));
  EXPECT_GT(store_->write_generation(), before);  // a cache keyed on it cannot answer from before
  EXPECT_EQ(counted_total(*store_), 2);
  store_->transaction([&] { store_->remove(schemas::datasets(), "x/1"); });
  EXPECT_EQ(counted_total(*store_), 1);
}

// Only a catalog that several processes write (PostgreSQL) has another process to hear from.
class SharedCatalogRequestScopeTest : public RequestScopeContractTest {};

TEST_P(SharedCatalogRequestScopeTest, ANewRequestSeesWhatAnotherProcessWroteBeforeIt) {
  ASSERT_TRUE(store_->shared_between_processes());
  auto other = catalog_->open();  // another API process on the same catalog
  store_->insert(schemas::datasets(), dataset(1));
  std::uint64_t first = 0;
  {
    RequestScope request;
    first = store_->write_generation();
    EXPECT_EQ(counted_total(*store_), 1);
    other->insert(schemas::datasets(), dataset(2));
    // Within the request, its first reading stands: one round trip, one consistent answer.
    EXPECT_EQ(store_->write_generation(), first);
  }
  {
    RequestScope next;
    EXPECT_GT(store_->write_generation(), first);
    EXPECT_EQ(counted_total(*store_), 2);
  }
  other->remove(schemas::datasets(), "x/1");
  EXPECT_EQ(counted_total(*store_), 1);  // outside a request every call reads afresh
}

OPENEM_ON_EACH_BACKEND(RequestScopeContractTest);

INSTANTIATE_TEST_SUITE_P(Backends, SharedCatalogRequestScopeTest, ::testing::Values(Backend::Postgres),
                         [](const ::testing::TestParamInfo<Backend>& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace openem
