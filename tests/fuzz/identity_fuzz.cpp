// libFuzzer target for what identity reads from outside: a Bearer token's JWS (header,
// payload, signature) against a real key set, a provider's JWK Set document, the claims of a
// token mapped to a profile, and directory DNs. Every input must end in a refusal or a value —
// never a crash, a sanitizer report or an exception.
#include <boost/json.hpp>

#include <cstdint>
#include <string>

#include "identity/external_profile.h"
#include "identity/jwk_set.h"
#include "identity/ldap_directory.h"
#include "identity/provider_jwt.h"
#include "identity/test_keys.h"

namespace {
namespace json = boost::json;
using openem::identity::testing::TestKey;

const openem::identity::JwkSet& keys() {
  static TestKey rsa = TestKey::rsa("r1"), ec = TestKey::ec("e1"), ed = TestKey::ed25519("d1");
  static openem::identity::JwkSet set = openem::identity::JwkSet::parse(openem::identity::testing::jwks({&rsa, &ec, &ed}));
  return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  openem::identity::JwtExpectations expect{"https://id", {"openem"}, "openem", std::string("n"), 1.8e9, 60};
  (void)openem::identity::check_provider_jwt(input, keys(), expect);
  (void)openem::identity::jws_algorithm(input);
  (void)openem::identity::first_rdn_value(input);
  (void)openem::identity::escape_filter_value(input);
  boost::system::error_code ec;
  json::value v = json::parse(input, ec);
  if (!ec) {
    std::vector<std::string> skipped;
    (void)openem::identity::JwkSet::parse(v, &skipped);
    if (v.is_object()) {
      openem::OidcSettings settings;
      settings.groups_claim = "realm_access.roles";
      settings.username_claims = {"iss", "sub"};
      std::string error;
      (void)openem::identity::map_claims(v.get_object(), settings, error);
    }
  }
  return 0;
}
