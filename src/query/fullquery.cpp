#include "query/fullquery.h"

#include <cmath>
#include <set>

#include "core/error.h"
#include "core/units.h"
#include "query/field_ref.h"
#include "query/text_search.h"
#include "query/where.h"

namespace openem {
namespace json = boost::json;
namespace {

double number_of(const json::value& v, const char* what) {
  if (v.is_number()) return v.to_number<double>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      std::string s(v.get_string());
      double d = std::stod(s, &used);
      if (used == s.size() && std::isfinite(d)) return d;
    } catch (...) {
    }
  }
  throw ApiError::bad_request(std::string(what) + " must be a number");
}

Condition scientific(ScientificTest test) {
  Condition c;
  c.kind = Condition::Kind::Scientific;
  c.scientific = std::make_shared<const ScientificTest>(std::move(test));
  c.restricts = "scientific";
  return c;
}

}  // namespace

std::vector<ScientificCondition> parse_scientific(const json::value& v) {
  if (!v.is_array()) throw ApiError::bad_request("scientific must be an array of conditions");
  if (v.get_array().size() > 32) throw ApiError::bad_request("Too many scientific conditions");
  std::vector<ScientificCondition> out;
  for (const auto& item : v.get_array()) {
    if (!item.is_object()) throw ApiError::bad_request("Each scientific condition must be an object");
    const auto& o = item.get_object();
    ScientificCondition c;
    if (auto* l = o.if_contains("lhs"); l && l->is_string()) c.lhs = l->get_string();
    if (auto* r = o.if_contains("relation"); r && r->is_string()) c.relation = r->get_string();
    if (auto* r = o.if_contains("rhs")) c.rhs = *r;
    if (auto* u = o.if_contains("unit"); u && u->is_string()) c.unit = u->get_string();
    if (c.lhs.empty() || c.lhs.size() > 512) throw ApiError::bad_request("Scientific condition needs lhs");
    // Upstream clients URL-encode dots in lhs; accept both forms.
    for (size_t pos; (pos = c.lhs.find("%2E")) != std::string::npos || (pos = c.lhs.find("%2e")) != std::string::npos;)
      c.lhs.replace(pos, 3, ".");
    out.push_back(std::move(c));
  }
  return out;
}

Condition scientific_condition(const CollectionSchema& schema, const ScientificCondition& c) {
  if (schema.scientific_field.empty()) throw ApiError::bad_request("No scientific metadata on " + schema.name);
  const std::string& rel = c.relation;
  ScientificTest test;
  test.path = c.lhs;
  if (rel == "EQUAL_TO_STRING") {
    test.kind = ScientificTest::Kind::TextEquals;
    test.text = c.rhs.is_string() ? std::string(c.rhs.get_string()) : json::serialize(c.rhs);
    return scientific(std::move(test));
  }
  if (rel == "CONTAINS_STRING") {
    if (!c.rhs.is_string()) throw ApiError::bad_request("CONTAINS_STRING needs a string rhs");
    test.kind = ScientificTest::Kind::TextContains;
    test.text = c.rhs.get_string();
    return scientific(std::move(test));
  }
  static const std::set<std::string, std::less<>> numeric{"EQUAL_TO_NUMERIC", "GREATER_THAN", "LESS_THAN",
                                                          "GREATER_THAN_OR_EQUAL", "LESS_THAN_OR_EQUAL", "RANGE"};
  if (!numeric.count(rel)) throw ApiError::bad_request("Unknown relation '" + rel + "'");

  std::vector<double> values;
  if (rel == "RANGE") {
    if (!c.rhs.is_array() || c.rhs.get_array().size() != 2) throw ApiError::bad_request("RANGE needs rhs [min, max]");
    values = {number_of(c.rhs.get_array()[0], "rhs"), number_of(c.rhs.get_array()[1], "rhs")};
  } else {
    values = {number_of(c.rhs, "rhs")};
  }

  // With a unit: compare SI values of leaves stored with the same SI dimension. A unit we
  // cannot convert is compared literally with leaves stored in that same unit.
  if (!c.unit.empty()) {
    std::string unit_si = c.unit;
    bool converted = false;
    for (auto& v : values) {
      if (auto si = UnitConverter::instance().to_si(v, c.unit)) {
        v = si->value;
        unit_si = si->unit;
        converted = true;
      }
    }
    test.unit_si = converted ? unit_si : c.unit;
  }
  if (rel == "RANGE") {  // exclusive, as upstream's $gt/$lt
    test.low = values[0];
    test.high = values[1];
    test.inclusive = false;
  } else if (rel == "EQUAL_TO_NUMERIC") {
    // Converted values carry rounding error: equal within 1e-9 relative.
    double tol = std::abs(values[0]) * 1e-9;
    test.low = values[0] - tol;
    test.high = values[0] + tol;
  } else {
    const bool above = rel == "GREATER_THAN" || rel == "GREATER_THAN_OR_EQUAL";
    (above ? test.low : test.high) = values[0];
    test.inclusive = rel == "GREATER_THAN_OR_EQUAL" || rel == "LESS_THAN_OR_EQUAL";
  }
  return scientific(std::move(test));
}

