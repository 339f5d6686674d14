#pragma once
// DocumentRows: everything the store writes for one document, derived from the document
// alone: its JSON text, indexed column values, access set, array elements for the side
// table, scientific-metadata leaves, search text and what the facet counts see of it.
// Callers compute it before a write is queued (CatalogStore::insert/replace take it), so
// this work runs on the request's thread, beside the single writer thread, which then only
// binds and steps.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/collection.h"
#include "query/sql.h"
#include "store/access_facet_counts.h"

namespace openem {

// A row of <table>_sci: one leaf of the scientific metadata (model/scientific_metadata.h).
struct ScientificRow {
  std::string path;
  std::int64_t ord = 0;  // position among the leaves at one path (arrays give several)
  SqlParam num;          // the value as given, when numeric
  SqlParam num_si;       // converted to SI, else num
  std::string unit_si;   // canonical SI unit, or the unit as given when it is unknown
  SqlParam text;         // the value as given, when a string
};

struct DocumentRows {
  const CollectionSchema* schema = nullptr;
  std::string id;
  std::string json;                                      // the document's text
  std::vector<SqlParam> columns;                         // one per schema->columns, in order
  std::string access_set;                                // access_set_key; empty without one
  SqlParam search_text;                                  // null without a text index
  std::vector<std::pair<std::string, std::string>> values;  // (field, value) in <table>_values
  std::vector<ScientificRow> leaves;
  CountedDocument counted;                               // empty without counted facets
};

// Throws ApiError 400 when the document has no string id.
DocumentRows document_rows(const CollectionSchema& schema, const boost::json::object& doc);

// The parts document_rows is made of, for the store's queries and its format upgrades.
SqlParam column_value(const IndexedColumn& col, const boost::json::object& doc);
// A column's value as a facet key, exactly as reading the column back gives it.
boost::json::value column_key(const SqlParam& p, const IndexedColumn& col);
// What <table>_values holds under `field` for doc (duplicates are dropped by its key).
std::vector<std::string> side_values(const boost::json::object& doc, const std::string& field);
// Who may read doc, as its row keeps it: its "#access" values and sharedWith e-mails.
std::string access_set_of(const CollectionSchema& schema, const boost::json::object& doc);
// A document for the access-set facet counts from its access set, its column keys (one per
// counted field, ignored for array fields) and its side-table rows (field, value).
CountedDocument counted_document(const CollectionSchema& schema, std::string access_set,
                                 const std::vector<boost::json::value>& column_keys,
                                 const std::vector<std::pair<std::string, std::string>>& side);

}  // namespace openem
