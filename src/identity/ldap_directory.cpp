#include "identity/ldap_directory.h"

#include <ldap.h>

#include <memory>

namespace openem::identity {
namespace {

struct LdapCloser {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using Connection = std::unique_ptr<LDAP, LdapCloser>;
struct MessageFree {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using Message = std::unique_ptr<LDAPMessage, MessageFree>;

bool unavailable(int rc) {
  return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT || rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE ||
         rc == LDAP_BUSY || rc == LDAP_TIMELIMIT_EXCEEDED;
}

DirectoryAnswer fail(int rc, const std::string& what) {
  DirectoryAnswer a;
  a.outcome = unavailable(rc) ? DirectoryAnswer::Outcome::Unavailable : DirectoryAnswer::Outcome::Refused;
  a.detail = what + ": " + ldap_err2string(rc);
  return a;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

int simple_bind(LDAP* ld, const std::string& dn, const std::string& password) {
  berval cred{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
  return ldap_sasl_bind_s(ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
}

std::vector<std::string> values(LDAP* ld, LDAPMessage* entry, const char* attribute) {
  std::vector<std::string> out;
  berval** vals = ldap_get_values_len(ld, entry, attribute);
  if (!vals) return out;
  for (int i = 0; vals[i]; ++i) out.emplace_back(vals[i]->bv_val, vals[i]->bv_len);
  ldap_value_free_len(vals);
  return out;
}

std::string first_value(LDAP* ld, LDAPMessage* entry, const char* attribute) {
  auto v = values(ld, entry, attribute);
  return v.empty() ? std::string() : v.front();
}

}  // namespace

std::string escape_filter_value(std::string_view value) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (char c : value) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0') {
      out += '\\';
      out += hex[static_cast<unsigned char>(c) >> 4];
      out += hex[static_cast<unsigned char>(c) & 15];
    } else {
      out += c;
    }
  }
  return out;
}

std::string first_rdn_value(std::string_view dn) {
  LDAPDN parsed = nullptr;
  std::string text(dn);
  if (ldap_str2dn(text.c_str(), &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || !parsed || !parsed[0] || !parsed[0][0]) {
    if (parsed) ldap_dnfree(parsed);
    return {};
  }
  LDAPAVA* ava = parsed[0][0];
  std::string value(ava->la_value.bv_val, ava->la_value.bv_len);
  ldap_dnfree(parsed);
  return value;
}

namespace {

// A connection with openem's options — LDAPv3, no referrals (they would send the password
// on), timeouts, certificates checked (against LDAP_TLS_CA_FILE when set), StartTLS when asked.
// nullptr with `failure` filled when it cannot be had.
Connection connect(const LdapSettings& s, DirectoryAnswer& failure) {
  LDAP* raw = nullptr;
  if (int rc = ldap_initialize(&raw, s.url.c_str()); rc != LDAP_SUCCESS) {
    failure = fail(rc, "LDAP_URL " + s.url);
    failure.outcome = DirectoryAnswer::Outcome::Unavailable;
    return nullptr;
  }
  Connection ld(raw);
  int version = LDAP_VERSION3;
  ldap_set_option(raw, LDAP_OPT_PROTOCOL_VERSION, &version);
  ldap_set_option(raw, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
  timeval timeout{s.timeout_seconds, 0};
  ldap_set_option(raw, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
  ldap_set_option(raw, LDAP_OPT_TIMEOUT, &timeout);
  int require_cert = LDAP_OPT_X_TLS_DEMAND;
  ldap_set_option(raw, LDAP_OPT_X_TLS_REQUIRE_CERT, &require_cert);
  if (!s.tls_ca_file.empty()) ldap_set_option(raw, LDAP_OPT_X_TLS_CACERTFILE, s.tls_ca_file.c_str());
  int new_ctx = 0;
  ldap_set_option(raw, LDAP_OPT_X_TLS_NEWCTX, &new_ctx);
  if (s.start_tls)
    if (int rc = ldap_start_tls_s(raw, nullptr, nullptr); rc != LDAP_SUCCESS) {
      failure = fail(rc, "StartTLS");
      failure.outcome = DirectoryAnswer::Outcome::Unavailable;
      return nullptr;
    }
  return ld;
}

// Binds as the service account and finds the one entry of `username`: SignedIn with the
// entry's DN, name, display name, e-mail and memberOf groups; Refused when there is none (or
// more than one); Unavailable when the directory or the service account fails.
DirectoryAnswer find(const LdapSettings& s, LDAP* raw, const std::string& username, std::vector<std::string>& member_of) {
  if (int rc = simple_bind(raw, s.bind_dn, s.bind_credentials); rc != LDAP_SUCCESS) {
    DirectoryAnswer a = fail(rc, "service account bind");
    a.outcome = DirectoryAnswer::Outcome::Unavailable;  // openem's own set-up, not the user's mistake
    return a;
  }
  timeval timeout{s.timeout_seconds, 0};
  std::string filter = replace_all(s.search_filter, "{{username}}", escape_filter_value(username));
  std::vector<std::string> wanted{s.username_attribute, "displayName", "cn", "mail", "memberOf"};
  std::vector<char*> attrs;
  for (auto& a : wanted) attrs.push_back(a.data());
  attrs.push_back(nullptr);
  LDAPMessage* found = nullptr;
  int rc = ldap_search_ext_s(raw, s.search_base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), attrs.data(), 0, nullptr,
                             nullptr, &timeout, 2, &found);
  Message result(found);
  if (rc == LDAP_SIZELIMIT_EXCEEDED) return fail(rc, "more than one entry for the name");
  if (rc != LDAP_SUCCESS) return fail(rc, "user search");
  if (ldap_count_entries(raw, found) != 1) {
    DirectoryAnswer a;
    a.detail = "no entry for the name";
    return a;
  }
  LDAPMessage* entry = ldap_first_entry(raw, found);
  DirectoryAnswer a;
  char* dn = ldap_get_dn(raw, entry);
  if (dn) {
    a.user.dn = dn;
    ldap_memfree(dn);
  }
  a.user.username = first_value(raw, entry, s.username_attribute.c_str());
  a.user.display_name = first_value(raw, entry, "displayName");
  if (a.user.display_name.empty()) a.user.display_name = first_value(raw, entry, "cn");
  a.user.email = first_value(raw, entry, "mail");
  member_of = values(raw, entry, "memberOf");
  if (a.user.dn.empty() || a.user.username.empty()) {
    a.detail = "the entry has no " + s.username_attribute;
    return a;
  }
  a.outcome = DirectoryAnswer::Outcome::SignedIn;
  return a;
}

}  // namespace

DirectoryAnswer LdapDirectory::lookup(const std::string& username) const {
  DirectoryAnswer failure;
  Connection ld = connect(settings_, failure);
  if (!ld) return failure;
  std::vector<std::string> member_of;
  return find(settings_, ld.get(), username, member_of);
}

DirectoryAnswer LdapDirectory::sign_in(const std::string& username, const std::string& password) const {
  const LdapSettings& s = settings_;
  if (username.empty() || password.empty() || username.size() > 256 || password.size() > 1024) {
    DirectoryAnswer a;
    a.detail = "empty or overlong name or password";
    return a;
  }
  DirectoryAnswer failure;
  Connection ld = connect(settings_, failure);
  if (!ld) return failure;
  LDAP* raw = ld.get();
  std::vector<std::string> member_of;
  DirectoryAnswer found = find(settings_, raw, username, member_of);
  if (found.outcome != DirectoryAnswer::Outcome::SignedIn) return found;
  DirectoryUser user = std::move(found.user);

  // The password, checked by the directory on a connection of its own, so the search rights of
  // the service account never mix with the user's.
  {
    Connection user_ld = connect(settings_, failure);
    if (!user_ld) return failure;
    if (int rc = simple_bind(user_ld.get(), user.dn, password); rc != LDAP_SUCCESS) return fail(rc, "user bind");
  }

  timeval timeout{s.timeout_seconds, 0};
  if (s.group_search_base.empty()) {
    for (const auto& group_dn : member_of)
      if (std::string name = first_rdn_value(group_dn); !name.empty()) user.groups.push_back(name);
  } else {
    std::string group_filter = replace_all(replace_all(s.group_search_filter, "{{dn}}", escape_filter_value(user.dn)),
                                           "{{username}}", escape_filter_value(user.username));
    std::string name_attr = s.group_name_attribute;
    char* group_attrs[] = {name_attr.data(), nullptr};
    LDAPMessage* groups = nullptr;
    int grc = ldap_search_ext_s(raw, s.group_search_base.c_str(), LDAP_SCOPE_SUBTREE, group_filter.c_str(), group_attrs,
                                0, nullptr, nullptr, &timeout, 1000, &groups);
    Message group_result(groups);
    if (grc != LDAP_SUCCESS && grc != LDAP_SIZELIMIT_EXCEEDED) {
      DirectoryAnswer a = fail(grc, "group search");
      a.outcome = DirectoryAnswer::Outcome::Unavailable;  // the set-up's fault, not the user's
      return a;
    }
    for (LDAPMessage* g = ldap_first_entry(raw, groups); g; g = ldap_next_entry(raw, g))
      if (std::string name = first_value(raw, g, name_attr.c_str()); !name.empty()) user.groups.push_back(name);
  }
  DirectoryAnswer a;
  a.outcome = DirectoryAnswer::Outcome::SignedIn;
  a.user = std::move(user);
  return a;
}

}  // namespace openem::identity
