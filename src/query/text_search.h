#pragma once
// Full-text search over a collection's strings: substrings and prefixes of identifiers match
// ("2021090" finds "20210906-46"), case-insensitively. Terms are OR-ed as in Mongo's $text;
// "quoted phrases" stay together; -term excludes. The store looks terms up in its text index
// (SQLite: an FTS5 trigram index). Thread-safe.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "model/collection.h"
#include "query/condition.h"

namespace openem {

// A Kind::Text condition (Kind::True for text without terms); 400 for collections without a
// text index and for text too long or with too many terms.
Condition text_condition(const CollectionSchema& schema, std::string_view text);

// The text a document contributes to the index: its string values (and array elements),
// joined by newlines, skipping data URIs and fields the schema excludes. Capped in size.
std::string search_text_for(const CollectionSchema& schema, const boost::json::object& doc);

}  // namespace openem
