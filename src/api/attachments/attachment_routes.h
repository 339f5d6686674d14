#pragma once
// The two faces of attachments; register_attachment_routes (api/routes.h) adds both.
#include "api/app.h"
#include "http/router.h"

namespace openem {

// /api/v3/{datasets,proposals,samples}/:pid/attachments (parent_attachment_routes.cpp)
void register_parent_attachment_routes(Router& r, App& app);
// /api/v4/attachments (v4_attachment_routes.cpp)
void register_v4_attachment_routes(Router& r, App& app);

}  // namespace openem
