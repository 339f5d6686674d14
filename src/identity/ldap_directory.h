#pragma once
// LdapDirectory: sign-in against an LDAP directory or Active Directory, as upstream SciCat's
// passport-ldapauth does it (OpenLDAP's libldap, synchronous, one connection per sign-in):
//   1. bind as the service account (LDAP_BIND_DN) — over ldaps:// or after StartTLS when set;
//   2. search LDAP_SEARCH_BASE with LDAP_SEARCH_FILTER, the typed name put in {{username}}
//      escaped per RFC 4515 (so "*)(uid=*" is a name, not a filter); exactly one entry counts;
//   3. bind as that entry's DN with the typed password (an empty password is refused before:
//      LDAP would take it as an unauthenticated bind and say yes);
//   4. the groups: the first RDN value of each memberOf, or — with LDAP_GROUP_SEARCH_BASE —
//      LDAP_GROUP_NAME_ATTRIBUTE of the groups LDAP_GROUP_SEARCH_FILTER ({{dn}}, {{username}})
//      finds, searched as the service account.
// Errors are values. A wrong name and a wrong password give the same outcome. The directory
// being down or slow is its own outcome (the API says 503, not 401), bounded by the timeout.
// Thread-safe (no shared state).
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace openem::identity {

struct DirectoryUser {
  std::string dn;
  std::string username;  // the entry's username attribute (as stored, not as typed)
  std::string display_name, email;
  std::vector<std::string> groups;
};

struct DirectoryAnswer {
  enum class Outcome { SignedIn, Refused, Unavailable };
  Outcome outcome = Outcome::Refused;
  DirectoryUser user;  // SignedIn
  std::string detail;  // Refused/Unavailable: for the log (never the password)
};

class LdapDirectory {
 public:
  explicit LdapDirectory(LdapSettings settings) : settings_(std::move(settings)) {}
  DirectoryAnswer sign_in(const std::string& username, const std::string& password) const;
  // Whether the directory still has the user (found by the service account with the search
  // filter, so a disabled or removed account is Refused): SignedIn, Refused or Unavailable.
  DirectoryAnswer lookup(const std::string& username) const;
  const LdapSettings& settings() const { return settings_; }

 private:
  LdapSettings settings_;
};

// RFC 4515 §3: a value placed in a search filter, with *, (, ), \ and NUL escaped as \XX.
std::string escape_filter_value(std::string_view value);
// The value of a DN's first RDN ("cn=p2025,ou=groups,dc=x" → "p2025"), unescaped; "" when unreadable.
std::string first_rdn_value(std::string_view dn);

}  // namespace openem::identity
