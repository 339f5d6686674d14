#pragma once
// What the SciCat web frontend asks besides the catalog: its configuration and theme
// (/admin/config, /admin/theme, /runtime-config/{id}) and the logbooks it links to.
#include "api/app.h"
#include "http/router.h"

namespace openem {

void register_frontend_config_routes(Router& r, App& app);
void register_logbook_routes(Router& r, App& app);

}  // namespace openem
