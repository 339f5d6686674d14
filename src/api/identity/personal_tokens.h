#pragma once
// Personal API tokens: long-lived credentials a user makes for scripts, the ingestor and
// other tools, names, limits to a scope and revokes (docs/security.md "API tokens").
//
//   oem.<base64url user id>.<token id>.<secret>
//
// The secret (256 random bits) is shown once, at creation; the server keeps only its SHA-256,
// with the token's id, name, scope and expiry, in the user's record. Every request with such
// a token reads that record from the catalog — no cache — so a revoked or expired token, a
// removed user or a changed group applies at once, on every API process sharing the catalog.
// A token can do at most what its user can, and less by its scope:
//   read    GET and HEAD only
//   ingest  read, plus creating and changing datasets, file lists, attachments, samples and
//           jobs, and uploads; no deletes (but ending one's own upload), no account changes
//   admin   everything its user may do
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/catalog_store.h"

namespace openem {

enum class TokenScope { Read, Ingest, Admin };
std::optional<TokenScope> parse_token_scope(std::string_view name);
const char* token_scope_name(TokenScope scope);

// Whether a token of `scope` may make this request; `segments`: the request path's decoded
// segments as the router matches them (so no encoding can make one path look like another).
bool token_scope_allows(TokenScope scope, std::string_view method, const std::vector<std::string>& segments);

struct PersonalToken {
  std::string id, name;
  TokenScope scope = TokenScope::Read;
  std::string created_at;   // ISO 8601
  double expires = 0;       // seconds since the epoch; 0: never
};

struct VerifiedPersonalToken {
  UserRecord user;  // as stored now
  PersonalToken token;
};

// Whether a credential has the personal-token form (so nothing else needs to look at it).
bool is_personal_token(std::string_view token);

// A new token for the user: its record and the secret form shown once. nullopt when the
// user does not exist. Throws ApiError 400 for a user who already holds kMaxPersonalTokens.
std::optional<std::pair<PersonalToken, std::string>> create_personal_token(CatalogStore& store, const std::string& user_id,
                                                                           std::string name, TokenScope scope,
                                                                           double expires);
std::vector<PersonalToken> personal_tokens_of(const UserRecord& user);
// Removes a token; false when the user or the token does not exist.
bool revoke_personal_token(CatalogStore& store, const std::string& user_id, const std::string& token_id);
// The user and token of a credential that is valid at `now`; nullopt for anything else.
std::optional<VerifiedPersonalToken> verify_personal_token(CatalogStore& store, std::string_view credential, double now);

inline constexpr std::size_t kMaxPersonalTokens = 50;

}  // namespace openem
