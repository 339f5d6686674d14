#pragma once
// Translation of the `fields` object of SciCat's fullquery/fullfacet endpoints (reference
// §6.1–6.3) into tagged Conditions: text, mode, userGroups, date {begin,end}, numeric
// {min,max}, lists, scalars, and `scientific` conditions with unit conversion. Each
// condition carries the field it restricts so a facet can ignore its own field. Thread-safe.
#include <boost/json.hpp>

#include <vector>

#include "model/collection.h"
#include "query/condition.h"

namespace openem {

struct ScientificCondition {
  std::string lhs;               // dotted path under the scientific field
  std::string relation;          // EQUAL_TO_STRING, EQUAL_TO_NUMERIC, GREATER_THAN, ...
  boost::json::value rhs;
  std::string unit;              // "" = compare raw values
};

std::vector<ScientificCondition> parse_scientific(const boost::json::value& v);
Condition scientific_condition(const CollectionSchema& schema, const ScientificCondition& c);

// `scientific_key`: "scientific" for datasets, "characteristics" for samples.
std::vector<Condition> fullquery_conditions(const CollectionSchema& schema, const boost::json::object& fields,
                                               std::string_view scientific_key = "scientific");

}  // namespace openem
