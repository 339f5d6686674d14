#include "identity/pending_sign_ins.h"

#include <openssl/sha.h>

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>

#include "core/sealed_box.h"
#include "core/json_fields.h"
#include "core/jwt.h"
#include "core/time.h"

namespace openem::identity {
namespace {

namespace json = boost::json;

// 32 random bytes, base64url: 43 characters, as RFC 7636 §4.1 recommends for verifiers.
std::string random_token() { return base64url_encode(random_bytes(32)); }

}  // namespace

PendingSignIns::PendingSignIns(const std::string& secret, std::size_t capacity, double lifetime_seconds, Clock clock)
    : box_(secret, "openem oidc sign-in seal v1"), capacity_(capacity ? capacity : 1), lifetime_(lifetime_seconds),
      clock_(clock ? std::move(clock) : Clock(wall_clock_seconds)) {}

PendingSignIns::Started PendingSignIns::start(std::string success_url, std::string return_url) {
  PendingSignIn p{random_token(), random_token(), random_token(), std::move(success_url), std::move(return_url), clock_()};
  json::object o{{"state", p.state}, {"nonce", p.nonce}, {"verifier", p.code_verifier},
                 {"success", p.success_url}, {"return", p.return_url}, {"started", p.started}};
  return {p, box_.seal(json::serialize(o))};
}

void PendingSignIns::forget_old(double now) {
  while (!taken_by_start_.empty() &&
         (taken_by_start_.begin()->first <= now - lifetime_ || taken_.size() >= capacity_)) {
    taken_.erase(taken_by_start_.begin()->second);
    taken_by_start_.erase(taken_by_start_.begin());
  }
}

std::optional<PendingSignIn> PendingSignIns::take(const std::string& state, const std::string& sealed, Refusal* why) {
  *why = Refusal::kNotThisBrowser;
  auto plain = box_.open(sealed);
  if (!plain) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*plain, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  PendingSignIn p{json_string(o, "state"), json_string(o, "nonce"), json_string(o, "verifier"), json_string(o, "success"), json_string(o, "return"), 0};
  const auto* started = o.if_contains("started");
  if (p.state.empty() || p.state != state || !started || !started->is_number()) return std::nullopt;
  p.started = started->to_number<double>();
  *why = Refusal::kSpentOrExpired;
  const double now = clock_();
  std::lock_guard lock(mu_);
  forget_old(now);
  if (p.started <= now - lifetime_ || p.started > now + 60) return std::nullopt;
  if (!taken_.insert(p.state).second) return std::nullopt;
  taken_by_start_.emplace(p.started, p.state);
  return p;
}

std::size_t PendingSignIns::remembered() const {
  std::lock_guard lock(mu_);
  return taken_.size();
}

std::string pkce_challenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

}  // namespace openem::identity
