#pragma once
// DocumentRows: everything the store writes for one document, derived from the document
// alone: its JSON text, indexed column values, access set, array elements for the side
// table, scientific-metadata leaves, search text and what the facet counts see of it.
// CatalogStore::insert/replace take it, computed before the write is queued, so this work
// runs on the request's thread, beside the single writer thread, which then only binds and
// steps. (Writes made inside a larger transaction compute it on the writer thread.)
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/collection.h"
#include "query/condition.h"
#include "store/access_facet_counts.h"

namespace openem {

// A row of <table>_sci: one leaf of the scientific metadata (model/scientific_metadata.h).
struct ScientificRow {
  std::string path;
  std::int64_t ord = 0;  // position among the document's leaves (an array gives several at one path)
  FieldValue num;          // the value as given, when numeric
  FieldValue num_si;       // converted to SI, else num
  std::string unit_si;   // canonical SI unit, or the unit as given when it is unknown
  FieldValue text;         // the value as given, when a string
};

// What the store keeps in `col` for doc (a date normalised to iso_utc form), or null.
FieldValue column_value(const IndexedColumn& col, const boost::json::object& doc);

// A document's rows in <table>_values: (field, value).
using SideRows = std::vector<std::pair<std::string, std::string>>;

struct DocumentRows {
  const CollectionSchema* schema = nullptr;
  std::string id;
  std::string json;                                      // the document's text
  std::vector<FieldValue> columns;                         // one per schema->columns, in order
  std::string access_set;                                // access_set_key; empty without one
  FieldValue search_text;                                  // null without a text index
  std::string text_readers;                              // text_readers_of; empty without a text index
  SideRows values;                                       // duplicates included: the table drops them
  std::vector<ScientificRow> leaves;
  CountedDocument counted;                               // empty without counted facets
};

// Throws StoreError kInvalidDocument when the document has no string id.
DocumentRows document_rows(const CollectionSchema& schema, const boost::json::object& doc);

// Whether the rows make a public document of a collection that keeps tombstones: its column of
// schema.public_field holds one of schema.public_values (true, when none are listed).
bool rows_are_public(const DocumentRows& rows);

// The parts of document_rows the store also needs for stored documents (facet counts at
// start, format upgrades).
std::string access_set_of(const CollectionSchema& schema, const boost::json::object& doc);

// The members (as an access set key) whose readers find the document by text: the access set,
// or the members of schema.text_reader_fields.
std::string text_readers_of(const CollectionSchema& schema, const boost::json::object& doc);
// A document for the access-set facet counts from its access set, its column keys (one per
// counted field, ignored for array fields) and its side-table rows.
CountedDocument counted_document(const CollectionSchema& schema, std::string access_set,
                                 const std::vector<boost::json::value>& column_keys, const SideRows& side);

}  // namespace openem
