#include "identity/provider_client.h"


#include "core/json_fields.h"
#include "core/time.h"
#include "ingest/http_client.h"
#include "ingest/sha256.h"

namespace openem::identity {
namespace json = boost::json;
namespace {

constexpr double kMetadataSeconds = 3600;   // how long the discovery document is trusted
constexpr double kRetrySeconds = 30;        // after a failed fetch, and between key refreshes
constexpr double kKeysMaxAgeSeconds = 3600;

ProviderClient::Fetch curl_fetch(int timeout_seconds) {
  return [timeout_seconds](const std::string& method, const std::string& url, const std::vector<std::string>& headers,
                           const std::string& body) {
    ingest::HttpClient http("http://unused");  // one per call: sign-ins are rare, clients are not thread-safe
    http.set_timeout_seconds(timeout_seconds);
    auto r = http.request(method, url, headers, body, method == "POST");
    return ProviderClient::Response{r.status, std::move(r.body)};
  };
}

}  // namespace

bool acceptable_endpoint(const std::string& url) {
  if (url.rfind("https://", 0) == 0) return url.size() > 8;
  if (url.rfind("http://", 0) != 0) return false;
  std::string_view rest(url);
  rest.remove_prefix(7);
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.find('@') != std::string_view::npos) return false;  // no user info: it hides the real host
  if (host.rfind("[::1]", 0) == 0) return true;
  host = host.substr(0, host.find(':'));
  return host == "localhost" || host.rfind("127.", 0) == 0;
}

std::string form_encode(std::string_view s) { return ingest::url_encode(s); }

ProviderClient::ProviderClient(OidcSettings settings, Fetch fetch, Clock clock)
    : settings_(std::move(settings)),
      fetch_(fetch ? std::move(fetch) : curl_fetch(settings_.timeout_seconds)),
      clock_(clock ? std::move(clock) : Clock(wall_clock_seconds)) {}

