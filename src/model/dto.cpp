#include "model/dto.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "core/time.h"

namespace openem {
namespace json = boost::json;
namespace {

bool is_email(std::string_view s) {
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  auto dot = s.find('.', at + 1);
  if (dot == std::string_view::npos || dot == at + 1 || dot + 1 >= s.size()) return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n'; });
}

void check(const std::string& name, const json::value& v, FieldType type, std::vector<std::string>& out) {
  switch (type) {
    case FieldType::Any: return;
    case FieldType::String:
      if (!v.is_string()) out.push_back(name + " must be a string");
      return;
    case FieldType::NonEmptyString:
      if (!v.is_string()) out.push_back(name + " must be a string");
      else if (v.get_string().empty()) out.push_back(name + " should not be empty");
      return;
    case FieldType::Email:
      if (!v.is_string() || !is_email(v.get_string())) out.push_back(name + " must be an email");
      return;
    case FieldType::EmailList: {
      bool ok = v.is_string() && !v.get_string().empty();
      if (ok) {
        std::string_view list = v.get_string();
        while (ok) {
          auto semi = list.find(';');
          std::string_view one = list.substr(0, semi);
          while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
          while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
          ok = is_email(one);
          if (semi == std::string_view::npos) break;
          list.remove_prefix(semi + 1);
        }
      }
      if (!ok)
        out.push_back("Expected an email or a list of semicolon separated emails, got " +
                      (v.is_string() ? std::string(v.get_string()) : json::serialize(v)));
      return;
    }
    case FieldType::Date:
      if (!v.is_string() || !parse_iso(v.get_string())) out.push_back(name + " must be a valid ISO 8601 date string");
      return;
    case FieldType::Integer:
      // Whole numbers a 64-bit signed integer holds: sizes and counts are summed and compared
      // as such. (A JSON number above INT64_MAX parses as uint64; doubles are range-checked
      // before the cast, which is undefined outside it.)
      if (!(v.is_int64() || (v.is_double() && std::isfinite(v.get_double()) && v.get_double() == std::trunc(v.get_double()) &&
                             std::fabs(v.get_double()) < 9.2e18)))
        out.push_back(name + " must be a number conforming to the specified constraints");
      return;
    case FieldType::Number:
      if (!v.is_number()) out.push_back(name + " must be a number conforming to the specified constraints");
      return;
    case FieldType::Boolean:
      if (!v.is_bool()) out.push_back(name + " must be a boolean value");
      return;
    case FieldType::Object:
      if (!v.is_object()) out.push_back(name + " must be an object");
      return;
    case FieldType::StringArray:
      if (!v.is_array()) out.push_back(name + " must be an array");
      else if (std::any_of(v.get_array().begin(), v.get_array().end(), [](const json::value& x) { return !x.is_string(); }))
        out.push_back("each value in " + name + " must be a string");
      return;
    case FieldType::ObjectArray:
      if (!v.is_array()) out.push_back(name + " must be an array");
      else if (std::any_of(v.get_array().begin(), v.get_array().end(), [](const json::value& x) { return !x.is_object(); }))
        out.push_back("each value in " + name + " must be an object");
      return;
  }
}

}  // namespace

const std::vector<std::string>& server_managed_fields() {
  // versionNumber and versionSeries: a dataset's place among its versions (openem; docs/lineage.md).
  static const std::vector<std::string> f{"_id",     "createdAt", "createdBy",     "updatedAt",    "updatedBy",
                                          "__v",     "version",   "history",       "versionNumber", "versionSeries"};
  return f;
}

std::vector<std::string> validate_dto(const json::object& body, const DtoSpec& spec, bool partial,
                                      const std::vector<std::string>& ignored) {
  std::vector<std::string> out;
  for (const auto& [k, v] : body) {
    std::string_view key = k;
    if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) continue;
    auto it = std::find_if(spec.begin(), spec.end(), [&](const FieldSpec& f) { return f.name == key; });
    if (it == spec.end()) {
      out.push_back("property " + std::string(key) + " should not exist");
      continue;
    }
    if (v.is_null() && !it->required) continue;
    check(it->name, v, it->type, out);
  }
  if (!partial)
    for (const auto& f : spec)
      if (f.required && (!body.contains(f.name) || body.at(f.name).is_null()))
        out.push_back(f.name + " should not be empty");
  return out;
}

namespace {

// class-validator's constraint name for one of its messages.
std::string constraint_of(const std::string& message) {
  auto ends_with = [&](std::string_view tail) {
    return message.size() >= tail.size() && message.compare(message.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (ends_with("should not exist")) return "whitelistValidation";
  if (ends_with("should not be empty")) return "isNotEmpty";
  if (ends_with("must be a boolean value")) return "isBoolean";
  if (ends_with("must be an array")) return "isArray";
  if (message.find("must be one of the following values") != std::string::npos) return "isEnum";
  if (ends_with("must be a string")) return "isString";
  return "isValid";
}

}  // namespace

json::array validation_reasons(const std::vector<std::string>& messages) {
  json::array out;
  for (const auto& m : messages) {
    std::string property = m.substr(0, m.find(' '));
    if (property == "each" || property == "property") {  // "each value in X ...", "property X should not exist"
      auto rest = m.substr(m.find(' ') + 1);
      if (property == "each") rest = rest.substr(rest.find("in ") + 3);
      property = rest.substr(0, rest.find(' '));
    }
    if (auto dot = property.find('.'); dot != std::string::npos) property = property.substr(0, dot);
    out.emplace_back(json::object{{"property", property},
                                  {"constraints", json::object{{constraint_of(m), m}}},
                                  {"children", json::array()}});
  }
  return out;
}

}  // namespace openem
