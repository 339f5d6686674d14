// The lineage of a dataset (api/lineage/lineage_graph.h, docs/lineage.md):
//   GET /api/v3/Datasets/:pid/lineage?direction=up|down|both&depth=N[&format=prov]
//   GET /api/v4/datasets/:pid/lineage (the same)
// direction defaults to both, depth to 5 (1 to 50); format=prov answers W3C PROV-JSON.
//   GET /api/v3/Datasets/:pid/versions, /api/v4/datasets/:pid/versions: its versions, oldest first
// The dataset itself follows its read access (404 unknown or unreadable), every node of the
// graph the reader's.
#include <boost/json.hpp>

#include <charconv>

#include "api/dataset_service.h"
#include "api/lineage/dataset_versions.h"
#include "api/lineage/lineage_graph.h"
#include "api/publishing/published_data_service.h"
#include "api/routes.h"
#include "core/error.h"

namespace openem {
namespace {

LineageRequest request_of(const HttpRequest& req) {
  LineageRequest out;
  out.pid = req.param("pid");
  const std::string direction = req.query_param("direction").value_or("both");
  if (direction == "up") out.direction = LineageDirection::kUp;
  else if (direction == "down") out.direction = LineageDirection::kDown;
  else if (direction == "both") out.direction = LineageDirection::kBoth;
  else throw ApiError::bad_request("direction must be up, down or both, not '" + direction.substr(0, 40) + "'");
  if (auto depth = req.query_param("depth")) {
    int n = 0;
    auto [end, ec] = std::from_chars(depth->data(), depth->data() + depth->size(), n);
    if (ec != std::errc() || end != depth->data() + depth->size() || n < 1 || n > LineageRequest::kMaxDepth)
      throw ApiError::bad_request("depth must be a number from 1 to " + std::to_string(LineageRequest::kMaxDepth));
    out.depth = n;
  }
  return out;
}

HttpResponse lineage(App& app, const HttpRequest& req) {
  const std::string format = req.query_param("format").value_or("json");
  if (format != "json" && format != "prov") throw ApiError::bad_request("format must be json or prov");
  const LineageRequest request = request_of(req);
  const LineageGraph graph = dataset_lineage(dataset_access(app), app.lineage_index(), app.authenticate(req), request);
  if (format == "prov") return HttpResponse::json(200, lineage_prov_json(graph, public_base_url(app, req) + "/api/v3/Datasets/"));
  HttpResponse response;  // JSON by default
  response.status = 200;
  response.body = lineage_json(graph, request);
  return response;
}

}  // namespace

void register_lineage_routes(Router& r, App& app) {
  for (const char* base : {"/api/v3/Datasets", "/api/v4/datasets"})
  {
    r.add("GET", std::string(base) + "/:pid/lineage", [&app](HttpRequest& req) { return lineage(app, req); });
    r.add("GET", std::string(base) + "/:pid/versions", [&app](HttpRequest& req) {
      return HttpResponse::json(200, dataset_versions(dataset_access(app), app.store(), app.authenticate(req), req.param("pid")));
    });
  }
}

}  // namespace openem
