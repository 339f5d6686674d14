#include "model/scientific_metadata.h"

#include <charconv>
#include <cmath>
#include <set>

#include "core/error.h"
#include "core/units.h"

namespace openem {
namespace {

namespace json = boost::json;

[[noreturn]] void too_deep() {
  throw ApiError::bad_request("scientificMetadata is nested deeper than " +
                              std::to_string(kMaxScientificDepth) + " levels");
}

// A whole-string finite number ("40", "-4E-07", "2.5e3"); nothing else (no "inf", no "12 nm").
std::optional<double> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);  // from_chars rejects a plus sign
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> as_number(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_string()) return parse_number(v.get_string());
  return std::nullopt;
}

// The value and unit of a quantity object, or nullptrs when the object is not one.
struct QuantityKeys {
  const json::value* value = nullptr;
  const json::string* unit = nullptr;
};

QuantityKeys quantity_keys(const json::object& o) {
  const json::value* value = o.if_contains("value");
  if (!value) value = o.if_contains("v");
  const json::value* unit = o.if_contains("unit");
  if (!unit) unit = o.if_contains("u");
  if (!value || !unit || !unit->is_string() || value->is_object()) return {};
  return {value, &unit->get_string()};
}

std::string join(const std::string& parent, std::string_view key) {
  std::string p = parent;
  if (!p.empty()) p += '.';
  p.append(key.data(), key.size());
  return p;
}

class Indexer {
 public:
  std::vector<ScientificLeaf> leaves;

  void walk(const json::value& v, const std::string& path, int depth) {
    switch (v.kind()) {
      case json::kind::object: {
        if (depth > kMaxScientificDepth) too_deep();
        const json::object& o = v.get_object();
        if (QuantityKeys q = quantity_keys(o); q.value) {
          quantity(*q.value, std::string_view(*q.unit), path, depth + 1);
          return;
        }
        for (const auto& kv : o) walk(kv.value(), join(path, kv.key()), depth + 1);
        return;
      }
      case json::kind::array:
        if (depth > kMaxScientificDepth) too_deep();
        for (const auto& e : v.get_array()) walk(e, path, depth + 1);
        return;
      case json::kind::null:
        return;
      default:
        scalar(v, path, "");
    }
  }

 private:
  // `depth` is the nesting level of `value` itself; nested arrays keep the quantity's unit.
  void quantity(const json::value& value, std::string_view unit, const std::string& path,
                int depth) {
    if (value.is_array()) {
      if (depth > kMaxScientificDepth) too_deep();
      for (const auto& e : value.get_array()) quantity(e, unit, path, depth + 1);
    } else if (value.is_object()) {
      walk(value, path, depth);  // not a range element: index it like any other value
    } else if (!value.is_null()) {
      scalar(value, path, unit);
    }
  }

  void scalar(const json::value& v, const std::string& path, std::string_view unit) {
    if (leaves.size() >= kMaxScientificLeaves) {
      throw ApiError::bad_request("scientificMetadata has more than " +
                                  std::to_string(kMaxScientificLeaves) + " values");
    }
    ScientificLeaf leaf;
    leaf.path = path;
    leaf.unit = std::string(unit);
    if (v.is_string()) {
      leaf.text = std::string(v.get_string());
    } else if (v.is_bool()) {
      leaf.text = v.get_bool() ? "true" : "false";
    }
    leaf.number = as_number(v);
    if (!unit.empty()) {
      if (auto si = UnitConverter::instance().to_si(leaf.number.value_or(0), unit)) {
        leaf.unit_si = si->unit;
        if (leaf.number) leaf.value_si = si->value;
      } else {
        leaf.unit_unknown = true;
      }
    } else {
      leaf.value_si = leaf.number;
    }
    leaves.push_back(std::move(leaf));
  }
};

// The valueSI of a quantity whose unit converts: numbers (and numeric strings) converted,
// arrays element-wise with non-numeric elements copied. nullopt when nothing is numeric.
std::optional<json::value> si_value(const json::value& value, std::string_view unit, int depth) {
  if (value.is_array()) {
    if (depth > kMaxScientificDepth) too_deep();
    json::array out;
    bool any = false;
    for (const auto& e : value.get_array()) {
      if (auto d = si_value(e, unit, depth + 1)) {
        out.push_back(std::move(*d));
        any = true;
      } else {
        out.push_back(e);
      }
    }
    return any ? std::optional<json::value>(std::move(out)) : std::nullopt;
  }
  auto n = as_number(value);
  if (!n) return std::nullopt;
  auto si = UnitConverter::instance().to_si(*n, unit);
  if (!si) return std::nullopt;
  return json::value(si->value);
}

json::value enrich(const json::value& v, int depth) {
  switch (v.kind()) {
    case json::kind::object: {
      if (depth > kMaxScientificDepth) too_deep();
      const json::object& o = v.get_object();
      QuantityKeys q = quantity_keys(o);
      if (q.value && !q.unit->empty()) {
        json::object out = o;
        std::string_view unit(*q.unit);
        auto si = UnitConverter::instance().to_si(0, unit);
        std::optional<json::value> value_si = si ? si_value(*q.value, unit, depth + 1) : std::nullopt;
        // Conversion errors are swallowed upstream: valueSI = value, unitSI = unit as given.
        out["valueSI"] = value_si ? std::move(*value_si) : *q.value;
        out["unitSI"] = value_si ? json::string(si->unit) : *q.unit;
        return out;
      }
      if (q.value) return o;  // empty unit: a quantity without a unit, stored as given
      json::object out;
      out.reserve(o.size());
      for (const auto& kv : o) out.emplace(kv.key(), enrich(kv.value(), depth + 1));
      return out;
    }
    case json::kind::array: {
      if (depth > kMaxScientificDepth) too_deep();
      json::array out;
      out.reserve(v.get_array().size());
      for (const auto& e : v.get_array()) out.push_back(enrich(e, depth + 1));
      return out;
    }
    default:
      return v;
  }
}

}  // namespace

std::vector<ScientificLeaf> index_scientific_metadata(const json::value& sm) {
  Indexer indexer;
  indexer.walk(sm, "", 1);
  return std::move(indexer.leaves);
}

json::value with_si_values(const json::value& sm) { return enrich(sm, 1); }

std::vector<std::string> unknown_unit_paths(const std::vector<ScientificLeaf>& leaves) {
  std::vector<std::string> out;
  std::set<std::string_view> seen;
  for (const auto& l : leaves) {
    if (l.unit_unknown && seen.insert(l.path).second) out.push_back(l.path);
  }
  return out;
}

}  // namespace openem
