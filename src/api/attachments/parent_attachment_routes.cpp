// v3 attachments (reference §4.3): thumbnails and captions as sub-resources of their parent,
// /api/v3/{datasets,proposals,samples}/:pid/attachments. Read and write rights follow the
// parent (attachment_parents.h).
#include <boost/json.hpp>

#include "api/attachments/attachment_documents.h"
#include "api/attachments/attachment_parents.h"
#include "api/attachments/attachment_routes.h"
#include "api/handler_util.h"
#include "core/error.h"

namespace openem {
namespace json = boost::json;
namespace {

QueryPlan attachments_of(const AttachmentParent& parent, const std::string& id) {
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::attachments(), parent.id_field, id));
  plan.limit = 10000;
  return plan;
}

void register_parent(Router& r, App& app, const std::string& base, const AttachmentParent& parent) {
  r.add("POST", base, [&app, &parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object doc;
    app.store().transaction([&] {
      json::object parent_doc = parent_for_change(app, parent, p, req.param("pid"), AttachmentChange::Create);
      json::object body = body_object(req);
      auto errors = validate_dto(body, v3_attachment_spec(), false, server_managed_fields());
      if (!errors.empty()) throw ApiError(400, errors);
      body.erase("relationships");  // the parent is the one in the path
      doc = new_attachment(app, parent, p, parent_doc, std::move(body));
    });
    return HttpResponse::json(201, doc);
  });
  r.add("GET", base, [&app, &parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    readable_parent(app, parent, p, req.param("pid"));
    json::array out;
    for (auto& d : app.store().find(schemas::attachments(), attachments_of(parent, req.param("pid"))))
      out.emplace_back(std::move(d));
    return HttpResponse::json(200, out);
  });
  r.add("GET", base + "/count", [&app, &parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    readable_parent(app, parent, p, req.param("pid"));
    auto plan = attachments_of(parent, req.param("pid"));
    return HttpResponse::json(200, json::object{{"count", app.store().count(schemas::attachments(), all_of(plan.conditions))}});
  });
  auto one = [&app, &parent](const HttpRequest& req) {
    auto doc = app.store().get(schemas::attachments(), req.param("aid"));
    if (!doc || str_field(*doc, parent.id_field) != req.param("pid")) throw ApiError::not_found("Attachment not found");
    return *doc;
  };
  r.add("GET", base + "/:aid", [&app, &parent, one](HttpRequest& req) {
    Principal p = app.authenticate(req);
    // upstream samples.controller findOneAttachment: authenticated guard
    if (!p.authenticated() && &parent == &sample_parent()) throw ApiError::unauthorized();
    readable_parent(app, parent, p, req.param("pid"));
    return HttpResponse::json(200, one(req));
  });
  for (const char* method : {"PUT", "PATCH"})
    r.add(method, base + "/:aid", [&app, &parent, one](HttpRequest& req) {
      Principal p = app.authenticate(req);
      json::object body = body_object(req);
      auto errors = validate_dto(body, v3_attachment_spec(), true, server_managed_fields());
      if (!errors.empty()) throw ApiError(400, errors);
      json::object doc;
      app.store().transaction([&] {
        json::object parent_doc = parent_for_change(app, parent, p, req.param("pid"), AttachmentChange::Update);
        doc = one(req);
        for (const auto& f : server_managed_fields()) body.erase(f);
        for (const char* fixed : {"aid", "id", "datasetId", "proposalId", "sampleId", "relationships"}) body.erase(fixed);
        if (body.contains("ownerGroup"))
          check_attachment_owner_group(app, p, parent_doc, str_field(body, "ownerGroup"), false);
        for (const auto& [k, v] : body) doc[k] = v;
        stamp(doc, p, false);
        app.store().replace(schemas::attachments(), doc);
      });
      return HttpResponse::json(200, doc);
    });
  r.add("DELETE", base + "/:aid", [&app, &parent, one](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object doc;
    app.store().transaction([&] {
      parent_for_change(app, parent, p, req.param("pid"), AttachmentChange::Delete);
      doc = one(req);
      app.store().remove(schemas::attachments(), req.param("aid"));
    });
    return HttpResponse::json(200, doc);
  });
  r.add("DELETE", base, [&app, &parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    std::int64_t removed = 0;
    app.store().transaction([&] {
      parent_for_change(app, parent, p, req.param("pid"), AttachmentChange::Delete);
      for (const auto& id : app.store().find_ids(schemas::attachments(), attachments_of(parent, req.param("pid"))))
        removed += app.store().remove(schemas::attachments(), id) ? 1 : 0;
    });
    return HttpResponse::json(200, json::object{{"deletedCount", removed}});
  });
}

}  // namespace

void register_parent_attachment_routes(Router& r, App& app) {
  register_parent(r, app, "/api/v3/datasets/:pid/attachments", dataset_parent());
  register_parent(r, app, "/api/v3/proposals/:pid/attachments", proposal_parent());
  register_parent(r, app, "/api/v3/samples/:pid/attachments", sample_parent());
}

}  // namespace openem
