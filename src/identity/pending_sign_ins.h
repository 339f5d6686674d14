#pragma once
// PendingSignIns: the sign-ins sent to the provider and not back yet. Each has a random
// `state` (the key, also set as a cookie on the browser that started it, so a callback from
// another browser — login CSRF — is refused), a `nonce` the ID token must carry and a PKCE
// code verifier (RFC 7636, S256) that only openem knows. A state is taken once: a replayed
// callback finds nothing. Entries live ten minutes; at most `capacity` wait (the oldest are
// dropped first), so a flood of /auth/oidc requests costs bounded memory.
//
// Kept in the process's memory: the callback must reach the process that started the
// sign-in (sticky sessions, or one process; docs/security.md). Thread-safe.
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace openem::identity {

struct PendingSignIn {
  std::string state, nonce, code_verifier;
  std::string success_url, return_url;  // where the browser goes afterwards
  double started = 0;
};

class PendingSignIns {
 public:
  using Clock = std::function<double()>;
  explicit PendingSignIns(std::size_t capacity = 10000, double lifetime_seconds = 600, Clock clock = {});

  // A new sign-in with fresh random state, nonce and verifier.
  PendingSignIn start(std::string success_url, std::string return_url);
  // The sign-in of `state`, removed; nullopt when unknown, taken before or expired.
  std::optional<PendingSignIn> take(const std::string& state);
  std::size_t size() const;

 private:
  void prune(double now);
  std::size_t capacity_;
  double lifetime_;
  Clock clock_;
  mutable std::mutex mu_;
  std::map<std::string, PendingSignIn> by_state_;
  std::multimap<double, std::string> by_start_;
};

// The S256 code challenge of a verifier: base64url(SHA-256(verifier)).
std::string pkce_challenge(const std::string& verifier);

}  // namespace openem::identity
