#pragma once
// Users who sign in through an OpenID Provider or an LDAP directory: their openem account is
// keyed by the provider's issuer and subject, or the directory's search base and user name
// (identity::external_user_id), created at the first sign-in and
// brought up to date at each one (name, e-mail, display name and — when the provider sent
// them — groups). Unlike upstream SciCat, which finds the account by user name *or* e-mail,
// nothing but the issuer and subject picks the account: a provider account that merely
// shares a name or e-mail with a local account (the admin, say) never signs in as it. A
// provider user name that a different account already holds is refused with a clear message.
#include <optional>
#include <string>

#include "api/app.h"
#include "identity/external_profile.h"

namespace openem {

// The account for `profile`, created or updated; `groups_given`: whether the provider sent a
// groups claim (an access token without one keeps the groups of the last sign-in).
// nullopt with `error` when the user name belongs to another account.
std::optional<UserRecord> remember_external_user(App& app, const identity::ExternalProfile& profile,
                                                 bool groups_given, std::string& error);

}  // namespace openem
