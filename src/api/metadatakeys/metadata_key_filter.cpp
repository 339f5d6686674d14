#include "api/metadatakeys/metadata_key_filter.h"

#include <algorithm>

#include "core/error.h"

namespace openem {
namespace json = boost::json;

MetadataKeyFilter::MetadataKeyFilter(json::value where) : where_(std::move(where)) { check(where_); }

// Walks the filter once: its shape, its operators, and each pattern compiled.
void MetadataKeyFilter::check(const json::value& where) {
  if (where.is_null()) return;
  if (!where.is_object()) throw ApiError::bad_request("filter.where must be an object");
  for (const auto& [key, cond] : where.get_object()) {
    if (key == "$and" || key == "$or" || key == "$nor") {
      if (!cond.is_array()) throw ApiError::bad_request(std::string(key) + " needs an array");
      for (const auto& part : cond.get_array()) check(part);
    } else {
      check_field(cond);
    }
  }
}

void MetadataKeyFilter::check_field(const json::value& cond) {
  if (!cond.is_object() || cond.get_object().empty()) return;  // equality with a value
  const json::object& ops = cond.get_object();
  for (const auto& [op, arg] : ops) {
    if (op == "$in" || op == "$nin") {
      if (!arg.is_array()) throw ApiError::bad_request(std::string(op) + " needs an array");
    } else if (op == "$regex") {
      if (!arg.is_string()) throw ApiError::bad_request("$regex needs a string");
      PatternOptions options;
      if (auto* o = ops.if_contains("$options")) {
        auto parsed = o->is_string() ? pattern_options(o->get_string()) : std::nullopt;
        if (!parsed) throw ApiError::bad_request("$options may hold only the letters i, m, s and x");
        options = *parsed;
      }
      try {
        patterns_.emplace(&ops, Pattern(arg.get_string(), options));
      } catch (const PatternError& e) {
        throw ApiError::bad_request(std::string("$regex is not a valid regular expression: ") + e.what());
      }
    } else if (op != "$eq" && op != "$ne" && op != "$exists" && op != "$options") {
      throw ApiError::bad_request("Unsupported operator " + std::string(op) + " in metadatakeys filter");
    }
  }
}

bool MetadataKeyFilter::matches(const json::object& key_doc) const { return matches(key_doc, where_); }

bool MetadataKeyFilter::matches(const json::object& doc, const json::value& where) const {
  if (where.is_null()) return true;
  for (const auto& [key, cond] : where.get_object()) {
    if (key == "$and" || key == "$or" || key == "$nor") {
      const auto& parts = cond.get_array();
      auto hit = [&](const json::value& w) { return matches(doc, w); };
      bool ok = key == "$and"  ? std::all_of(parts.begin(), parts.end(), hit)
                : key == "$or" ? std::any_of(parts.begin(), parts.end(), hit)
                               : std::none_of(parts.begin(), parts.end(), hit);
      if (!ok) return false;
    } else if (!field_matches(doc.if_contains(key), cond)) {
      return false;
    }
  }
  return true;
}

bool MetadataKeyFilter::field_matches(const json::value* actual, const json::value& cond) const {
  auto equals = [&](const json::value& wanted) {
    if (!actual) return false;
    if (*actual == wanted) return true;
    if (actual->is_array())
      for (const auto& item : actual->get_array())
        if (item == wanted) return true;
    return false;
  };
  if (!cond.is_object() || cond.get_object().empty()) return equals(cond);
  const json::object& ops = cond.get_object();
  for (const auto& [op, arg] : ops) {
    if (op == "$eq") {
      if (!equals(arg)) return false;
    } else if (op == "$ne") {
      if (equals(arg)) return false;
    } else if (op == "$in" || op == "$nin") {
      bool any = std::any_of(arg.get_array().begin(), arg.get_array().end(), equals);
      if (any != (op == "$in")) return false;
    } else if (op == "$exists") {
      if ((actual != nullptr) != (arg.is_bool() ? arg.get_bool() : true)) return false;
    } else if (op == "$regex") {
      if (!actual || !actual->is_string()) return false;
      try {
        if (!patterns_.at(&ops).search(actual->get_string())) return false;
      } catch (const PatternError&) {
        throw ApiError::bad_request("$regex is too complex: it needs too much backtracking on a key; "
                                    "simplify the pattern");
      }
    }
  }
  return true;
}

}  // namespace openem
