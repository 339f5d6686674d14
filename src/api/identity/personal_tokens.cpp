#include "api/identity/personal_tokens.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "core/ids.h"
#include "core/json_fields.h"
#include "core/jwt.h"
#include "core/time.h"
#include "ingest/sha256.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr const char* kPrefix = "oem.";
constexpr const char* kTokensKey = "apiTokens";  // UserRecord.extra

PersonalToken from_json(const json::object& o) {
  PersonalToken t;
  t.id = json_string(o, "id");
  t.name = json_string(o, "name");
  t.scope = parse_token_scope(json_string(o, "scope")).value_or(TokenScope::Read);
  t.created_at = json_string(o, "createdAt");
  if (auto* e = o.if_contains("expires"); e && e->is_number()) t.expires = e->to_number<double>();
  return t;
}

bool same_ci(const std::string& segment, std::string_view word) {
  return segment.size() == word.size() &&
         std::equal(word.begin(), word.end(), segment.begin(),
                    [](char w, char c) { return std::tolower(static_cast<unsigned char>(c)) == w; });
}

// Whether the path starts with api/<version>/<area>, in any letter case (as the router
// matches routes).
bool in_area(const std::vector<std::string>& segments, std::string_view version, std::string_view area) {
  return segments.size() >= 3 && same_ci(segments[0], "api") && same_ci(segments[1], version) &&
         same_ci(segments[2], area);
}

}  // namespace

std::optional<TokenScope> parse_token_scope(std::string_view name) {
  if (name == "read") return TokenScope::Read;
  if (name == "ingest") return TokenScope::Ingest;
  if (name == "admin") return TokenScope::Admin;
  return std::nullopt;
}

const char* token_scope_name(TokenScope scope) {
  switch (scope) {
    case TokenScope::Read: return "read";
    case TokenScope::Ingest: return "ingest";
    case TokenScope::Admin: return "admin";
  }
  return "read";
}

bool token_scope_allows(TokenScope scope, std::string_view method, const std::vector<std::string>& segments) {
  if (scope == TokenScope::Admin || method == "GET" || method == "HEAD" || method == "OPTIONS") return true;
  if (scope == TokenScope::Read) return false;
  // Ingest: what `openem ingest`, the SciCat ingestors and processing pipelines write.
  if (method == "DELETE") return in_area(segments, "v3", "uploads");  // ending one's own tus upload
  if (method != "POST" && method != "PATCH" && method != "PUT") return false;
  for (std::string_view area : {"datasets", "origdatablocks", "attachments", "jobs"})
    if (in_area(segments, "v3", area) || in_area(segments, "v4", area)) return true;
  for (std::string_view area : {"datablocks", "samples", "uploads"})
    if (in_area(segments, "v3", area)) return true;
  return false;
}

bool is_personal_token(std::string_view token) { return token.rfind(kPrefix, 0) == 0; }

std::optional<std::pair<PersonalToken, std::string>> create_personal_token(CatalogStore& store, const std::string& user_id,
                                                                           std::string name, TokenScope scope,
                                                                           double expires) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a token");
  std::string secret = base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  PersonalToken token{random_hex(8), std::move(name), scope, now_iso(), expires};
  bool found = store.update_user(user_id, [&](UserRecord& user) {
    json::array tokens;
    if (auto* list = user.extra.if_contains(kTokensKey); list && list->is_array()) tokens = list->get_array();
    if (tokens.size() >= kMaxPersonalTokens)
      throw ApiError::bad_request("You hold " + std::to_string(kMaxPersonalTokens) + " tokens already: revoke one first");
    json::object entry{{"id", token.id},
                       {"name", token.name},
                       {"scope", token_scope_name(scope)},
                       {"createdAt", token.created_at},
                       {"sha256", ingest::sha256_hex(secret)}};
    if (expires > 0) entry["expires"] = expires;
    tokens.push_back(std::move(entry));
    user.extra[kTokensKey] = std::move(tokens);
  });
  if (!found) return std::nullopt;
  std::string credential = kPrefix + base64url_encode(user_id) + "." + token.id + "." + secret;
  return std::make_pair(std::move(token), std::move(credential));
}

std::vector<PersonalToken> personal_tokens_of(const UserRecord& user) {
  std::vector<PersonalToken> out;
  if (auto* list = user.extra.if_contains(kTokensKey); list && list->is_array())
    for (const auto& e : list->get_array())
      if (e.is_object()) out.push_back(from_json(e.get_object()));
  return out;
}

bool revoke_personal_token(CatalogStore& store, const std::string& user_id, const std::string& token_id) {
  bool removed = false;
  store.update_user(user_id, [&](UserRecord& user) {
    auto* list = user.extra.if_contains(kTokensKey);
    if (!list || !list->is_array()) return;
    json::array& tokens = list->get_array();
    auto it = std::find_if(tokens.begin(), tokens.end(),
                           [&](const json::value& e) { return e.is_object() && json_string(e.get_object(), "id") == token_id; });
    if (it == tokens.end()) return;
    tokens.erase(it);
    removed = true;
  });
  return removed;
}

std::optional<VerifiedPersonalToken> verify_personal_token(CatalogStore& store, std::string_view credential, double now) {
  if (!is_personal_token(credential) || credential.size() > 512) return std::nullopt;
  credential.remove_prefix(4);
  auto dot1 = credential.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : credential.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  auto user_id = base64url_decode(credential.substr(0, dot1));
  std::string token_id(credential.substr(dot1 + 1, dot2 - dot1 - 1));
  std::string secret(credential.substr(dot2 + 1));
  if (!user_id || user_id->empty() || token_id.empty() || secret.empty()) return std::nullopt;
  auto user = store.user_by_id(*user_id);
  if (!user) return std::nullopt;
  auto* list = user->extra.if_contains(kTokensKey);
  if (!list || !list->is_array()) return std::nullopt;
  const std::string hash = ingest::sha256_hex(secret);
  for (const auto& e : list->get_array()) {
    if (!e.is_object() || json_string(e.get_object(), "id") != token_id) continue;
    std::string stored = json_string(e.get_object(), "sha256");
    if (stored.size() != hash.size() || CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) != 0) return std::nullopt;
    PersonalToken token = from_json(e.get_object());
    if (token.expires > 0 && token.expires <= now) return std::nullopt;
    return VerifiedPersonalToken{std::move(*user), std::move(token)};
  }
  return std::nullopt;
}

}  // namespace openem
