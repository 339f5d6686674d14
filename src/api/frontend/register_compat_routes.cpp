// The endpoints SciCat clients call besides the catalog collections (issue 21): the
// frontend's user settings, identities and configuration, logbooks, v4 metadata keys.
#include "api/frontend/frontend_routes.h"
#include "api/metadatakeys/metadata_keys_routes.h"
#include "api/routes.h"
#include "api/users/user_routes.h"

namespace openem {

void register_client_compat_routes(Router& r, App& app) {
  register_user_settings_routes(r, app);
  register_user_identity_routes(r, app);
  register_frontend_config_routes(r, app);
  register_logbook_routes(r, app);
  register_metadata_keys_routes(r, app);
}

}  // namespace openem
