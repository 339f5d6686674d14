#pragma once
// Keys and tokens for the identity tests: fresh key pairs made with OpenSSL, their public
// halves as JWKs, and JWS signed the way a provider signs them. Test-only (linked into the
// component's tests through this header; nothing in the library includes it).
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>

#include "core/jwt.h"

namespace openem::identity::testing {

struct TestKey {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string kty, crv, kid;

  static TestKey rsa(std::string kid, int bits = 2048) {
    return {std::shared_ptr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)), EVP_PKEY_free),
            "RSA", "", std::move(kid)};
  }
  static TestKey ec(std::string kid, const char* curve = "P-256") {
    return {std::shared_ptr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve), EVP_PKEY_free), "EC", curve,
            std::move(kid)};
  }
  static TestKey ed25519(std::string kid) {
    return {std::shared_ptr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free), "OKP", "Ed25519",
            std::move(kid)};
  }

  static std::string bn_bytes(EVP_PKEY* k, const char* name, int width = 0) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(k, name, &bn) != 1) throw std::runtime_error("no parameter");
    std::string out(width ? width : BN_num_bytes(bn), '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
    BN_free(bn);
    return out;
  }

  // The public key as a JWK.
  boost::json::object jwk() const {
    boost::json::object o{{"kty", kty}, {"kid", kid}, {"use", "sig"}};
    if (kty == "RSA") {
      o["n"] = base64url_encode(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_N));
      o["e"] = base64url_encode(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_E));
    } else if (kty == "EC") {
      int width = crv == "P-256" ? 32 : crv == "P-384" ? 48 : 66;
      o["crv"] = crv;
      o["x"] = base64url_encode(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, width));
      o["y"] = base64url_encode(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, width));
    } else {
      unsigned char raw[32];
      size_t len = sizeof raw;
      EVP_PKEY_get_raw_public_key(pkey.get(), raw, &len);
      o["crv"] = crv;
      o["x"] = base64url_encode(std::string_view(reinterpret_cast<char*>(raw), len));
    }
    return o;
  }

  // The raw signature of `input` with `alg` (ECDSA as R || S, as JWS has it).
  std::string sign(const std::string& alg, const std::string& input) const {
    const EVP_MD* md = alg == "EdDSA"            ? nullptr
                       : alg.substr(2) == "256" ? EVP_sha256()
                       : alg.substr(2) == "384" ? EVP_sha384()
                                                 : EVP_sha512();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestSignInit(ctx, &pctx, md, nullptr, pkey.get());
    if (alg.rfind("PS", 0) == 0) {
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    size_t len = 0;
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    if (kty != "EC") return sig;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    int width = crv == "P-256" ? 32 : crv == "P-384" ? 48 : 66;
    std::string raw(2 * width, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), width);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + width, width);
    ECDSA_SIG_free(es);
    return raw;
  }

  // A compact JWS of `claims` with header {"alg", "kid", "typ"} (kid left out when empty).
  std::string token(const boost::json::object& claims, const std::string& alg, bool with_kid = true) const {
    boost::json::object header{{"alg", alg}, {"typ", "JWT"}};
    if (with_kid && !kid.empty()) header["kid"] = kid;
    std::string input = base64url_encode(boost::json::serialize(header)) + "." + base64url_encode(boost::json::serialize(claims));
    return input + "." + base64url_encode(sign(alg, input));
  }
};

inline boost::json::value jwks(std::initializer_list<const TestKey*> keys) {
  boost::json::array a;
  for (const auto* k : keys) a.push_back(k->jwk());
  return boost::json::object{{"keys", a}};
}

}  // namespace openem::identity::testing
