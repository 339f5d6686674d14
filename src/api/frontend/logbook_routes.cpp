// Logbooks (upstream src/logbooks/logbooks.controller.ts, logbooks.service.ts and the
// datasets controller's /:pid/logbook). openem has no logbook service (SciChat), so these
// answer as upstream does when `logbook.enabled` is false: no logbooks ([]), and null for a
// named logbook or a dataset's logbook. The frontend's default configuration says
// logbookEnabled: false, so it does not ask; other clients get upstream's answers.
#include <boost/json.hpp>

#include "api/dataset_service.h"
#include "api/frontend/frontend_routes.h"
#include "core/error.h"

namespace openem {
namespace json = boost::json;

void register_logbook_routes(Router& r, App& app) {
  // Upstream's PoliciesGuard lets signed-in users read logbooks; anonymous callers get 403.
  auto signed_in = [&app](const HttpRequest& req) {
    if (!app.authenticate(req).authenticated()) throw ApiError::forbidden();
  };
  r.add("GET", "/api/v3/logbooks", [signed_in](HttpRequest& req) {
    signed_in(req);
    return HttpResponse::json(200, json::array());
  });
  r.add("GET", "/api/v3/logbooks/:name", [signed_in](HttpRequest& req) {
    signed_in(req);
    return HttpResponse::json(200, nullptr);
  });
  // The dataset's logbook is its first proposal's; a dataset the caller cannot read answers
  // 404 exactly as a missing one (docs/security.md), before anything else is looked at.
  // v4 has the same route (upstream datasets.v4.controller.ts findLogbookByPid).
  for (const char* path : {"/api/v3/datasets/:pid/logbook", "/api/v4/datasets/:pid/logbook"})
    r.add("GET", path, [&app](HttpRequest& req) {
      Principal p = app.authenticate(req);
      dataset_access(app).get_readable(p, req.param("pid"));
      return HttpResponse::json(200, nullptr);
    });
}

}  // namespace openem
