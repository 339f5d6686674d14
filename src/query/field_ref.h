#pragma once
// FieldRef: where a document field lives in SQL — the primary key, an indexed column, the
// array side table, or the JSON document itself — and how to bind values compared with it.
// Pure functions over the immutable schemas; thread-safe.
#include <boost/json/value.hpp>

#include <string>

#include "model/collection.h"
#include "query/sql.h"

namespace openem {

struct FieldRef {
  enum class Kind { Id, Column, Array, Json } kind;
  std::string field;       // the (alias-resolved) field name
  std::string column;      // Kind::Column: column name
  ColumnType type = ColumnType::Text;
  std::string json_path;   // Kind::Json: SQLite JSON path, e.g. $."a"."b"
};

// Resolves a field name as used in filters. v3 aliases (proposalId → proposalIds, ...) apply
// to datasets. Throws ApiError 400 for names that cannot be fields (empty, too long).
FieldRef resolve_field(const CollectionSchema& schema, std::string_view field);

// Throws ApiError 400 when `field` is computed for each reader (CollectionSchema::
// per_reader_fields): no stored value exists that a filter, sort or facet could use.
void refuse_per_reader_field(const CollectionSchema& schema, std::string_view field);

// "$.\"a\".\"b\"" for "a.b": each segment quoted so that no name can escape the path.
std::string json_path_for(std::string_view dotted);

// A JSON scalar as a SQL parameter for comparison with `ref` (dates normalised, bools 0/1,
// objects and arrays as JSON text).
SqlParam to_param(const FieldRef& ref, const boost::json::value& v);

// SQL expression for sorting by `field`.
SqlOrder order_by_field(const CollectionSchema& schema, std::string_view field, bool descending);

}  // namespace openem
