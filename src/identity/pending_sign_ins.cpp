#include "identity/pending_sign_ins.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

#include "core/jwt.h"
#include "core/time.h"

namespace openem::identity {
namespace {

// 32 random bytes, base64url: 43 characters, as RFC 7636 §4.1 recommends for verifiers.
std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a sign-in");
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace

PendingSignIns::PendingSignIns(std::size_t capacity, double lifetime_seconds, Clock clock)
    : capacity_(capacity ? capacity : 1), lifetime_(lifetime_seconds), clock_(clock ? std::move(clock) : Clock(wall_clock_seconds)) {}

void PendingSignIns::prune(double now) {
  while (!by_start_.empty() && (by_start_.begin()->first <= now - lifetime_ || by_state_.size() >= capacity_)) {
    by_state_.erase(by_start_.begin()->second);
    by_start_.erase(by_start_.begin());
  }
}

PendingSignIn PendingSignIns::start(std::string success_url, std::string return_url) {
  PendingSignIn p{random_token(), random_token(), random_token(), std::move(success_url), std::move(return_url), clock_()};
  std::lock_guard lock(mu_);
  prune(p.started);
  by_start_.emplace(p.started, p.state);
  by_state_.emplace(p.state, p);
  return p;
}

std::optional<PendingSignIn> PendingSignIns::take(const std::string& state) {
  std::lock_guard lock(mu_);
  auto it = by_state_.find(state);
  if (it == by_state_.end()) return std::nullopt;
  PendingSignIn p = std::move(it->second);
  by_state_.erase(it);
  for (auto [b, e] = by_start_.equal_range(p.started); b != e; ++b)
    if (b->second == state) {
      by_start_.erase(b);
      break;
    }
  if (p.started <= clock_() - lifetime_) return std::nullopt;
  return p;
}

std::size_t PendingSignIns::size() const {
  std::lock_guard lock(mu_);
  return by_state_.size();
}

std::string pkce_challenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

}  // namespace openem::identity
