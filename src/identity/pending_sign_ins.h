#pragma once
// PendingSignIns: the sign-ins sent to the provider and not back yet. Each has a random
// `state`, a `nonce` the ID token must carry and a PKCE code verifier (RFC 7636, S256) that
// only openem knows. All of it travels sealed in a cookie on the browser that started the
// sign-in (AES-256-GCM under a key derived from JWT_SECRET), not in the process's memory: the
// provider's callback may reach any API process of the deployment, and each one opens the
// seal. The callback's `state` must be the sealed one (a callback in another browser — login
// CSRF — has no cookie, or another one), the seal must be younger than the lifetime, and a
// state is taken once per process (a replayed callback on another process reuses an
// authorization code, which the provider refuses: RFC 6749 §4.1.2). The taken states kept
// against replays are bounded by `capacity` (the oldest go first) and forgotten after the
// lifetime, when their seals have expired anyway. Thread-safe.
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/sealed_box.h"

namespace openem::identity {

struct PendingSignIn {
  std::string state, nonce, code_verifier;
  std::string success_url, return_url;  // where the browser goes afterwards
  double started = 0;
};

class PendingSignIns {
 public:
  using Clock = std::function<double()>;
  // `secret`: shared by the processes of a deployment (JWT_SECRET); the sealing key is
  // derived from it, so a seal is no JWT and a JWT no seal.
  explicit PendingSignIns(const std::string& secret, std::size_t capacity = 10000, double lifetime_seconds = 600,
                          Clock clock = {});

  struct Started {
    PendingSignIn sign_in;
    std::string sealed;  // the cookie's value (base64url)
  };
  // A new sign-in with fresh random state, nonce and verifier.
  Started start(std::string success_url, std::string return_url);

  enum class Refusal { kNotThisBrowser, kSpentOrExpired };
  // The sign-in sealed in `sealed` if its state is `state`, it is not older than the lifetime
  // and this process has not taken it before; otherwise nullopt and *why: kNotThisBrowser for
  // a seal that is missing, damaged, made with another key or of another state;
  // kSpentOrExpired for one taken before or too old.
  std::optional<PendingSignIn> take(const std::string& state, const std::string& sealed, Refusal* why);
  // Taken states remembered against replays.
  std::size_t remembered() const;

 private:
  void forget_old(double now);
  SealedBox box_;
  std::size_t capacity_;
  double lifetime_;
  Clock clock_;
  mutable std::mutex mu_;
  std::set<std::string> taken_;
  std::multimap<double, std::string> taken_by_start_;
};

// The S256 code challenge of a verifier: base64url(SHA-256(verifier)).
std::string pkce_challenge(const std::string& verifier);

}  // namespace openem::identity
