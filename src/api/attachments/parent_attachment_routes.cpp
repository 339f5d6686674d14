// v3 attachments (reference §4.3): thumbnails and captions as sub-resources of their parent,
// /api/v3/{datasets,proposals,samples}/:pid/attachments. Read and write rights follow the
// parent (attachment_parents.h).
#include <boost/json.hpp>

#include "api/attachments/attachment_documents.h"
#include "api/attachments/attachment_parents.h"
#include "api/attachments/attachment_routes.h"
#include "api/handler_util.h"
#include "core/error.h"
#include "query/access.h"

namespace openem {
namespace json = boost::json;
namespace {

// A logbook entry's images and files (docs/logbook.md) are read as the entry is, by their own
// groups and never as public, whoever else reads the proposal; other attachments follow
// their parent, as upstream.
bool shown_to(App& app, const Principal& p, const json::object& attachment) {
  return str_field(attachment, "logbookEntryId").empty() || can_read(attachment, p, attachment_read_scope(app, p));
}

// The parent's attachments the caller is shown (at most 10,000, as before).
std::vector<json::object> attachments_of(App& app, const Principal& p, const AttachmentParent& parent,
                                         const std::string& id) {
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::attachments(), parent.id_field, id));
  plan.limit = 10000;
  std::vector<json::object> out = app.store().find(schemas::attachments(), plan);
  std::erase_if(out, [&](const json::object& a) { return !shown_to(app, p, a); });
  return out;
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
    for (auto& d : attachments_of(app, p, parent, req.param("pid"))) out.emplace_back(std::move(d));
    return HttpResponse::json(200, out);
  });
  r.add("GET", base + "/count", [&app, &parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    readable_parent(app, parent, p, req.param("pid"));
    const auto shown = attachments_of(app, p, parent, req.param("pid"));
    return HttpResponse::json(200, json::object{{"count", static_cast<std::int64_t>(shown.size())}});
  });
  auto one = [&app, &parent](const HttpRequest& req, const Principal& p) {
    auto doc = app.store().get(schemas::attachments(), req.param("aid"));
    if (!doc || str_field(*doc, parent.id_field) != req.param("pid") || !shown_to(app, p, *doc))
      throw ApiError::not_found("Attachment not found");
    return *doc;
  };
  r.add("GET", base + "/:aid", [&app, &parent, one](HttpRequest& req) {
    Principal p = app.authenticate(req);
    // upstream samples.controller findOneAttachment: authenticated guard
    if (!p.authenticated() && &parent == &sample_parent()) throw ApiError::unauthorized();
    readable_parent(app, parent, p, req.param("pid"));
    return HttpResponse::json(200, one(req, p));
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
        doc = one(req, p);
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
      doc = one(req, p);
      app.store().remove(schemas::attachments(), req.param("aid"));
    });
    return HttpResponse::json(200, doc);
  });
  r.add("DELETE", base, [&app, &parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    std::int64_t removed = 0;
    app.store().transaction([&] {
      parent_for_change(app, parent, p, req.param("pid"), AttachmentChange::Delete);
      for (const auto& a : attachments_of(app, p, parent, req.param("pid")))
        removed += app.store().remove(schemas::attachments(), str_field(a, "aid")) ? 1 : 0;
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
