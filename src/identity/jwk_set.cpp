#include "identity/jwk_set.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "core/json_fields.h"
#include "core/jwt.h"

namespace openem::identity {
namespace json = boost::json;
namespace {

using PkeyPtr = std::shared_ptr<EVP_PKEY>;
struct BnFree { void operator()(BIGNUM* b) const { BN_free(b); } };
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// A key from OpenSSL parameters (OpenSSL 3's EVP_PKEY_fromdata), checked to be a valid public key.
PkeyPtr key_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  bool ok = params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!ok) return nullptr;
  PkeyPtr out(pkey, EVP_PKEY_free);
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  bool valid = check && EVP_PKEY_public_check(check) == 1;  // an EC point off its curve is refused here
  EVP_PKEY_CTX_free(check);
  return valid ? out : nullptr;
}

PkeyPtr rsa_key(const std::string& n, const std::string& e, std::string& why) {
  BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr));
  BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr));
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  PkeyPtr key;
  if (bld && bn_n && bn_e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1)
    key = key_from_params("RSA", bld);
  OSSL_PARAM_BLD_free(bld);
  if (!key) why = "not a valid RSA public key";
  else if (EVP_PKEY_get_bits(key.get()) < 2048) why = "RSA key shorter than 2048 bits", key = nullptr;
  return key;
}

struct Curve {
  const char* jwk_name;
  const char* openssl_name;
  std::size_t coordinate_bytes;
  const char* alg;
};
constexpr Curve kCurves[] = {{"P-256", "prime256v1", 32, "ES256"},
                             {"P-384", "secp384r1", 48, "ES384"},
                             {"P-521", "secp521r1", 66, "ES512"}};

const Curve* curve_named(std::string_view crv) {
  for (const auto& c : kCurves)
    if (crv == c.jwk_name) return &c;
  return nullptr;
}

PkeyPtr ec_key(const Curve& curve, const std::string& x, const std::string& y, std::string& why) {
  if (x.size() != curve.coordinate_bytes || y.size() != curve.coordinate_bytes) {
    why = "EC coordinates of the wrong length for " + std::string(curve.jwk_name);
    return nullptr;
  }
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  PkeyPtr key;
  if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve.openssl_name, 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1)
    key = key_from_params("EC", bld);
  OSSL_PARAM_BLD_free(bld);
  if (!key) why = "not a valid point on " + std::string(curve.jwk_name);
  return key;
}

const EVP_MD* digest_of(std::string_view alg) {
  std::string_view bits = alg.size() == 5 ? alg.substr(2) : std::string_view();
  if (bits == "256") return EVP_sha256();
  if (bits == "384") return EVP_sha384();
  if (bits == "512") return EVP_sha512();
  return nullptr;
}

// JWS carries an ECDSA signature as R || S of fixed width (RFC 7518 §3.4); OpenSSL wants DER.
std::string ecdsa_der(std::string_view raw, std::size_t coordinate_bytes) {
  if (raw.size() != 2 * coordinate_bytes) return {};
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(coordinate_bytes), nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data() + coordinate_bytes),
                        static_cast<int>(coordinate_bytes), nullptr);
  std::string der;
  if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* out = nullptr;
    int len = i2d_ECDSA_SIG(sig, &out);
    if (len > 0) der.assign(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
    OPENSSL_free(out);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return der;
}

}  // namespace

bool JwkSet::supported_algorithm(std::string_view alg) {
  for (std::string_view a : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
    if (alg == a) return true;
  return false;
}

JwkSet JwkSet::parse(const json::value& jwks, std::vector<std::string>* skipped) {
  JwkSet set;
  const json::array* keys = nullptr;
  if (jwks.is_object())
    if (auto* k = jwks.get_object().if_contains("keys"); k && k->is_array()) keys = &k->get_array();
  if (!keys) return set;
  for (const auto& item : *keys) {
    if (!item.is_object()) continue;
    const json::object& o = item.get_object();
    Key key{json_string(o, "kid"), json_string(o, "kty"), json_string(o, "alg"), json_string(o, "crv"), nullptr};
    std::string why;
    auto bytes = [&](std::string_view name) { return base64url_decode(json_string(o, name)).value_or(""); };
    if (std::string use = json_string(o, "use"); !use.empty() && use != "sig") why = "not a signing key (use " + use + ")";
    else if (!key.alg.empty() && !supported_algorithm(key.alg)) why = "algorithm " + key.alg + " is not accepted";
    else if (key.kty == "RSA") key.pkey = rsa_key(bytes("n"), bytes("e"), why);
    else if (key.kty == "EC") {
      const Curve* curve = curve_named(key.crv);
      if (!curve) why = "curve '" + key.crv + "' is not accepted";
      else key.pkey = ec_key(*curve, bytes("x"), bytes("y"), why);
    } else if (key.kty == "OKP" && key.crv == "Ed25519") {
      std::string x = bytes("x");
      EVP_PKEY* raw = x.size() == 32 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                                   reinterpret_cast<const unsigned char*>(x.data()), 32)
                                     : nullptr;
      if (raw) key.pkey = PkeyPtr(raw, EVP_PKEY_free);
      else why = "not a valid Ed25519 key";
    } else why = "key type '" + key.kty + "' is not accepted";
    if (key.pkey) set.keys_.push_back(std::move(key));
    else if (skipped) skipped->push_back((key.kid.empty() ? std::string("a key") : "key " + key.kid) + ": " + why);
  }
  return set;
}

bool JwkSet::fits(const Key& key, std::string_view alg) {
  if (!key.alg.empty() && key.alg != alg) return false;
  if (alg.substr(0, 2) == "RS" || alg.substr(0, 2) == "PS") return key.kty == "RSA";
  if (alg.substr(0, 2) == "ES") {
    const Curve* curve = curve_named(key.crv);
    return key.kty == "EC" && curve && alg == curve->alg;
  }
  return alg == "EdDSA" && key.kty == "OKP";
}

bool JwkSet::verify_with(const Key& key, std::string_view alg, std::string_view input, std::string_view signature) {
  std::string der;
  if (alg.substr(0, 2) == "ES") {
    der = ecdsa_der(signature, curve_named(key.crv)->coordinate_bytes);
    if (der.empty()) return false;
    signature = der;
  }
  const EVP_MD* md = alg == "EdDSA" ? nullptr : digest_of(alg);
  if (alg != "EdDSA" && !md) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = ctx && EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key.pkey.get()) == 1;
  if (ok && alg.substr(0, 2) == "PS")
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                              reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

bool JwkSet::verify(std::string_view alg, std::string_view kid, std::string_view signing_input,
                    std::string_view signature) const {
  if (!supported_algorithm(alg)) return false;
  for (const auto& key : keys_) {
    if (!kid.empty() && key.kid != kid) continue;
    if (fits(key, alg) && verify_with(key, alg, signing_input, signature)) return true;
  }
  return false;
}

bool JwkSet::has_key(std::string_view kid) const {
  for (const auto& key : keys_)
    if (key.kid == kid) return true;
  return false;
}

}  // namespace openem::identity
