#pragma once
// Translation of a SciCat `where` (Mongo operators and their Loopback names) into one
// Condition over a collection. Hostile input — unknown operators, deep nesting, huge
// lists, long regexes — is refused with ApiError 400, never executed. Thread-safe.
#include <boost/json/value.hpp>

#include "model/collection.h"
#include "query/condition.h"

namespace openem {

struct WhereLimits {
  int max_depth = 16;           // nested and/or/not
  int max_conditions = 512;     // field conditions in one where
  size_t max_list = 10000;      // elements of $in / $nin / $all
  size_t max_regex = 1000;      // characters of a pattern
};

Condition translate_where(const CollectionSchema& schema, const boost::json::value& where,
                             const WhereLimits& limits = {});

// One field compared with one value or operator object, e.g. ("size", {"$gt": 5}).
Condition translate_field_condition(const CollectionSchema& schema, std::string_view field,
                                       const boost::json::value& condition, const WhereLimits& limits = {});

}  // namespace openem
