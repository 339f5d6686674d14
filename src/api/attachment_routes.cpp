// Attachments (reference §4.3): thumbnails and captions attached to datasets, proposals and
// samples, as v3 sub-resources of their parent and as the v4 /attachments collection. Read
// and write rights follow the parent document.
#include <boost/json.hpp>

#include "api/collection_access.h"
#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "api/routes.h"
#include "core/error.h"
#include "core/ids.h"
#include "model/dto.h"

namespace openem {
namespace json = boost::json;
namespace {

struct Parent {
  const CollectionSchema& schema;
  const char* target_type;  // "dataset" | "proposal" | "sample"
  const char* id_column;    // attachments column that names the parent
  const char* id_field;     // attachments field that names the parent
};

const DtoSpec& attachment_spec() {
  using F = FieldType;
  static const DtoSpec s{{"thumbnail", F::String},      {"caption", F::String},       {"ownerGroup", F::String},
                         {"accessGroups", F::StringArray}, {"isPublished", F::Boolean}, {"instrumentGroup", F::String},
                         {"relationships", F::ObjectArray}, {"aid", F::String},       {"id", F::String},
                         {"datasetId", F::String},      {"proposalId", F::String},    {"sampleId", F::String}};
  return s;
}

ReadScope parent_scope(App& app, const Parent& parent, const Principal& p) {
  // A parent's attachments are read as the parent is.
  if (&parent.schema == &schemas::datasets()) return dataset_read_scope(app.config(), p);
  if (&parent.schema == &schemas::proposals()) return proposal_read_scope(app.config(), p);
  if (&parent.schema == &schemas::samples()) return sample_read_scope(app.config(), p);
  return ReadScope{app.is_admin(p), true};
}

json::object parent_readable(App& app, const Parent& parent, const Principal& p, const std::string& id) {
  return CollectionAccess(app, parent.schema, [&](const Principal& who) { return parent_scope(app, parent, who); })
      .get_readable(p, id);
}

json::object parent_writable(App& app, const Parent& parent, const Principal& p, const std::string& id) {
  if (!p.authenticated()) throw ApiError::forbidden();
  auto doc = app.store().get(parent.schema, id);
  if (!doc) throw ApiError::not_found();
  bool ok;
  if (&parent.schema == &schemas::datasets()) ok = may_register_files(app, p, *doc);  // ingestors attach thumbnails
  else if (&parent.schema == &schemas::proposals()) ok = app.is_admin(p) || owns(*doc, p) || app.config().proposal_groups.matches(p.groups, true);
  else ok = app.is_admin(p) || owns(*doc, p) || app.config().sample_privileged_groups.matches(p.groups, true);
  if (!ok && !can_read(*doc, p, parent_scope(app, parent, p))) throw ApiError::not_found();  // looks like missing
  if (!ok) throw ApiError::forbidden();
  return *doc;
}

QueryPlan attachments_of(const Parent& parent, const std::string& id) {
  QueryPlan plan;
  plan.conditions.push_back({std::string("t.") + parent.id_column + " = ?", {id}, ""});
  plan.limit = 10000;
  return plan;
}

json::object new_attachment(App& app, const Parent& parent, const Principal& p, const json::object& parent_doc,
                            json::object body) {
  auto errors = validate_dto(body, attachment_spec(), false, server_managed_fields());
  if (!errors.empty()) throw ApiError(400, errors);
  for (const auto& f : server_managed_fields()) body.erase(f);
  std::string parent_id = str_field(parent_doc, parent.schema.id_field);
  std::string aid = str_field(body, "aid");
  if (aid.empty()) aid = uuid_v4();
  body["aid"] = aid;
  body["id"] = aid;
  body["_id"] = aid;
  body[parent.id_field] = parent_id;
  for (const char* k : {"ownerGroup", "accessGroups", "isPublished"})
    if (!body.contains(k) && parent_doc.contains(k)) body[k] = parent_doc.at(k);
  // An attachment owned by a group neither its parent's nor the caller's would land in that
  // group's lists: others must not change what a group sees (docs/security.md).
  std::string owner = str_field(body, "ownerGroup");
  if (!app.is_admin(p) && owner != str_field(parent_doc, "ownerGroup") && !p.in_group(owner))
    throw ApiError::forbidden("Unauthorized to create attachments for group " + owner);
  if (!body.contains("accessGroups")) body["accessGroups"] = json::array();
  if (!body.contains("isPublished")) body["isPublished"] = false;
  body["relationships"] = json::array{
      json::object{{"targetId", parent_id}, {"targetType", parent.target_type}, {"relationType", "is attached to"}}};
  stamp(body, p, true);
  app.store().insert(schemas::attachments(), body);
  return body;
}

void register_parent(Router& r, App& app, const std::string& base, Parent parent) {
  r.add("POST", base, [&app, parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object doc;
    app.store().transaction([&] {
      json::object parent_doc = parent_writable(app, parent, p, req.param("pid"));
      doc = new_attachment(app, parent, p, parent_doc, body_object(req));
    });
    return HttpResponse::json(201, doc);
  });
  r.add("GET", base, [&app, parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    parent_readable(app, parent, p, req.param("pid"));
    json::array out;
    for (auto& d : app.store().find(schemas::attachments(), attachments_of(parent, req.param("pid"))))
      out.emplace_back(std::move(d));
    return HttpResponse::json(200, out);
  });
  r.add("GET", base + "/count", [&app, parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    parent_readable(app, parent, p, req.param("pid"));
    auto plan = attachments_of(parent, req.param("pid"));
    return HttpResponse::json(200, json::object{{"count", app.store().count(schemas::attachments(), and_all(plan.conditions))}});
  });
  auto one = [&app, parent](const HttpRequest& req) {
    auto doc = app.store().get(schemas::attachments(), req.param("aid"));
    if (!doc || str_field(*doc, parent.id_field) != req.param("pid")) throw ApiError::not_found("Attachment not found");
    return *doc;
  };
  r.add("GET", base + "/:aid", [&app, parent, one](HttpRequest& req) {
    Principal p = app.authenticate(req);
    parent_readable(app, parent, p, req.param("pid"));
    return HttpResponse::json(200, one(req));
  });
  for (const char* method : {"PUT", "PATCH"})
    r.add(method, base + "/:aid", [&app, parent, one](HttpRequest& req) {
      Principal p = app.authenticate(req);
      json::object body = body_object(req);
      auto errors = validate_dto(body, attachment_spec(), true, server_managed_fields());
      if (!errors.empty()) throw ApiError(400, errors);
      json::object doc;
      app.store().transaction([&] {
        parent_writable(app, parent, p, req.param("pid"));
        doc = one(req);
        for (const auto& f : server_managed_fields()) body.erase(f);
        for (const char* fixed : {"aid", "id", "datasetId", "proposalId", "sampleId", "relationships"}) body.erase(fixed);
        for (const auto& [k, v] : body) doc[k] = v;
        stamp(doc, p, false);
        app.store().replace(schemas::attachments(), doc);
      });
      return HttpResponse::json(200, doc);
    });
  r.add("DELETE", base + "/:aid", [&app, parent, one](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object doc;
    app.store().transaction([&] {
      parent_writable(app, parent, p, req.param("pid"));
      doc = one(req);
      app.store().remove(schemas::attachments(), req.param("aid"));
    });
    return HttpResponse::json(200, doc);
  });
  r.add("DELETE", base, [&app, parent](HttpRequest& req) {
    Principal p = app.authenticate(req);
    std::int64_t removed = 0;
    app.store().transaction([&] {
      parent_writable(app, parent, p, req.param("pid"));
      for (const auto& id : app.store().find_ids(schemas::attachments(), attachments_of(parent, req.param("pid"))))
        removed += app.store().remove(schemas::attachments(), id) ? 1 : 0;
    });
    return HttpResponse::json(200, json::object{{"deletedCount", removed}});
  });
}

}  // namespace

void register_attachment_routes(Router& r, App& app) {
  register_parent(r, app, "/api/v3/datasets/:pid/attachments", {schemas::datasets(), "dataset", "dataset_id", "datasetId"});
  register_parent(r, app, "/api/v3/proposals/:pid/attachments", {schemas::proposals(), "proposal", "proposal_id", "proposalId"});
  register_parent(r, app, "/api/v3/samples/:pid/attachments", {schemas::samples(), "sample", "sample_id", "sampleId"});

  // v4: a collection of its own; an attachment's own ownerGroup/accessGroups decide access.
  auto access = [&app] {
    return CollectionAccess(app, schemas::attachments(), [&app](const Principal& p) { return ReadScope{app.is_admin(p), true}; });
  };
  r.add("GET", "/api/v4/attachments", [&app, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = access();
    return HttpResponse::json(200, acc.list(p, acc.request_filter(req)));
  });
  r.add("GET", "/api/v4/attachments/:aid", [&app, access](HttpRequest& req) {
    return HttpResponse::json(200, access().get_readable(app.authenticate(req), req.param("aid")));
  });
  r.add("POST", "/api/v4/attachments", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!app.config().attachment_groups.matches(p.groups, p.authenticated()) && !app.is_admin(p))
      throw ApiError::forbidden();
    json::object body = body_object(req);
    // The target comes from relationships[0] (scitacean sends it so).
    const json::value* rel = body.if_contains("relationships");
    std::string target_id, target_type = "dataset";
    if (rel && rel->is_array() && !rel->get_array().empty() && rel->get_array()[0].is_object()) {
      target_id = str_field(rel->get_array()[0].get_object(), "targetId");
      std::string t = str_field(rel->get_array()[0].get_object(), "targetType");
      if (!t.empty()) target_type = t;
    }
    if (target_id.empty()) throw ApiError::bad_request("relationships[0].targetId is required");
    Parent parent = target_type == "proposal" ? Parent{schemas::proposals(), "proposal", "proposal_id", "proposalId"}
                    : target_type == "sample" ? Parent{schemas::samples(), "sample", "sample_id", "sampleId"}
                                              : Parent{schemas::datasets(), "dataset", "dataset_id", "datasetId"};
    json::object doc;
    app.store().transaction([&] {
      json::object parent_doc = parent_writable(app, parent, p, target_id);
      body.erase("relationships");
      doc = new_attachment(app, parent, p, parent_doc, std::move(body));
    });
    return HttpResponse::json(201, doc);
  });
  r.add("DELETE", "/api/v4/attachments/:aid", [&app, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object doc = access().get_for_change(p, req.param("aid"),
                                               [&](const json::object& d) { return app.is_admin(p) || owns(d, p); });
    app.store().remove(schemas::attachments(), req.param("aid"));
    return HttpResponse::json(200, doc);
  });
}

}  // namespace openem
