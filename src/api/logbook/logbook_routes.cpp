// The electronic logbook's routes (docs/logbook.md; logbook_entries.h).
//
// openem's own, for signed-in users:
//   POST   /api/v3/logbooks/:proposalId/entries   {text, tags, datasetIds, sampleIds, instrumentIds} → 201
//   GET    /api/v3/logbooks/:proposalId/entries   ?text=&tag=&datasetId=&skip=&limit= → entries, newest first
//   GET    /api/v3/logbook-entries                the same over every logbook the caller reads (+ proposalId=)
//   GET    /api/v3/logbook-entries/:id
//   PATCH  /api/v3/logbook-entries/:id            the author or an admin; the edit is history
//   DELETE /api/v3/logbook-entries/:id            the author or an admin
// Writing needs membership of the proposal's groups (or admin); reading follows the proposal's
// rule. A proposal or entry the caller may not read is 404, as one that does not exist.
//
// SciCat's read paths (upstream logbooks.controller.ts, its SciChat Logbook/Message shapes):
//   GET /api/v3/logbooks                          → [{name, roomId, messages}] of readable proposals
//   GET /api/v3/logbooks/:name?filter={skip, limit, sortField, textSearch}
//   GET /api/v3/datasets/:pid/logbook (and v4)    → the logbook of the dataset's proposal
// A logbook that does not exist or that the caller may not read is null, as upstream answers
// for one SciChat does not have. Anonymous callers get 403 (upstream's PoliciesGuard).
#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "api/attachments/attachment_documents.h"
#include "api/attachments/attachment_parents.h"
#include "api/collection_access.h"
#include "api/dataset_service.h"
#include "api/frontend/frontend_routes.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "core/error.h"
#include "core/json_fields.h"
#include "core/time.h"
#include "logbook/logbook_entries.h"
#include "model/dto.h"
#include "query/text_search.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr std::int64_t kMaxPage = 1000;
// GET /logbooks gathers at most this many entries (the newest) into its logbooks.
constexpr std::int64_t kMaxEntriesInLogbookList = 10'000;

const CollectionSchema& entries() { return schemas::logbook_entries(); }

CollectionAccess proposal_access(App& app) {
  return CollectionAccess(app, schemas::proposals(), [&app](const Principal& p) { return proposal_read_scope(app.config(), p); });
}
CollectionAccess entry_access(App& app) {
  return CollectionAccess(app, entries(), [&app](const Principal& p) { return logbook_entry_read_scope(app.config(), p); });
}

