#pragma once
// JwkSet: an OpenID Provider's public signing keys (a JWK Set, RFC 7517) and the check of a
// JWS signature against them (RFC 7515, algorithms of RFC 7518 §3 and RFC 8037).
//
// Only asymmetric algorithms are accepted — RS256/384/512, PS256/384/512, ES256/384/512 and
// EdDSA (Ed25519) — and a key is used only for the algorithm its type fits: the token's
// header chooses among the provider's keys, never the kind of check ("none", HS256 with a
// public key as the secret and a P-256 key for ES512 are all refused). RSA keys shorter than
// 2048 bits, encryption keys ("use": "enc") and keys of unknown type are left out when the
// set is read. Immutable after parse(); safe to share between threads.
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace openem::identity {

class JwkSet {
 public:
  // Reads {"keys": [...]}. Keys that cannot verify signatures are skipped; `skipped` (if
  // given) receives one line per skipped key saying why. An object without a "keys" array
  // yields an empty set.
  static JwkSet parse(const boost::json::value& jwks, std::vector<std::string>* skipped = nullptr);

  // Whether `signature` (the raw bytes of the token's third segment) is a valid signature
  // with `alg` over `signing_input` by the key named `kid` — or, when kid is empty, by any
  // key of the set that fits alg.
  bool verify(std::string_view alg, std::string_view kid, std::string_view signing_input,
              std::string_view signature) const;

  bool has_key(std::string_view kid) const;
  std::size_t size() const { return keys_.size(); }

  // The algorithms verify() accepts.
  static bool supported_algorithm(std::string_view alg);

 private:
  struct Key {
    std::string kid, kty, alg, crv;
    std::shared_ptr<EVP_PKEY> pkey;
  };
  static bool fits(const Key& key, std::string_view alg);
  static bool verify_with(const Key& key, std::string_view alg, std::string_view input, std::string_view signature);
  std::vector<Key> keys_;
};

}  // namespace openem::identity
