#pragma once
// AuditEvent: one entry of the security audit log (docs/security.md "Audit log"): sign-ins and
// failed sign-ins, sign-outs, personal tokens made and revoked, password and group changes.
// Written by the API through CatalogStore::append_audit, read by admins newest first. Never
// holds a password, a token or a secret.
#include <boost/json.hpp>

#include <cstdint>
#include <string>

namespace openem {

struct AuditEvent {
  std::int64_t seq = 0;    // assigned by the store, increasing
  std::string time;        // ISO 8601 UTC
  std::string event;       // "signin", "signin_failed", "signout", "token_created", "token_revoked",
                           // "password_changed", "groups_changed"
  std::string user;        // the account concerned (a user name; for failures, the name typed)
  std::string actor;       // who did it when not the user (an admin), else ""
  std::string remote;      // the client's address
  boost::json::object detail;  // what else there is to say (strategy, token id and scope, groups before/after)
};

// Which events audit_events returns: newest first, seq below `before` (0: no bound), of one
// event type and one user when given.
struct AuditQuery {
  std::string event, user;
  std::int64_t before = 0;
  std::int64_t limit = 100;
};

}  // namespace openem
