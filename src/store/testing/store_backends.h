#pragma once
// The stores the contract tests run against, each empty for every test: SQLite in a temporary
// folder, and PostgreSQL in a fresh database of the test cluster (scripts/postgres-test-cluster.sh,
// started by ctest's `postgres` fixture, which names it in OPENEM_TEST_POSTGRES_URL_FILE).
// Without that cluster a PostgreSQL test fails, saying how to start one: never a silent skip.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/catalog_store.h"
#include "store/postgres/pg_connection.h"

namespace openem::testing {

enum class Backend { Sqlite, Postgres };

// An empty catalog of one backend, reopened on demand and deleted at the end.
class ScratchCatalog {
 public:
  explicit ScratchCatalog(Backend backend);
  ~ScratchCatalog();
  ScratchCatalog(const ScratchCatalog&) = delete;
  ScratchCatalog& operator=(const ScratchCatalog&) = delete;

  // A new store over the same catalog (the previous one must be closed first).
  std::unique_ptr<CatalogStore> open() const;
  // The PostgreSQL URL of this catalog ("" for SQLite).
  const std::string& url() const { return url_; }

 private:
  Backend backend_;
  std::string dir_;   // SQLite: the temporary folder
  std::string url_;   // PostgreSQL: this test's database
  std::string admin_url_, database_;
};


inline std::string backend_name(Backend b) { return b == Backend::Sqlite ? "sqlite" : "postgres"; }

inline std::string test_cluster_url() {
  const char* file = std::getenv("OPENEM_TEST_POSTGRES_URL_FILE");
  std::string url;
  if (file) {
    std::ifstream in(file);
    std::getline(in, url);
  }
  if (url.empty())
    throw std::runtime_error(
        "no PostgreSQL test cluster: run the tests through ctest (its `postgres` fixture starts one), or start one "
        "with scripts/postgres-test-cluster.sh start DIR and set OPENEM_TEST_POSTGRES_URL_FILE=DIR/url");
  return url;
}

namespace detail {
// The URL with its database (the path after the authority) replaced.
inline std::string with_database(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return url + "/" + database;
  const auto query = url.find('?', slash);
  return url.substr(0, slash + 1) + database + (query == std::string::npos ? "" : url.substr(query));
}
}  // namespace

inline ScratchCatalog::ScratchCatalog(Backend backend) : backend_(backend) {
  static std::atomic<int> counter{0};
  const std::string unique = std::to_string(::getpid()) + "_" + std::to_string(counter++);
  if (backend == Backend::Sqlite) {
    dir_ = (std::filesystem::temp_directory_path() / ("openem-store-" + unique)).string();
    std::filesystem::create_directories(dir_);
    return;
  }
  admin_url_ = test_cluster_url();
  database_ = "openem_test_" + unique;
  PgConnection admin(admin_url_);
  admin.exec_script("CREATE DATABASE " + database_);
  url_ = detail::with_database(admin_url_, database_);
}

inline ScratchCatalog::~ScratchCatalog() {
  try {
    if (backend_ == Backend::Sqlite) {
      std::filesystem::remove_all(dir_);
    } else {
      PgConnection admin(admin_url_);
      admin.exec_script("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    }
  } catch (...) {
  }
}

inline std::unique_ptr<CatalogStore> ScratchCatalog::open() const {
  if (backend_ == Backend::Sqlite) return open_sqlite_store(std::filesystem::path(dir_) / "catalog.db");
  return open_postgres_store(url_);
}

}  // namespace openem::testing
