#include "identity/external_profile.h"

#include <algorithm>

#include "core/json_path.h"
#include "ingest/sha256.h"

namespace openem::identity {
namespace json = boost::json;
namespace {

// The claim at a dotted path ("realm_access.roles"); a name that exists as is wins (claim
// names may contain dots, as URIs do).
const json::value* claim_at(const json::object& claims, std::string_view path) {
  if (auto* v = claims.if_contains(path)) return v;
  return value_at_path(claims, path);
}

std::string text(const json::object& claims, std::string_view path) {
  const json::value* v = path.empty() ? nullptr : claim_at(claims, path);
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return {};
}

bool usable_name(const std::string& s) {
  return !s.empty() && s.size() <= 256 &&
         std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::vector<std::string> groups_of(const json::object& claims, const std::string& path) {
  std::vector<std::string> raw;
  const json::value* v = path.empty() ? nullptr : claim_at(claims, path);
  if (v && v->is_array()) {
    for (const auto& g : v->get_array())
      if (g.is_string()) raw.emplace_back(g.get_string());
  } else if (v && v->is_string()) {
    raw = GroupList::parse(v->get_string()).groups;
  }
  std::vector<std::string> out;
  for (auto& g : raw)
    if (usable_name(g) && std::find(out.begin(), out.end(), g) == out.end()) out.push_back(std::move(g));
  return out;
}

}  // namespace

std::optional<ExternalProfile> map_claims(const json::object& claims, const OidcSettings& settings, std::string& error) {
  ExternalProfile p;
  p.provider = text(claims, "iss");
  p.external_id = text(claims, "sub");
  if (p.external_id.empty()) p.external_id = text(claims, "user_id");  // before OpenID Connect draft 22
  if (p.external_id.empty()) {
    error = "the provider named no subject (sub)";
    return std::nullopt;
  }
  if (!settings.username_claims.empty()) {
    for (const auto& field : settings.username_claims)
      if (std::string part = text(claims, field); !part.empty()) p.username += (p.username.empty() ? "" : "_") + part;
  }
  if (p.username.empty()) p.username = text(claims, "preferred_username");
  if (p.username.empty()) p.username = text(claims, "name");
  if (p.username.empty()) p.username = p.external_id;
  if (!usable_name(p.username)) {
    error = "the provider's user name is empty, too long or has control characters";
    return std::nullopt;
  }
  p.display_name = text(claims, settings.display_name_claim);
  if (!usable_name(p.display_name)) p.display_name = p.username;
  p.email = text(claims, settings.email_claim);
  if (!usable_name(p.email)) p.email.clear();
  p.groups = groups_of(claims, settings.groups_claim);
  p.groups_present = !settings.groups_claim.empty() && claim_at(claims, settings.groups_claim) != nullptr;
  return p;
}

std::string external_user_id(const std::string& provider, const std::string& external_id, const std::string& strategy) {
  // Length-prefixed, so no issuer/subject pair can be written as another one.
  return strategy + "-" + ingest::sha256_hex(std::to_string(provider.size()) + ":" + provider + external_id).substr(0, 32);
}

}  // namespace openem::identity
