#pragma once
// User endpoints beyond sign-in (auth_routes.cpp): the frontend's per-user settings, user
// identities and admin-issued tokens, as upstream's users and user-identities controllers.
#include <boost/json.hpp>

#include "api/app.h"
#include "http/router.h"

namespace openem {

// /users/{id}/settings (GET, POST, PUT, PATCH, DELETE), /users/{id}/settings/external, /users/my/settings.
void register_user_settings_routes(Router& r, App& app);
// /useridentities/findOne, /useridentities/isValidEmail, POST /users/{id}/jwt.
void register_user_identity_routes(Router& r, App& app);

// A body's "expiresIn" as upstream's createCustomJWT reads it: seconds as a number or a string
// of digits, a duration such as "7d" (ms/s/m/h/d/w/y), or "never" (100 years); absent or null
// → `fallback`. ApiError 400 for anything else.
long expires_in_seconds(const boost::json::object& body, long fallback);

}  // namespace openem
