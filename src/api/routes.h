#pragma once
// Route registration, one function per API area. Each adds its endpoints to the router;
// handlers capture the App by reference (it outlives the server).
#include "api/app.h"
#include "http/router.h"

namespace openem {

void register_auth_routes(Router& r, App& app);
// OpenID Connect sign-in, /api/v3/auth/oidc and its callback (api/identity/).
void register_oidc_routes(Router& r, App& app);
// Personal API tokens, /api/v3/users/my/tokens and /users/:id/tokens (api/identity/).
void register_token_routes(Router& r, App& app);
void register_dataset_routes(Router& r, App& app);
void register_file_routes(Router& r, App& app);        // origdatablocks, datablocks
void register_attachment_routes(Router& r, App& app);
void register_proposal_routes(Router& r, App& app);
void register_sample_routes(Router& r, App& app);
void register_instrument_routes(Router& r, App& app);
void register_policy_routes(Router& r, App& app);
// The change history of the catalog's documents, /api/v3/history (store/history.h).
void register_history_routes(Router& r, App& app);
// Events: the change history as Server-Sent Events (/api/v3/events) and admins' webhooks
// (/api/v3/webhooks), api/events/.
void register_event_routes(Router& r, App& app);
void register_webhook_routes(Router& r, App& app);
// A dataset's lineage, /api/v3/Datasets/:pid/lineage (api/lineage/).
void register_lineage_routes(Router& r, App& app);
// tus uploads, file and dataset-tar downloads (blob store under <data-dir>/blobs).
void register_upload_routes(Router& r, App& app);
// Jobs API v3/v4 under the job configuration (JOB_CONFIGURATION_FILE or the default).
void register_job_routes(Router& r, App& app);
// health, admin config, OpenAPI; /metrics needs the finished route table so it comes last.
void register_system_routes(Router& r, App& app);
// Landing pages of public datasets, sitemaps and robots.txt (docs/publishing.md).
void register_landing_routes(Router& r, App& app);
// Published data and DOIs, /api/v3 and /api/v4 publisheddata and the /doi/{doi} landing pages
// (api/publishing/, docs/publishing.md "Published data and DOIs").
void register_published_data_routes(Router& r, App& app);  // and the dataset exports
// The data portal's files (web/dist) and its page fallback for browser URLs (docs/portal.md);
// its catch-all routes lose to every API route, so it may come anywhere.
void register_portal_routes(Router& r, App& app);

// What SciCat clients call besides the collections: user settings and identities, frontend
// configuration and theme, runtime configs, logbooks, v4 metadata keys (api/frontend/).
void register_client_compat_routes(Router& r, App& app);

// All of the above, in the right order.
void register_all_routes(Router& r, App& app);

}  // namespace openem
