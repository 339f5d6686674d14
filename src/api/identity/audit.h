#pragma once
// The security audit log from the API's side (store/audit_event.h, docs/security.md "Audit
// log"): one call per event where it happens — sign-ins and their failures (local, LDAP,
// OIDC), sign-outs, personal tokens made and revoked, password and group changes — and
// GET /api/v3/admin/audit for admins. A failure to write the log is logged and does not undo
// or refuse the action it describes.
#include <boost/json.hpp>

#include <string>

#include "api/app.h"
#include "http/router.h"

namespace openem {

// `remote`: the client's address ("" when there is no request, e.g. a Bearer token's groups).
void audit(App& app, const std::string& remote, std::string event, std::string user, boost::json::object detail = {},
           std::string actor = {});

// GET /api/v3/admin/audit?event=&user=&before=&limit= (admins; newest first, limit ≤ 1000).
void register_audit_routes(Router& r, App& app);

}  // namespace openem
