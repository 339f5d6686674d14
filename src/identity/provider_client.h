#pragma once
// ProviderClient: openem's side of an OpenID Provider (OpenID Connect Core and Discovery 1.0).
// Reads the discovery document and the provider's keys (JWKS), both cached: the document for
// an hour, the keys until a token names a key id they lack (the provider rotated its keys:
// fetched again, at most once per 30 s, so tokens with made-up key ids cannot make openem
// hammer the provider). Redeems authorization codes (with the PKCE verifier), checks ID
// tokens, reads userinfo, and checks Bearer access tokens.
//
// Errors are values: every call that talks to the provider returns nullopt and fills `error`
// with a sentence for the log and the user (never a token or the client secret). A provider
// that is down or slow costs at most OidcSettings::timeout_seconds per request. Endpoints must
// be https, except on loopback addresses (tests, a provider beside openem).
// Thread-safe.
#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "core/config.h"
#include "identity/jwk_set.h"
#include "identity/provider_jwt.h"

namespace openem::identity {

struct ProviderMetadata {
  std::string issuer, authorization_endpoint, token_endpoint, userinfo_endpoint, jwks_uri, end_session_endpoint;
  bool client_secret_post_only = false;  // the provider takes the secret in the body, not by HTTP Basic
};

struct RedeemedCode {
  std::string access_token;
  boost::json::object id_claims;  // the checked ID token's claims
};

class ProviderClient {
 public:
  // What fetches a URL: (method, url, headers, body) → (status, body); throws on transport
  // failure. The default uses libcurl with the settings' timeout; tests may replace it.
  struct Response {
    long status = 0;
    std::string body;
  };
  using Fetch = std::function<Response(const std::string& method, const std::string& url,
                                       const std::vector<std::string>& headers, const std::string& body)>;
  using Clock = std::function<double()>;  // seconds since the epoch

  explicit ProviderClient(OidcSettings settings, Fetch fetch = {}, Clock clock = {});

  const OidcSettings& settings() const { return settings_; }

  std::optional<ProviderMetadata> metadata(std::string& error);
  // The provider's authorization URL for a sign-in (code flow, S256 PKCE challenge).
  std::optional<std::string> authorization_url(const std::string& state, const std::string& nonce,
                                               const std::string& code_challenge, std::string& error);
  // Exchanges a code at the token endpoint and checks the ID token (signature, issuer,
  // audience, expiry, nonce).
  std::optional<RedeemedCode> redeem(const std::string& code, const std::string& code_verifier,
                                     const std::string& nonce, std::string& error);
  // The userinfo claims for an access token; they must name `subject`.
  std::optional<boost::json::object> userinfo(const std::string& access_token, const std::string& subject,
                                              std::string& error);
  // A Bearer token issued by the provider for this service (audience OidcSettings::audiences).
  JwtCheck check_bearer(const std::string& token);

 private:
  JwtCheck check_jwt(const std::string& token, JwtExpectations expect);
  std::shared_ptr<const JwkSet> keys(bool refresh, std::string& error);
  std::optional<boost::json::value> fetch_json(const std::string& method, const std::string& url,
                                               const std::vector<std::string>& headers, const std::string& body,
                                               std::string& error);

  OidcSettings settings_;
  Fetch fetch_;
  Clock clock_;
  std::mutex fetch_mu_;  // one thread fetches the document or the keys at a time
  mutable std::shared_mutex mu_;
  std::optional<ProviderMetadata> metadata_;
  double metadata_until_ = 0;
  double metadata_retry_at_ = 0;  // after a failure: not before
  std::shared_ptr<const JwkSet> keys_;
  double keys_fetched_at_ = -1e18;
};

// A URL openem may talk to: https, or http on a loopback host.
bool acceptable_endpoint(const std::string& url);

// Percent-encodes a query or form value (RFC 3986 unreserved characters kept).
std::string form_encode(std::string_view s);

}  // namespace openem::identity
