#pragma once
// GET /api/v4/metadatakeys: the scientificMetadata keys of the datasets the caller can read.
#include "api/app.h"
#include "http/router.h"

namespace openem {

void register_metadata_keys_routes(Router& r, App& app);

}  // namespace openem