std::int64_t number_param(const HttpRequest& req, const char* name, std::int64_t fallback, std::int64_t max) {
  auto text = req.query_param(name);
  if (!text || text->empty()) return fallback;
  if (text->size() > 9 || !std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw ApiError::bad_request(std::string(name) + " must be a number from 0 to " + std::to_string(max));
  return std::min<std::int64_t>(std::stoll(*text), max);
}

// The readable entries matching the request's ?text=, ?tag=, ?datasetId= (and `proposal_id`),
// newest first.
std::vector<json::object> find_entries(App& app, const Principal& p, const HttpRequest& req,
                                       std::optional<std::string> proposal_id) {
  QueryPlan plan;
  plan.conditions.push_back(entry_access(app).access_condition(p, /*probe=*/true));
  if (!proposal_id) proposal_id = req.query_param("proposalId");
  if (proposal_id) plan.conditions.push_back(field_is(entries(), "proposalId", *proposal_id));
  if (auto tag = req.query_param("tag"); tag && !tag->empty()) plan.conditions.push_back(field_is(entries(), "tags", *tag));
  if (auto ds = req.query_param("datasetId"); ds && !ds->empty())
    plan.conditions.push_back(field_is(entries(), "datasetIds", *ds));
  if (auto text = req.query_param("text"); text && !text->empty()) plan.conditions.push_back(text_condition(entries(), *text));
  plan.order = {sort_by(entries(), "createdAt", /*descending=*/true)};
  plan.skip = number_param(req, "skip", 0, 1'000'000'000);
  plan.limit = number_param(req, "limit", 100, kMaxPage);
  return app.store().find(entries(), plan);
}

json::value as_array(std::vector<json::object> docs) {
  json::array out;
  for (auto& d : docs) out.emplace_back(std::move(d));
  return out;
}

// An entry as a SciChat message (upstream schemas/message.schema.ts).
json::object message_of(const json::object& entry, Millis now) {
  const Millis ts = parse_iso(json_string(entry, "createdAt")).value_or(0);
  return json::object{{"event_id", entry.at("id")},
                      {"origin_server_ts", ts},
                      {"sender", json_string(entry, "author")},
                      {"type", "m.room.message"},
                      {"content", json::object{{"body", json_string(entry, "text")}, {"msgtype", "m.text"}}},
                      {"unsigned", json::object{{"age", now - ts}}}};
}

json::object logbook_of(const std::string& name, json::array messages) {
  return json::object{{"name", name}, {"roomId", name}, {"messages", std::move(messages)}};
}

// Upstream's findByName: all messages (here: the readable entries, oldest first, matching
// textSearch), sorted by sortField "timestamp|sender|entry:asc|desc", then skip/limit.
json::value named_logbook(App& app, const Principal& p, const std::string& name, const json::object& filter) {
  try {
    proposal_access(app).get_readable(p, name);
  } catch (const ApiError& e) {
    if (e.status() == 404) return nullptr;  // unknown or unreadable: as SciChat's unknown room
    throw;
  }
  QueryPlan plan;
  plan.conditions = {entry_access(app).access_condition(p, true), field_is(entries(), "proposalId", name)};
  if (const json::value* text = filter.if_contains("textSearch"); text && text->is_string() && !text->get_string().empty())
    plan.conditions.push_back(text_condition(entries(), text->get_string()));
  plan.order = {sort_by(entries(), "createdAt")};
  plan.limit = kMaxEntriesInLogbookList;
  const Millis now = now_millis();
  std::vector<json::object> messages;
  for (const auto& e : app.store().find(entries(), plan)) messages.push_back(message_of(e, now));
  const std::string sort = json_string(filter, "sortField");
  if (auto colon = sort.find(':'); colon != std::string::npos && colon > 0) {
    const std::string column = sort.substr(0, colon), direction = sort.substr(colon + 1);
    auto key = [&](const json::object& m) -> json::value {
      if (column == "timestamp") return m.at("origin_server_ts");
      if (column == "sender") return json::value(json_string(m, "sender"));
      if (column == "entry") return json::value(json_string(m.at("content").as_object(), "body"));
      return nullptr;
    };
    std::stable_sort(messages.begin(), messages.end(), [&](const json::object& a, const json::object& b) {
      json::value x = key(a), y = key(b);
      if (x.is_int64()) return x.as_int64() < y.as_int64();
      if (x.is_string()) return x.as_string() < y.as_string();
      return false;
    });
    if (direction == "desc") std::reverse(messages.begin(), messages.end());
  }
  const json::value* skip = filter.if_contains("skip");
  const json::value* limit = filter.if_contains("limit");
  if (skip && limit && skip->is_int64() && limit->is_int64() && skip->as_int64() >= 0 && limit->as_int64() >= 0) {
    const auto from = std::min<std::size_t>(messages.size(), static_cast<std::size_t>(skip->as_int64()));
    const auto to = std::min<std::size_t>(messages.size(), from + static_cast<std::size_t>(limit->as_int64()));
    messages = std::vector<json::object>(messages.begin() + static_cast<std::ptrdiff_t>(from),
                                         messages.begin() + static_cast<std::ptrdiff_t>(to));
  }
  json::array out;
  for (auto& m : messages) out.emplace_back(std::move(m));
  return logbook_of(name, std::move(out));
}

json::object filter_param(const HttpRequest& req) {
  auto text = req.query_param("filter");
  if (!text || text->empty()) return {};
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) throw ApiError::bad_request("filter must be a JSON object {skip, limit, sortField, textSearch}");
  return v.get_object();
}

Principal signed_in(App& app, const HttpRequest& req) {
  Principal p = app.authenticate(req);
  if (!p.authenticated()) throw ApiError::forbidden();  // upstream's PoliciesGuard
  return p;
}

// The entry for a change by p: 404 when p may not read it, 403 when p reads it but is neither
// its author nor an admin.
json::object entry_for_change(App& app, const Principal& p, const std::string& id) {
  return entry_access(app).get_for_change(p, id, [&](const json::object& e) {
    return app.is_admin(p) || (json_string(e, "author") == p.username && json_string(e, "author") != "openem");
  });
}

}  // namespace

