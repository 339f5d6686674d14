// libFuzzer target for the filter language: arbitrary bytes as ?filter= and as fullquery
// `fields`, translated to SQL and executed against a small real SQLite catalog. Client
// mistakes must end in ApiError (a 4xx from the query layer) or the store's StoreError
// kInvalidPattern (a regular expression the database refuses); anything else — a crash, a
// sanitizer report, another store error or an SQLite error from SQL we generated — is a bug
// and aborts.
#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "query/access.h"
#include "query/filter.h"
#include "query/fullquery.h"
#include "query/where.h"
#include "store/catalog_store.h"
#include "store/store_errors.h"

namespace {

openem::CatalogStore& store() {
  static std::unique_ptr<openem::CatalogStore> s = [] {
    auto path = std::filesystem::temp_directory_path() / ("openem-filter-fuzz-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    auto st = openem::open_sqlite_store(path);
    namespace json = boost::json;
    st->insert(openem::schemas::datasets(),
               json::parse(R"({"pid":"p/1","ownerGroup":"g1","accessGroups":["g2"],"isPublished":true,"type":"raw",
                 "size":5,"keywords":["a","b"],"creationTime":"2021-09-06T10:00:00.000Z","datasetName":"20210906-46",
                 "scientificMetadata":{"e":{"value":300,"unit":"keV"},"d":"K3"}})").as_object());
    return st;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto& schema = openem::schemas::datasets();
  openem::Principal who{"1", "u", "u@x.org", {"g1", "g3"}};
  try {
    openem::ListFilter f = openem::parse_filter(text);
    openem::QueryPlan plan;
    plan.conditions.push_back(openem::read_access_condition(schema, who, {}));
    if (!f.where.is_null()) plan.conditions.push_back(openem::translate_where(schema, f.where));
    f.limit = 5;
    openem::add_order_and_window(plan, schema, f, 5);
    store().find_ids(schema, plan);
    for (const auto& field : f.fields) store().facet(schema, field, openem::all_of(plan.conditions), 5);
  } catch (const openem::ApiError&) {
  } catch (const openem::StoreError& e) {
    if (e.kind() != openem::StoreError::Kind::kInvalidPattern) throw;
  }
  try {
    auto v = openem::parse_json_param(text, "fields");
    if (v.is_object()) {
      openem::QueryPlan plan;
      plan.conditions = openem::fullquery_conditions(schema, v.as_object());
      plan.limit = 5;
      store().find_ids(schema, plan);
    }
  } catch (const openem::ApiError&) {
  } catch (const openem::StoreError& e) {
    if (e.kind() != openem::StoreError::Kind::kInvalidPattern) throw;
  }
  return 0;
}
