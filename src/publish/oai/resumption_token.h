#pragma once
// Resumption tokens of openem's OAI-PMH lists (§3.5). A token carries everything needed to
// continue a list — the request's arguments, the harvest's fixed end, the key of the last
// record sent (a keyset position, not an offset: records added or changed meanwhile neither
// shift nor repeat the rest), the cursor, the list size and the expiry — signed with
// HMAC-SHA-256, so a server needs no state to resume it, any server of the catalog sharing the
// key can, and a changed or forged token is refused. Its content is readable (base64url of
// JSON): it holds nothing but public record keys and the harvester's own arguments. Pure
// functions; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "publish/oai/identifiers.h"

namespace openem::oai {

struct ListPosition {
  std::string verb;  // "ListRecords" or "ListIdentifiers"
  std::string metadata_prefix, set, from, until;  // the first request's arguments ("" when absent)
  std::string before;                             // the harvest's exclusive end, iso_utc
  std::string after_datestamp, after_id;          // the last record sent
  ItemKind after_kind = ItemKind::Dataset;        // ... and its kind (harvest.h order)
  std::int64_t cursor = 0;                        // records sent before the next response
  std::int64_t complete_list_size = 0;
  Millis expires = 0;
};

// Tokens live this long; the response's expirationDate says when one ends.
inline constexpr Millis kTokenLifetime = 24LL * 3600 * 1000;

std::string encode_token(const ListPosition& position, std::string_view key);

// The position in `token`, or why it is refused: malformed, not signed by `key`, of another
// verb than `verb`, or expired at `now`.
struct TokenResult {
  std::optional<ListPosition> position;
  std::string error;
};
TokenResult decode_token(std::string_view token, std::string_view key, std::string_view verb, Millis now);

// The signing key for tokens, derived from the server's secret (JWT_SECRET), so that tokens and
// sign-in tokens never share a key.
std::string token_key(std::string_view server_secret);

}  // namespace openem::oai
