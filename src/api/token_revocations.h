#pragma once
// TokenRevocations: which signed tokens no longer count although their signature and "exp"
// are fine. Kept in memory, loaded once at start and updated on every write, so the check on
// each authenticated request is a lookup (and nothing at all while nothing was ever revoked);
// persisted with the user (UserRecord.extra) so a restart keeps it:
//  - "tokenGeneration": every token carries the generation current when it was issued (claim
//    "gen", absent = 0). Raising it (password change) ends every earlier token of the user.
//  - "revokedTokens": [{"jti", "exp"}] — single tokens ended by logout, kept until they would
//    have expired anyway.
// On a catalog shared by several API processes (CatalogStore::shared_between_processes), a
// check re-reads the user whenever the catalog changed since that user was last read, so a
// logout on one process ends the token on every other at once.
// Thread-safe; writes are serialised (read the user, change, store, then publish).
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/catalog_store.h"

namespace openem {

class TokenRevocations {
 public:
  // Loads the state of every user.
  explicit TokenRevocations(CatalogStore& store);

  // Whether a token of `user_id` with these claims has been revoked.
  bool revoked(const std::string& user_id, std::int64_t generation, const std::string& jti) const;
  // The generation new tokens of the user carry.
  std::int64_t generation(const std::string& user_id) const;

  // Ends every token issued to the user so far: re-reads the user, applies `change` (e.g. its
  // new password hash), raises the generation, stores it. False when the user does not exist.
  bool revoke_all(const std::string& user_id, const std::function<void(UserRecord&)>& change = {});
  // Ends one token (logout) until `expires` (seconds since the epoch; +inf: for good).
  void revoke_one(const std::string& user_id, const std::string& jti, double expires);

  // For writers that store users themselves (start-up accounts): raises the generation in
  // `user` (not stored), and publishes a stored user's state.
  static void raise_generation(UserRecord& user);
  void remember(const UserRecord& user);

 private:
  void remember_locked(const UserRecord& user);
  // Re-reads the user when the shared catalog changed since it was last read.
  void follow_other_processes(const std::string& user_id) const;

  CatalogStore& store_;
  std::mutex write_mu_;  // one read-change-store at a time
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::int64_t> generations_;  // user id → generation (> 0 only)
  std::unordered_map<std::string, double> revoked_jti_;        // jti → when the token expires
  std::atomic<bool> any_{false};                               // something above is non-empty
  mutable std::unordered_map<std::string, std::uint64_t> read_at_;  // user id → write generation when last read
};

}  // namespace openem