std::optional<json::value> ProviderClient::fetch_json(const std::string& method, const std::string& url,
                                                      const std::vector<std::string>& headers, const std::string& body,
                                                      std::string& error) {
  if (!acceptable_endpoint(url)) {
    error = "the provider's endpoint " + url + " is not https";
    return std::nullopt;
  }
  Response r;
  try {
    r = fetch_(method, url, headers, body);
  } catch (const std::exception& e) {
    error = "the identity provider did not answer (" + std::string(e.what()) + ")";
    return std::nullopt;
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (r.status != 200) {
    std::string detail = !ec && v.is_object() ? json_string(v.get_object(), "error") : std::string();
    error = "the identity provider answered " + std::to_string(r.status) + (detail.empty() ? "" : " (" + detail + ")");
    return std::nullopt;
  }
  if (ec || !v.is_object()) {
    error = "the identity provider's answer is not a JSON object";
    return std::nullopt;
  }
  return v;
}

std::optional<ProviderMetadata> ProviderClient::metadata(std::string& error) {
  const double now = clock_();
  {
    std::shared_lock lock(mu_);
    if (metadata_ && now < metadata_until_) return metadata_;
  }
  std::lock_guard fetching(fetch_mu_);
  {
    std::shared_lock lock(mu_);
    if (metadata_ && now < metadata_until_) return metadata_;
    if (now < metadata_retry_at_ && !metadata_) {
      error = "the identity provider could not be reached a moment ago; try again shortly";
      return std::nullopt;
    }
  }
  auto doc = fetch_json("GET", settings_.issuer + "/.well-known/openid-configuration", {"Accept: application/json"},
                        "", error);
  std::optional<ProviderMetadata> m;
  if (doc) {
    const json::object& o = doc->get_object();
    m = ProviderMetadata{json_string(o, "issuer"), json_string(o, "authorization_endpoint"), json_string(o, "token_endpoint"),
                         json_string(o, "userinfo_endpoint"), json_string(o, "jwks_uri"), json_string(o, "end_session_endpoint"), false};
    if (auto* methods = o.if_contains("token_endpoint_auth_methods_supported"); methods && methods->is_array()) {
      bool basic = false, post = false;
      for (const auto& x : methods->get_array()) {
        basic = basic || x == "client_secret_basic";
        post = post || x == "client_secret_post";
      }
      m->client_secret_post_only = post && !basic;
    }
    // Discovery §4.3: the document must be the configured issuer's own.
    if (m->issuer != settings_.issuer) error = "the discovery document names issuer '" + m->issuer + "', not " + settings_.issuer;
    else if (!acceptable_endpoint(m->authorization_endpoint) || !acceptable_endpoint(m->token_endpoint) ||
             !acceptable_endpoint(m->jwks_uri))
      error = "the discovery document lacks https authorization, token or jwks endpoints";
    if (!error.empty()) m.reset();
  }
  std::unique_lock lock(mu_);
  if (m) {
    metadata_ = m;
    metadata_until_ = now + kMetadataSeconds;
    return m;
  }
  metadata_retry_at_ = now + kRetrySeconds;
  return metadata_;  // a stale document beats none while the provider is away
}

std::shared_ptr<const JwkSet> ProviderClient::keys(bool refresh, std::string& error) {
  const double now = clock_();
  // Fetched (or failed) moments ago: the same answer, so unknown key ids cannot trigger fetches.
  auto cached = [&]() -> std::optional<std::shared_ptr<const JwkSet>> {
    std::shared_lock lock(mu_);
    double age = now - keys_fetched_at_;
    if (keys_ && age < kKeysMaxAgeSeconds && !refresh) return keys_;
    if (age < kRetrySeconds) return keys_;
    return std::nullopt;
  };
  if (auto k = cached()) {
    if (!*k) error = "the identity provider's keys could not be read a moment ago";
    return *k;
  }
  auto m = metadata(error);
  if (!m) return nullptr;
  std::lock_guard fetching(fetch_mu_);
  if (auto k = cached()) {  // another thread fetched while this one waited
    if (!*k) error = "the identity provider's keys could not be read a moment ago";
    return *k;
  }
  auto doc = fetch_json("GET", m->jwks_uri, {"Accept: application/json"}, "", error);
  std::unique_lock lock(mu_);
  keys_fetched_at_ = now;
  if (doc) keys_ = std::make_shared<const JwkSet>(JwkSet::parse(*doc));
  return keys_;  // after a failed refresh the keys held before stay in use
}

JwtCheck ProviderClient::check_jwt(const std::string& token, JwtExpectations expect) {
  std::string error;
  auto set = keys(false, error);
  if (!set) {
    JwtCheck c;
    c.error = error;
    return c;
  }
  expect.now = clock_();
  JwtCheck check = check_provider_jwt(token, *set, expect);
  if (check.outcome == JwtCheck::Outcome::UnknownKey) {
    if (auto newer = keys(true, error); newer && newer != set) check = check_provider_jwt(token, *newer, expect);
  }
  return check;
}

std::optional<std::string> ProviderClient::authorization_url(const std::string& state, const std::string& nonce,
                                                             const std::string& code_challenge, std::string& error) {
  auto m = metadata(error);
  if (!m) return std::nullopt;
  std::string url = m->authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + form_encode(settings_.client_id) +
         "&redirect_uri=" + form_encode(settings_.callback_url) + "&scope=" + form_encode(settings_.scope) +
         "&state=" + form_encode(state) + "&nonce=" + form_encode(nonce) +
         "&code_challenge=" + form_encode(code_challenge) + "&code_challenge_method=S256";
  return url;
}

std::optional<RedeemedCode> ProviderClient::redeem(const std::string& code, const std::string& code_verifier,
                                                   const std::string& nonce, std::string& error) {
  auto m = metadata(error);
  if (!m) return std::nullopt;
  std::string body = "grant_type=authorization_code&code=" + form_encode(code) +
                     "&redirect_uri=" + form_encode(settings_.callback_url) +
                     "&code_verifier=" + form_encode(code_verifier);
  std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  if (m->client_secret_post_only || settings_.client_secret.empty()) {
    body += "&client_id=" + form_encode(settings_.client_id);
    if (!settings_.client_secret.empty()) body += "&client_secret=" + form_encode(settings_.client_secret);
  } else {
    // RFC 6749 §2.3.1: both parts form-encoded before Basic.
    headers.push_back("Authorization: Basic " +
                      ingest::base64_encode(form_encode(settings_.client_id) + ":" + form_encode(settings_.client_secret)));
  }
  auto answer = fetch_json("POST", m->token_endpoint, headers, body, error);
  if (!answer) return std::nullopt;
  const json::object& o = answer->get_object();
  std::string id_token = json_string(o, "id_token");
  if (id_token.empty()) {
    error = "the identity provider returned no ID token (is 'openid' in OIDC_SCOPE?)";
    return std::nullopt;
  }
  JwtExpectations expect{settings_.issuer, {settings_.client_id}, settings_.client_id, nonce, 0, 60};
  JwtCheck check = check_jwt(id_token, expect);
  if (!check.valid()) {
    error = "the identity provider's ID token was refused: " + check.error;
    return std::nullopt;
  }
  return RedeemedCode{json_string(o, "access_token"), std::move(check.claims)};
}

std::optional<json::object> ProviderClient::userinfo(const std::string& access_token, const std::string& subject,
                                                     std::string& error) {
  auto m = metadata(error);
  if (!m) return std::nullopt;
  if (m->userinfo_endpoint.empty() || access_token.empty()) return json::object();  // the ID token's claims suffice
  auto answer = fetch_json("GET", m->userinfo_endpoint, {"Authorization: Bearer " + access_token, "Accept: application/json"},
                           "", error);
  if (!answer) return std::nullopt;
  // Core §5.3.2: the userinfo subject must be the ID token's, or the answer is not about this user.
  if (json_string(answer->get_object(), "sub") != subject) {
    error = "the identity provider's userinfo names another subject";
    return std::nullopt;
  }
  return std::move(answer->get_object());
}

JwtCheck ProviderClient::check_bearer(const std::string& token) {
  return check_jwt(token, JwtExpectations{settings_.issuer, settings_.audiences, settings_.client_id, std::nullopt, 0, 60});
}

}  // namespace openem::identity