void register_logbook_routes(Router& r, App& app) {
  r.add("POST", "/api/v3/logbooks/:proposalId/entries", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    const json::object body = body_object(req);
    json::object entry;
    app.store().transaction([&] {
      json::object proposal = proposal_access(app).get_readable(p, req.param("proposalId"));
      if (!app.is_admin(p) && !member_of_proposal(p.groups, proposal))
        throw ApiError::forbidden("Only members of the proposal's groups write in its logbook");
      entry = new_logbook_entry(body, proposal, p.username);
      check_entry_attachments(app.store(), entry);
      app.store().insert(entries(), entry);
    });
    return HttpResponse::json(201, entry);
  });
  r.add("GET", "/api/v3/logbooks/:proposalId/entries", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    proposal_access(app).get_readable(p, req.param("proposalId"));
    return HttpResponse::json(200, as_array(find_entries(app, p, req, req.param("proposalId"))));
  });
  r.add("GET", "/api/v3/logbook-entries", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    return HttpResponse::json(200, as_array(find_entries(app, p, req, std::nullopt)));
  });
  r.add("GET", "/api/v3/logbook-entries/:id", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    return HttpResponse::json(200, entry_access(app).get_readable(p, req.param("id")));
  });
  r.add("PATCH", "/api/v3/logbook-entries/:id", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    const json::object changes = body_object(req);
    json::object entry;
    app.store().transaction([&] {
      entry = entry_for_change(app, p, req.param("id"));
      change_logbook_entry(entry, changes);
      check_entry_attachments(app.store(), entry);
      app.store().replace(entries(), entry);
    });
    return HttpResponse::json(200, entry);
  });
  // An image or file of an entry: an attachment of its proposal ({thumbnail: data URL, caption}),
  // readable as the proposal is, named in the entry's attachmentIds. Whoever may edit the
  // entry adds it — proposal attachments otherwise take the proposal's own write rights.
  r.add("POST", "/api/v3/logbook-entries/:id/attachments", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object body = body_object(req);
    for (const auto& [key, value] : body)
      if (key != "thumbnail" && key != "caption")
        throw ApiError::bad_request("an entry's attachment has a thumbnail (a data: URL) and a caption, not " +
                                    std::string(key));
    auto errors = validate_dto(body, v3_attachment_spec(), false, server_managed_fields());
    if (!errors.empty()) throw ApiError(400, errors);
    check_entry_file(json_string(body, "thumbnail"));
    json::object attachment;
    app.store().transaction([&] {
      json::object entry = entry_for_change(app, p, req.param("id"));
      auto proposal = app.store().get(schemas::proposals(), json_string(entry, "proposalId"));
      if (!proposal) throw ApiError::not_found("The entry's proposal is gone");
      // Read as the entry is: the proposal's groups, never public with a published proposal.
      body["isPublished"] = false;
      body["logbookEntryId"] = entry.at("id");
      attachment = new_attachment(app, proposal_parent(), p, *proposal, std::move(body), /*privileged=*/true);
      json::array ids = entry["attachmentIds"].is_array() ? entry["attachmentIds"].get_array() : json::array();
      ids.emplace_back(attachment.at("aid"));
      change_logbook_entry(entry, json::object{{"attachmentIds", std::move(ids)}});
      app.store().replace(entries(), entry);
    });
    return HttpResponse::json(201, attachment);
  });
  r.add("DELETE", "/api/v3/logbook-entries/:id", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object entry;
    app.store().transaction([&] {
      entry = entry_for_change(app, p, req.param("id"));
      app.store().remove(entries(), req.param("id"));
    });
    return HttpResponse::json(200, entry);
  });

  r.add("GET", "/api/v3/logbooks", [&app](HttpRequest& req) {
    Principal p = signed_in(app, req);
    QueryPlan plan;
    plan.conditions = {entry_access(app).access_condition(p, true)};
    plan.order = {sort_by(entries(), "createdAt", /*descending=*/true)};
    plan.limit = kMaxEntriesInLogbookList;
    const Millis now = now_millis();
    // Newest activity first (upstream sorts by each logbook's last message), messages oldest first.
    std::vector<std::string> order;
    std::map<std::string, json::array> messages;
    for (const auto& e : app.store().find(entries(), plan)) {
      const std::string name = json_string(e, "proposalId");
      auto [it, fresh] = messages.try_emplace(name);
      if (fresh) order.push_back(name);
      it->second.emplace_back(message_of(e, now));
    }
    json::array out;
    for (const auto& name : order) {
      json::array& m = messages[name];
      std::reverse(m.begin(), m.end());
      out.emplace_back(logbook_of(name, std::move(m)));
    }
    return HttpResponse::json(200, out);
  });
  r.add("GET", "/api/v3/logbooks/:name", [&app](HttpRequest& req) {
    Principal p = signed_in(app, req);
    return HttpResponse::json(200, named_logbook(app, p, req.param("name"), filter_param(req)));
  });
  // The dataset's logbook is its proposal's; a dataset the caller cannot read answers 404
  // exactly as a missing one (docs/security.md), before anything else is looked at.
  // v4 has the same route (upstream datasets.v4.controller.ts findLogbookByPid).
  for (const char* path : {"/api/v3/datasets/:pid/logbook", "/api/v4/datasets/:pid/logbook"})
    r.add("GET", path, [&app](HttpRequest& req) {
      Principal p = app.authenticate(req);
      json::object dataset = dataset_access(app).get_readable(p, req.param("pid"));
      const std::string proposal = json_string(dataset, "proposalId");
      if (proposal.empty() || !p.authenticated()) return HttpResponse::json(200, nullptr);
      return HttpResponse::json(200, named_logbook(app, p, proposal, filter_param(req)));
    });
}

}  // namespace openem
