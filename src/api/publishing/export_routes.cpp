// Deposition and exchange exports of one dataset (docs/export.md):
//   GET  /api/v3/datasets/{pid}/export?format=mmcif|empiar|ro-crate|datacite|datacite-json|jsonld|oscem
//   POST the same with a model mmCIF as the body: mmcif merged into it (PDB mode)
// with the dataset's own access rule (what GET /datasets/{pid} answers for a pid, this answers
// too); the proposal and published-data records that feed EMPIAR's authors and citation are
// read under the caller's rules for those collections (an unreadable one is left out).
// Options as query parameters: allowIncomplete=true, organization, country, releaseDate,
// experimentType (EMPIAR). A document the metadata cannot make is 422 with every problem
// ({statusCode, message, problems: [{severity, source, target, message}]}); warnings of a
// written document are counted in X-Openem-Export-Warnings. Same library as `openem export`.
#include <boost/json.hpp>

#include "api/collection_access.h"
#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "api/publishing/published_data_service.h"
#include "api/publishing/published_data_routes.h"
#include "api/routes.h"
#include "core/error.h"
#include "publish/export/dataset_export.h"

namespace openem {
namespace {

namespace json = boost::json;

// The files of a dataset's original datablocks, with the checksums the catalog holds.
std::vector<ExportFile> catalog_files(App& app, const std::string& pid) {
  std::vector<ExportFile> files;
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::origdatablocks(), "datasetId", pid));
  for (const auto& row : app.store().unwind(schemas::origdatablocks(), "dataFileList", plan)) {
    const json::value* f = row.is_object() ? row.get_object().if_contains("dataFileList") : nullptr;
    if (!f || !f->is_object()) continue;
    const json::object& o = f->get_object();
    ExportFile file{str_field(o, "path"), 0, str_field(o, "chk")};
    if (const json::value* size = o.if_contains("size"); size && size->is_number()) {
      file.size = size->to_number<std::int64_t>();
    }
    if (file.sha256.rfind("sha256:", 0) == 0) file.sha256 = file.sha256.substr(7);
    if (!file.path.empty()) files.push_back(std::move(file));
  }
  return files;
}

// The dataset's first proposal, when the caller may read it (v3 proposalId or v4 proposalIds).
json::object readable_proposal(App& app, const Principal& p, const json::object& dataset) {
  std::string id = str_field(dataset, "proposalId");
  if (const json::value* ids = dataset.if_contains("proposalIds");
      id.empty() && ids && ids->is_array() && !ids->get_array().empty() && ids->get_array()[0].is_string()) {
    id = std::string(ids->get_array()[0].get_string());
  }
  if (id.empty()) return {};
  auto proposal = app.store().get(schemas::proposals(), id);
  if (!proposal || !can_read(*proposal, p, proposal_read_scope(app.config(), p))) return {};
  return std::move(*proposal);
}

// Published-data records listing the dataset that the caller may read (public statuses, or
// its own); the EMPIAR builder orders them.
std::vector<json::object> readable_published_data(App& app, const std::shared_ptr<const PublishedDataConfig>& config,
                                                  const HttpRequest& req, const Principal& p, const std::string& pid) {
  ListFilter f;
  f.where = json::object{{"datasetPids", pid}};
  f.limit = 20;
  return PublishedDataService(app, config, public_base_url(app, req)).list(p, f);
}

bool flag(const HttpRequest& req, const std::string& name) {
  auto v = req.query_param(name);
  return v && (*v == "true" || *v == "1" || v->empty());
}

HttpResponse export_response(App& app, const std::shared_ptr<const PublishedDataConfig>& config, HttpRequest& req) {
  const std::string& pid = req.param("pid");
  std::string format_name = req.query_param("format").value_or("");
  auto format = parse_export_format(format_name);
  if (!format) throw ApiError::bad_request("format must be one of " + std::string(export_format_names()));
  // The dataset's own access rule first: an unknown format never tells whether a pid exists.
  Principal principal = app.authenticate(req);
  json::object dataset = dataset_access(app).get_readable(principal, pid);

  ExportSubject subject;
  if (const json::value* sm = dataset.if_contains("scientificMetadata"); sm && sm->is_object()) {
    subject.oscem = sm->get_object();
  }
  subject.files = catalog_files(app, pid);
  if (*format == ExportFormat::kEmpiar) {  // only EMPIAR uses them; other formats skip the reads
    subject.proposal = readable_proposal(app, principal, dataset);
    subject.published_data = readable_published_data(app, config, req, principal, pid);
  }
  subject.dataset = std::move(dataset);
  ExportRequest request;
  request.format = *format;
  request.allow_incomplete = flag(req, "allowIncomplete");
  if (req.method == "POST") {
    if (*format != ExportFormat::kMmcif) throw ApiError::bad_request("only format=mmcif takes a model (PDB mode)");
    if (req.body.empty()) throw ApiError::bad_request("the body must be the model mmCIF to merge into");
    request.model = req.body;
  }
  request.empiar.organization = req.query_param("organization").value_or("");
  request.empiar.country = req.query_param("country").value_or("");
  request.empiar.release_date = req.query_param("releaseDate").value_or("");
  if (auto type = req.query_param("experimentType")) {
    try {
      request.empiar.experiment_type = std::stoi(*type);
    } catch (const std::exception&) {
      throw ApiError::bad_request("experimentType must be a number");
    }
  }
  request.site_url = public_base_url(app, req);
  request.publisher = app.config().site_name;

  ExportOutput out = export_dataset(subject, request);
  json::array problems;
  int warnings = 0;
  for (const ExportProblem& p : out.problems) {
    warnings += p.is_error() ? 0 : 1;
    problems.push_back(json::object{{"severity", p.is_error() ? "error" : "warning"},
                                    {"source", p.source},
                                    {"target", p.target},
                                    {"message", p.message}});
  }
  if (!out.ok()) {
    return HttpResponse::json(422, json::object{{"statusCode", 422},
                                                {"message", "the dataset's metadata cannot make a valid " + format_name +
                                                                " document"},
                                                {"error", "Unprocessable Entity"},
                                                {"problems", problems}});
  }
  HttpResponse res = HttpResponse::text(200, std::move(out.body), out.content_type);
  res.headers.push_back({"Content-Disposition", "attachment; filename=\"" + out.file_name + "\""});
  res.headers.push_back({"X-Openem-Export-Warnings", std::to_string(warnings)});
  res.headers.push_back({"Cache-Control", "private, no-cache"});
  return res;
}

}  // namespace

void register_export_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config) {
  for (const char* method : {"GET", "POST"}) {
    r.add(method, "/api/v3/datasets/:pid/export",
          [&app, config](HttpRequest& req) { return export_response(app, config, req); });
  }
}

}  // namespace openem
