// v4 attachments (upstream attachments.v4.controller.ts): a collection of its own, read by
// each attachment's own ownerGroup/accessGroups/isPublished. Creating, changing or deleting
// one needs a right on the attachment (admins; its owners in ATTACHMENT_GROUPS or
// ATTACHMENT_PRIVILEGED_GROUPS; DELETE_GROUPS for deletes) and on the document it is
// attached to (upstream's relation check; attachment_parents.h).
#include <boost/json.hpp>

#include "api/attachments/attachment_documents.h"
#include "api/attachments/attachment_parents.h"
#include "api/attachments/attachment_routes.h"
#include "api/collection_access.h"
#include "api/handler_util.h"
#include "core/error.h"
#include "core/merge_patch.h"
#include "core/time.h"

namespace openem {
namespace json = boost::json;
namespace {

CollectionAccess attachment_access(App& app) {
  return CollectionAccess(app, schemas::attachments(), [&app](const Principal& p) { return attachment_read_scope(app, p); });
}

bool privileged_creator(App& app, const Principal& p) {
  return app.is_admin(p) || app.config().attachment_privileged_groups.matches(p.groups, p.authenticated());
}

// The guard of POST and isValid: ATTACHMENT_GROUPS, ATTACHMENT_PRIVILEGED_GROUPS, admins.
void check_may_create(App& app, const Principal& p) {
  if (!p.authenticated() || !(privileged_creator(app, p) || app.config().attachment_groups.matches(p.groups, true)))
    throw ApiError::forbidden();
}

bool may_change_attachment(App& app, const Principal& p, const json::object& doc, AttachmentChange change) {
  if (!p.authenticated()) return false;
  if (app.is_admin(p) || (change == AttachmentChange::Delete && app.may_delete(p))) return true;
  const Config& c = app.config();
  return owns(doc, p) && (c.attachment_groups.matches(p.groups, true) || c.attachment_privileged_groups.matches(p.groups, true));
}

const char* verb(AttachmentChange change) {
  return change == AttachmentChange::Create ? "create" : change == AttachmentChange::Update ? "update" : "delete";
}

// The document an attachment is (to be) attached to, for a change: upstream's relation check
// and its messages. Admins, and DELETE_GROUPS deleting, need no right on it.
json::object linked_parent(App& app, const AttachmentParent& parent, const Principal& p, const std::string& id,
                           AttachmentChange change) {
  const bool any = app.is_admin(p) || (change == AttachmentChange::Delete && app.may_delete(p));
  try {
    if (any) {
      auto doc = app.store().get(parent.schema, id);
      if (!doc) throw ApiError::not_found();
      return *doc;
    }
    return parent_for_change(app, parent, p, id, change);
  } catch (const ApiError& e) {
    if (e.status() == 404)
      throw ApiError::not_found(std::string(parent.display) + " " + id + " not found for linking an attachment");
    if (e.status() == 403)
      throw ApiError::forbidden(std::string("Unauthorized to ") + verb(change) + " an attachment to " + parent.target_type +
                                " " + id);
    throw;
  }
}

struct Target {
  const AttachmentParent* parent;
  std::string id;
};

// The one document a new attachment names in `relationships` (validated shape). openem keeps
// an attachment on one document: v3 lists it under that parent and its rights follow it.
Target target_of(const json::object& body) {
  const json::value* rels = body.if_contains("relationships");
  if (!rels || !rels->is_array() || rels->get_array().size() != 1)
    throw ApiError::bad_request("relationships must name exactly one document the attachment belongs to");
  const auto& r = rels->get_array()[0].get_object();
  const std::string type = str_field(r, "targetType");
  const AttachmentParent* parent = parent_of_type(type);
  if (!parent) throw ApiError::bad_request("relationships.0.targetType " + type + " is not supported for attachments");
  return {parent, str_field(r, "targetId")};
}

// A relationships value in a change must name the stored target: an attachment does not move.
void check_same_target(const json::object& stored, const json::object& body) {
  const json::value* rels = body.if_contains("relationships");
  if (!rels) return;
  const AttachmentParent* parent = parent_of_attachment(stored);
  Target t = target_of(body);
  if (!parent || t.parent != parent || t.id != str_field(stored, parent->id_field))
    throw ApiError::bad_request("An attachment cannot be moved to another document");
}

json::object stored_parent_for(App& app, const Principal& p, const json::object& attachment, AttachmentChange change) {
  const AttachmentParent* parent = parent_of_attachment(attachment);
  if (!parent) return {};
  return linked_parent(app, *parent, p, str_field(attachment, parent->id_field), change);
}

[[noreturn]] void attachment_missing(const std::string& aid) {
  throw ApiError::not_found("Attachment: " + aid + " not found");
}

json::object for_change(App& app, const Principal& p, const std::string& aid, AttachmentChange change) {
  try {
    return attachment_access(app).get_for_change(
        p, aid, [&](const json::object& d) { return may_change_attachment(app, p, d, change); });
  } catch (const ApiError& e) {
    if (e.status() == 404) attachment_missing(aid);
    if (e.status() == 403) throw ApiError::forbidden("Unauthorized to this attachment");
    throw;
  }
}

void register_change(Router& r, App& app, const char* method) {
  const bool put = std::string_view(method) == "PUT";
  r.add(method, "/api/v4/attachments/:aid", [&app, put](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!p.authenticated()) throw ApiError::forbidden();
    json::object body = body_object(req);
    auto ct = req.header("content-type");
    const bool merge = !put && ct && is_merge_patch_content_type(*ct);
    // A merge patch removes what it sets to null; the required fields cannot go.
    std::vector<std::string> removed;
    if (merge) {
      for (auto it = body.begin(); it != body.end();) {
        if (!it->value().is_null()) {
          ++it;
          continue;
        }
        const std::string k(it->key());
        if (k == "ownerGroup" || k == "caption" || k == "isPublished") throw ApiError::bad_request(k + " should not be empty");
        removed.push_back(k);
        it = body.erase(it);
      }
    }
    auto errors = validate_v4_attachment(body, !put, false);
    if (!errors.empty()) throw ApiError(400, errors);
    for (const auto& f : server_managed_fields()) body.erase(f);
    const std::string aid = req.param("aid");
    json::object doc;
    app.store().transaction([&] {
      json::object stored = for_change(app, p, aid, AttachmentChange::Update);
      json::object parent_doc = stored_parent_for(app, p, stored, AttachmentChange::Update);
      if (auto since = req.header("if-unmodified-since"); since && !put) {
        auto limit = parse_http_date(*since);
        auto updated = parse_iso(str_field(stored, "updatedAt"));
        if (limit && updated && *updated > *limit)
          throw ApiError(412, "Attachment #" + aid + " has been modified on the server since " + *since + ".");
      }
      check_same_target(stored, body);
      body.erase("relationships");
      if (body.contains("ownerGroup") && str_field(body, "ownerGroup") != str_field(stored, "ownerGroup"))
        check_attachment_owner_group(app, p, parent_doc, str_field(body, "ownerGroup"), privileged_creator(app, p));
      if (put) {
        doc = std::move(body);
        for (const char* keep : {"aid", "_id", "id", "datasetId", "proposalId", "sampleId", "relationships", "createdBy",
                                 "createdAt"})
          if (auto* v = stored.if_contains(keep)) doc[keep] = *v;
        if (!doc.contains("accessGroups")) doc["accessGroups"] = json::array();
      } else {
        doc = std::move(stored);
        for (const auto& [k, v] : body) {
          if (merge) apply_merge_patch(doc[k], v);
          else doc[k] = v;
        }
        for (const auto& k : removed) doc.erase(k);
      }
      stamp(doc, p, false);
      app.store().replace(schemas::attachments(), doc);
    });
    return HttpResponse::json(200, v4_attachment_view(std::move(doc)));
  });
}

json::array v4_views(json::array docs) {
  for (auto& d : docs)
    if (d.is_object()) d = v4_attachment_view(std::move(d.as_object()));
  return docs;
}

ListFilter v4_list_filter(App& app, const HttpRequest& req) {
  ListFilter f = attachment_access(app).request_filter(req);
  apply_v4_default_window(f);
  return f;
}

}  // namespace