std::vector<Condition> fullquery_conditions(const CollectionSchema& schema, const json::object& fields,
                                               std::string_view scientific_key) {
  std::vector<Condition> out;
  for (const auto& [k, v] : fields) {
    std::string key(k);
    if (key == "mode") {
      if (!v.is_object()) throw ApiError::bad_request("mode must be an object");
      auto c = translate_where(schema, v);
      c.restricts = "mode";
      out.push_back(std::move(c));
    } else if (key == "text") {
      if (!v.is_string()) throw ApiError::bad_request("text must be a string");
      if (!v.get_string().empty()) out.push_back(text_condition(schema, v.get_string()));
    } else if (key == scientific_key) {
      for (const auto& c : parse_scientific(v)) out.push_back(scientific_condition(schema, c));
    } else if (key == "userGroups") {
      if (!v.is_array()) throw ApiError::bad_request("userGroups must be an array");
      std::vector<FieldValue> groups;
      for (const auto& g : v.get_array()) {
        if (!g.is_string()) continue;
        if (g.get_string() == "globalaccess") {  // functional accounts' bypass (reference §6.2)
          groups.clear();
          break;
        }
        groups.emplace_back(std::in_place_type<std::string>, g.get_string());
      }
      if (!groups.empty()) {
        Condition c = field_one_of(schema, kAccessField, std::move(groups));
        c.restricts = "userGroups";
        out.push_back(std::move(c));
      }
    } else if (key == "metadataKey" || (key == "isPublished" && v.is_null())) {
      continue;
    } else if (v.is_object() && (v.get_object().contains("begin") || v.get_object().contains("end"))) {
      json::object range;
      const auto& o = v.get_object();
      if (auto* b = o.if_contains("begin"); b && !b->is_null()) range["$gte"] = *b;
      if (auto* e = o.if_contains("end"); e && !e->is_null()) range["$lte"] = *e;
      if (!range.empty()) out.push_back(translate_field_condition(schema, key, range));
    } else if (v.is_object() && (v.get_object().contains("min") || v.get_object().contains("max"))) {
      json::object range;
      const auto& o = v.get_object();
      if (auto* mn = o.if_contains("min"); mn && !mn->is_null()) range["$gte"] = *mn;
      if (auto* mx = o.if_contains("max"); mx && !mx->is_null()) range["$lte"] = *mx;
      if (!range.empty()) out.push_back(translate_field_condition(schema, key, range));
    } else if (v.is_array()) {
      if (v.get_array().empty()) continue;  // the frontend sends empty lists for unused facets
      out.push_back(translate_field_condition(schema, key, json::object{{"$in", v}}));
    } else if (v.is_null()) {
      continue;
    } else {
      out.push_back(translate_field_condition(schema, key, v));
    }
  }
  return out;
}

}  // namespace openem
