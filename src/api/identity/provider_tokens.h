#pragma once
// ProviderTokens: Bearer tokens an OpenID Provider issued, accepted on the API so a
// facility's own tools can call openem directly. A token is checked once against the
// provider's keys (identity::ProviderClient::check_bearer: signature, issuer, audience,
// expiry), its user remembered as at sign-in (groups from the token's groups claim when it has
// one), and then kept with its expiry, like the server's own tokens (JwtVerifyCache): at most
// `capacity` tokens, then it starts over. Thread-safe.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/jwt.h"
#include "identity/external_profile.h"
#include "identity/provider_client.h"

namespace openem {

class ProviderTokens {
 public:
  // Makes or updates the account of a token's user; returns its user id, nullopt to refuse.
  using Remember = std::function<std::optional<std::string>(const identity::ExternalProfile&, bool groups_given)>;
  ProviderTokens(identity::ProviderClient& client, Remember remember, std::size_t capacity = 10000)
      : client_(client), remember_(std::move(remember)), capacity_(capacity) {}

  // The token's user id, "jti" and expiry; nullptr when the provider did not issue it for
  // this service, it expired, or its user is refused.
  std::shared_ptr<const VerifiedToken> verify(const std::string& token);

 private:
  identity::ProviderClient& client_;
  Remember remember_;
  std::size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const VerifiedToken>> tokens_;
};

}  // namespace openem
