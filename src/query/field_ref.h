#pragma once
// Resolving the field names of filters to FieldRefs (query/condition.h) — the primary key, an
// indexed column, the array side table, or the JSON document itself — and the values compared
// with them. Pure functions over the immutable schemas; thread-safe.
#include <boost/json/value.hpp>

#include <string>

#include "model/collection.h"
#include "query/condition.h"

namespace openem {

// Resolves a field name as used in filters. v3 aliases (proposalId → proposalIds, ...) apply
// to datasets. Throws ApiError 400 for names that cannot be fields (empty, too long).
FieldRef resolve_field(const CollectionSchema& schema, std::string_view field);

// Throws ApiError 400 when `field` is computed for each reader (CollectionSchema::
// per_reader_fields): no stored value exists that a filter, sort or facet could use.
void refuse_per_reader_field(const CollectionSchema& schema, std::string_view field);

// A JSON value as the FieldValue compared with `ref` (dates normalised, bools 0/1, objects
// and arrays as JSON text).
FieldValue to_value(const FieldRef& ref, const boost::json::value& v);

// Sorting by a filter's field (any field; arrays by their first element).
SortKey order_by_field(const CollectionSchema& schema, std::string_view field, bool descending);

}  // namespace openem
