#pragma once
// The fixture of the store's contract tests: each test gets an empty catalog of its backend
// (the test's parameter, store_backends.h) and a store open on it. Instantiate a suite on
// both stores with OPENEM_ON_EACH_BACKEND(Suite).
#include <gtest/gtest.h>

#include <memory>

#include "store/catalog_store.h"
#include "store/testing/store_backends.h"

namespace openem::testing {

class StoreOnEachBackend : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    catalog_ = std::make_unique<ScratchCatalog>(GetParam());
    store_ = catalog_->open();
  }
  void TearDown() override {
    store_.reset();
    catalog_.reset();
  }
  // Closes the store and opens another over the same catalog (a restart).
  void reopen() {
    store_.reset();
    store_ = catalog_->open();
  }

  std::unique_ptr<ScratchCatalog> catalog_;
  std::unique_ptr<CatalogStore> store_;
};

}  // namespace openem::testing

#define OPENEM_ON_EACH_BACKEND(Suite)                                                                           \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                                     \
                           ::testing::Values(::openem::testing::Backend::Sqlite,                               \
                                             ::openem::testing::Backend::Postgres),                            \
                           [](const ::testing::TestParamInfo<::openem::testing::Backend>& info) {              \
                             return ::openem::testing::backend_name(info.param);                               \
                           })
