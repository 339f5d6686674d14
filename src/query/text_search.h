#pragma once
// Full-text search over a collection's FTS5 trigram index: substrings and prefixes of
// identifiers match ("2021090" finds "20210906-46"), case-insensitively. Terms are OR-ed as
// in Mongo's $text; "quoted phrases" stay together; -term excludes. Thread-safe.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "model/collection.h"
#include "query/sql.h"

namespace openem {

SqlCondition text_condition(const CollectionSchema& schema, std::string_view text);

// The text a document contributes to the index: its string values (and array elements),
// joined by newlines, skipping data URIs and fields the schema excludes. Capped in size.
std::string search_text_for(const CollectionSchema& schema, const boost::json::object& doc);

}  // namespace openem
