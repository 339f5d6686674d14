#include "query/access.h"

#include <boost/json.hpp>

#include "model/access_set.h"

namespace openem {
namespace json = boost::json;

namespace {
ReadRule rule_for(const CollectionSchema& schema, const Principal& who, const ReadScope& scope, bool probe) {
  ReadRule rule;
  rule.anonymous = !who.authenticated();
  if (rule.anonymous) return rule;
  // The probe: one test on the row itself, its access set against the reader's.
  if (probe) rule.probe_key = access_set_key(readable_access_values(schema, who, scope).value().values);
  for (const auto& g : who.groups)
    if (!g.empty()) rule.groups.push_back(g);  // "" is the published marker, never a group
  if (scope.include_shared_with && schema.is_array_field("sharedWith")) rule.shared_with = who.email;
  return rule;
}
}  // namespace

Condition read_access_condition(const CollectionSchema& schema, const Principal& who, const ReadScope& scope,
                                bool probe) {
  if (!schema.ownable || scope.read_any) return Condition::always_true();
  Condition c;
  c.kind = Condition::Kind::Readable;
  c.read_rule = std::make_shared<const ReadRule>(rule_for(schema, who, scope, probe));
  // The same members, for a text search under this rule (the store's text index is tagged
  // with each row's access set).
  if (schema.has_access_set())
    c.text_readers = std::make_shared<const std::vector<std::string>>(readable_access_values(schema, who, scope)->values);
  return c;
}

std::optional<AccessValues> readable_access_values(const CollectionSchema& schema, const Principal& who,
                                                   const ReadScope& scope) {
  AccessValues out;
  if (!schema.ownable || scope.read_any) {
    out.everything = true;
    return out;
  }
  out.values.push_back(access_member_group(kPublishedValue));
  if (!who.authenticated()) return out;
  for (const auto& g : who.groups)
    if (!g.empty()) out.values.push_back(access_member_group(g));
  if (scope.include_shared_with && schema.is_array_field("sharedWith") && !who.email.empty())
    out.values.push_back(access_member_email(who.email));
  return out;
}

namespace {
bool string_in(const json::value* v, const std::vector<std::string>& set) {
  if (!v) return false;
  auto contains = [&](std::string_view s) {
    for (const auto& g : set)
      if (g == s) return true;
    return false;
  };
  if (v->is_string()) return contains(v->get_string());
  if (v->is_array())
    for (const auto& x : v->get_array())
      if (x.is_string() && contains(x.get_string())) return true;
  return false;
}
}  // namespace

bool can_read(const json::object& doc, const Principal& who, const ReadScope& scope) {
  if (scope.read_any) return true;
  if (auto* p = doc.if_contains("isPublished"); p && p->is_bool() && p->get_bool()) return true;
  if (!who.authenticated()) return false;
  if (string_in(doc.if_contains("ownerGroup"), who.groups)) return true;
  if (string_in(doc.if_contains("accessGroups"), who.groups)) return true;
  if (scope.include_shared_with && !who.email.empty() &&
      string_in(doc.if_contains("sharedWith"), std::vector<std::string>{who.email}))
    return true;
  return false;
}

bool owns(const json::object& doc, const Principal& who) {
  return who.authenticated() && string_in(doc.if_contains("ownerGroup"), who.groups);
}

}  // namespace openem
