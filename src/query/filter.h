#pragma once
// ListFilter: a parsed SciCat/Loopback filter ({where, fields, include, limits} plus the
// top-level limit/skip/order Loopback clients send). Parsing validates shape and limits and
// throws ApiError 400 with the reason. Plain value type.
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"
#include "query/condition.h"

namespace openem {

struct IncludeSpec {
  std::string relation;        // lower-cased: attachments, origdatablocks, datablocks, ...
  boost::json::value scope;    // {where, fields, limits} or null
};

struct OrderKey {
  std::string field;
  bool descending = false;
};

struct ListFilter {
  boost::json::value where;                 // null when absent
  std::vector<std::string> fields;          // inclusion projection; empty = whole document
  std::vector<std::string> excluded_fields; // {"field": false}
  std::vector<IncludeSpec> include;
  std::optional<std::int64_t> limit;
  std::int64_t skip = 0;
  std::vector<OrderKey> order;
};

// Parses the JSON text of ?filter= (empty text = empty filter).
ListFilter parse_filter(std::string_view text);
ListFilter parse_filter_value(const boost::json::value& v);
// Parses a `limits` object ({limit, skip, order|sort}) into `f`.
void apply_limits(ListFilter& f, const boost::json::value& limits);
// Upstream's v4 list default (findAllComplete, `limits.limit || 10`): without a limit, 10
// rows, the newest by createdAt first unless an order is given.
void apply_v4_default_window(ListFilter& f);
// 400 for a negative skip or limit; a limit above the cap becomes the cap.
void check_window(ListFilter& f);
// Parses a JSON query parameter such as `fields` or `facets`; 400 "Invalid JSON in <name>".
boost::json::value parse_json_param(std::string_view text, std::string_view name);

// Projects a document onto the filter's fields (dotted paths allowed).
boost::json::object project(boost::json::object doc, const ListFilter& f);

// The ORDER BY / LIMIT part of a plan.
void add_order_and_window(QueryPlan& plan, const CollectionSchema& schema, const ListFilter& f,
                          std::int64_t default_limit);

}  // namespace openem
