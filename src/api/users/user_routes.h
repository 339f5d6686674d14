#pragma once
// User endpoints beyond sign-in (auth_routes.cpp): the frontend's per-user settings, user
// identities and admin-issued tokens, as upstream's users and user-identities controllers.
#include "api/app.h"
#include "http/router.h"

namespace openem {

// /users/{id}/settings (GET, POST, PUT, PATCH, DELETE), /users/{id}/settings/external, /users/my/settings.
void register_user_settings_routes(Router& r, App& app);
// /useridentities/findOne, /useridentities/isValidEmail, POST /users/{id}/jwt.
void register_user_identity_routes(Router& r, App& app);

}  // namespace openem
