#include "query/fullquery.h"

#include <cmath>

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

// A probe of the document's own leaves (the table is clustered by seq, path): queries are
// driven by access, text or the sort order, and each candidate is checked with a seek.
SqlCondition sci_subquery(const CollectionSchema& schema, const std::string& where, std::vector<SqlParam> params) {
  return {"EXISTS (SELECT 1 FROM " + schema.table + "_sci s WHERE s.seq = t.seq AND " + where + ")", std::move(params),
          "scientific"};
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

SqlCondition scientific_condition(const CollectionSchema& schema, const ScientificCondition& c) {
  if (schema.scientific_field.empty()) throw ApiError::bad_request("No scientific metadata on " + schema.name);
  const std::string& rel = c.relation;
  if (rel == "EQUAL_TO_STRING")
    return sci_subquery(schema, "s.path = ? AND s.text = ?",
                        {c.lhs, c.rhs.is_string() ? std::string(c.rhs.get_string()) : json::serialize(c.rhs)});
  if (rel == "CONTAINS_STRING") {
    if (!c.rhs.is_string()) throw ApiError::bad_request("CONTAINS_STRING needs a string rhs");
    std::string pattern = "%";
    for (char ch : c.rhs.get_string()) {
      if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
      pattern += ch;
    }
    return sci_subquery(schema, "s.path = ? AND s.text LIKE ? ESCAPE '\\'", {c.lhs, pattern + "%"});
  }
  const char* op = nullptr;
  if (rel == "EQUAL_TO_NUMERIC") op = "=";
  else if (rel == "GREATER_THAN") op = ">";
  else if (rel == "LESS_THAN") op = "<";
  else if (rel == "GREATER_THAN_OR_EQUAL") op = ">=";
  else if (rel == "LESS_THAN_OR_EQUAL") op = "<=";
  else if (rel != "RANGE") throw ApiError::bad_request("Unknown relation '" + rel + "'");

  std::vector<double> values;
  if (rel == "RANGE") {
    if (!c.rhs.is_array() || c.rhs.get_array().size() != 2) throw ApiError::bad_request("RANGE needs rhs [min, max]");
    values = {number_of(c.rhs.get_array()[0], "rhs"), number_of(c.rhs.get_array()[1], "rhs")};
  } else {
    values = {number_of(c.rhs, "rhs")};
  }

  // With a unit: compare SI values of leaves stored with the same SI dimension. A unit we
  // cannot convert is compared literally with leaves stored in that same unit.
  std::string value_col = "s.num";
  std::vector<SqlParam> params{c.lhs};
  std::string where = "s.path = ?";
  if (!c.unit.empty()) {
    value_col = "s.num_si";
    std::string unit_si = c.unit;
    bool converted = false;
    for (auto& v : values) {
      if (auto si = UnitConverter::instance().to_si(v, c.unit)) {
        v = si->value;
        unit_si = si->unit;
        converted = true;
      }
    }
    if (!converted) unit_si = c.unit;
    where += " AND s.unit_si = ?";
    params.push_back(unit_si);
  }
  // Numbers are built in place: GCC 12 warns on a temporary variant moved into the vector.
  if (rel == "RANGE") {
    where += " AND " + value_col + " > ? AND " + value_col + " < ?";
    params.emplace_back(std::in_place_type<double>, values[0]);
    params.emplace_back(std::in_place_type<double>, values[1]);
  } else if (std::string_view(op) == "=") {
    // Converted values carry rounding error: equal within 1e-9 relative.
    double tol = std::abs(values[0]) * 1e-9;
    where += " AND " + value_col + " BETWEEN ? AND ?";
    params.emplace_back(std::in_place_type<double>, values[0] - tol);
    params.emplace_back(std::in_place_type<double>, values[0] + tol);
  } else {
    where += " AND " + value_col + " " + op + " ?";
    params.emplace_back(std::in_place_type<double>, values[0]);
  }
  return sci_subquery(schema, where, std::move(params));
}

std::vector<SqlCondition> fullquery_conditions(const CollectionSchema& schema, const json::object& fields,
                                               std::string_view scientific_key) {
  std::vector<SqlCondition> out;
  for (const auto& [k, v] : fields) {
    std::string key(k);
    if (key == "mode") {
      if (!v.is_object()) throw ApiError::bad_request("mode must be an object");
      auto c = translate_where(schema, v);
      c.field = "mode";
      out.push_back(std::move(c));
    } else if (key == "text") {
      if (!v.is_string()) throw ApiError::bad_request("text must be a string");
      if (!v.get_string().empty()) out.push_back(text_condition(schema, v.get_string()));
    } else if (key == scientific_key) {
      for (const auto& c : parse_scientific(v)) out.push_back(scientific_condition(schema, c));
    } else if (key == "userGroups") {
      if (!v.is_array()) throw ApiError::bad_request("userGroups must be an array");
      std::vector<SqlParam> params{std::string(kAccessField)};
      std::string qs;
      for (const auto& g : v.get_array()) {
        if (!g.is_string()) continue;
        if (g.get_string() == "globalaccess") {  // functional accounts' bypass (reference §6.2)
          qs.clear();
          break;
        }
        params.push_back(std::string(g.get_string()));
        qs += qs.empty() ? "?" : ",?";
      }
      if (!qs.empty())
        out.push_back({"t.seq IN (SELECT v.seq FROM " + schema.table + "_values v WHERE v.field = ? AND v.value IN (" + qs + "))",
                       std::move(params), "userGroups"});
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