void register_v4_attachment_routes(Router& r, App& app) {
  r.add("GET", "/api/v4/attachments", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, v4_views(attachment_access(app).list(p, v4_list_filter(app, req))));
  });
  r.add("GET", "/api/v4/attachments/public", [&app](HttpRequest& req) {
    return HttpResponse::json(200, v4_views(attachment_access(app).list(Principal::anonymous(), v4_list_filter(app, req))));
  });
  r.add("GET", "/api/v4/attachments/:aid", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    try {
      return HttpResponse::json(200, v4_attachment_view(attachment_access(app).get_readable(p, req.param("aid"))));
    } catch (const ApiError& e) {
      if (e.status() == 404) attachment_missing(req.param("aid"));
      throw;
    }
  });
  r.add("POST", "/api/v4/attachments", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_may_create(app, p);
    json::object body = body_object(req);
    auto errors = validate_v4_attachment(body, false, true);
    if (!errors.empty()) throw ApiError(400, errors);
    Target target = target_of(body);
    json::object doc;
    app.store().transaction([&] {
      json::object parent_doc = linked_parent(app, *target.parent, p, target.id, AttachmentChange::Create);
      doc = new_attachment(app, *target.parent, p, parent_doc, std::move(body), privileged_creator(app, p));
    });
    return HttpResponse::json(201, v4_attachment_view(std::move(doc)));
  });
  r.add("POST", "/api/v4/attachments/isValid", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_may_create(app, p);
    json::object body = body_object(req);
    auto errors = validate_v4_attachment(body, false, true);
    if (errors.empty()) {
      try {
        Target target = target_of(body);
        json::object parent_doc = linked_parent(app, *target.parent, p, target.id, AttachmentChange::Create);
        check_attachment_owner_group(app, p, parent_doc, str_field(body, "ownerGroup"), privileged_creator(app, p));
      } catch (const ApiError& e) {
        if (e.status() != 400) throw;
        errors.push_back(e.what());
      }
    }
    return HttpResponse::json(200, json::object{{"valid", errors.empty()}, {"reason", validation_reasons(errors)}});
  });
  register_change(r, app, "PUT");
  register_change(r, app, "PATCH");
  r.add("DELETE", "/api/v4/attachments/:aid", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!p.authenticated()) throw ApiError::forbidden();
    const std::string aid = req.param("aid");
    json::object doc;
    app.store().transaction([&] {
      doc = for_change(app, p, aid, AttachmentChange::Delete);
      stored_parent_for(app, p, doc, AttachmentChange::Delete);
      app.store().remove(schemas::attachments(), aid);
    });
    return HttpResponse::json(200, v4_attachment_view(std::move(doc)));
  });
}

void register_attachment_routes(Router& r, App& app) {
  register_parent_attachment_routes(r, app);
  register_v4_attachment_routes(r, app);
}

}  // namespace openem
