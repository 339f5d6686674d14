// The change history's read side, as upstream's generic history (SciCat src/history/):
//   GET /api/v3/history?filter={"subsystem":"Dataset","documentId":"<pid>"}&skip=&limit=
//   GET /api/v3/history/count?filter=...            → {count}
//   GET /api/v3/history/collection/:subsystem?skip=&limit=
// answering {items, count, totalCount, skip, limit}, items newest first. Guarded as upstream:
// anonymous callers 401; admins and members of the subsystem's HISTORY_ACCESS_*_GROUPS may read
// it, others 403. Beyond upstream, each reader gets only the records of documents they may read
// now (store/history.h HistoryQuery::readable): for a document that is private to them, or that
// was deleted, the answer is the one for a document that never existed.
#include <boost/json.hpp>

#include <limits>
#include <memory>

#include "api/events/event_ids.h"
#include "api/history/history_access.h"
#include "api/routes.h"
#include "core/error.h"
#include "store/history.h"

namespace openem {
namespace json = boost::json;
namespace {

std::int64_t count_param(const HttpRequest& req, const char* name, std::int64_t fallback) {
  auto text = req.query_param(name);
  if (!text || text->empty()) return fallback;
  std::int64_t n = 0;
  for (char c : *text) {
    if (c < '0' || c > '9' || n > std::numeric_limits<std::int64_t>::max() / 20)
      throw ApiError::bad_request(std::string(name) + " must be a non-negative number");
    n = n * 10 + (c - '0');
  }
  return n;
}

struct HistoryRequest {
  Principal caller;
  std::string subsystem;
  HistoryQuery query;
  bool known = false;  // the subsystem names a collection with a history
};

HistoryRequest parse_request(App& app, const HttpRequest& req, std::optional<std::string> subsystem) {
  HistoryRequest h;
  h.caller = app.authenticate(req);
  if (!h.caller.authenticated()) throw ApiError::unauthorized("Authentication required to access history data");
  if (!subsystem) {
    auto text = req.query_param("filter");
    boost::system::error_code ec;
    json::value filter = json::parse(text.value_or(""), ec);
    if (ec || !filter.is_object()) throw ApiError::bad_request("Invalid filter JSON format");
    for (const auto& [key, value] : filter.get_object()) {
      if (!value.is_string())
        throw ApiError::bad_request("filter." + std::string(key) + " must be a string");
      std::string v(value.get_string());
      if (key == "subsystem" || key == "collectionName") subsystem = v;  // collectionName: SciCat before 4.20
      else if (key == "documentId") h.query.document_id = v;
      else if (key == "operation") h.query.operation = v;
      else if (key == "user") h.query.user = v;
      else
        throw ApiError::bad_request("filter." + std::string(key) +
                                    " is not supported (subsystem, documentId, operation, user)");
    }
    if (!subsystem) throw ApiError::bad_request("subsystem is required in filter for permission verification");
  }
  h.subsystem = *subsystem;
  if (!may_read_history(app, h.caller, h.subsystem))
    throw ApiError::forbidden("You don't have permission to access history for " + h.subsystem + " collection");
  h.query.schema = schemas::by_history_subsystem(h.subsystem);
  h.known = h.query.schema != nullptr;
  if (h.known) h.query.readable = history_readable_documents(app, h.caller, *h.query.schema);
  h.query.skip = count_param(req, "skip", 0);
  h.query.limit = std::clamp<std::int64_t>(count_param(req, "limit", 100), 0, 1000);
  return h;
}

HttpResponse page(App& app, const EventIds& ids, HistoryRequest h) {
  json::array items;
  std::int64_t total = 0;
  if (h.known && h.query.limit > 0) {
    for (const auto& r : app.store().history(h.query)) {
      json::object item = history_record_json(r);
      // The event's id (api/events/event_ids.h), not the sequence number: its gaps would
      // count changes of documents this reader may not see.
      item["_id"] = ids.id_of(r.seq);
      items.push_back(std::move(item));
    }
  }
  if (h.known) total = app.store().count_history(h.query);
  const auto count = static_cast<std::int64_t>(items.size());
  return HttpResponse::json(200, json::object{{"items", std::move(items)},
                                              {"count", count},
                                              {"totalCount", total},
                                              {"skip", h.query.skip},
                                              {"limit", h.query.limit}});
}

}  // namespace

void register_history_routes(Router& r, App& app) {
  auto ids = std::make_shared<EventIds>(app.jwt_secret());
  r.add("GET", "/api/v3/history", [&app, ids](HttpRequest& req) { return page(app, *ids, parse_request(app, req, std::nullopt)); });
  r.add("GET", "/api/v3/history/count", [&app](HttpRequest& req) {
    HistoryRequest h = parse_request(app, req, std::nullopt);
    return HttpResponse::json(200, json::object{{"count", h.known ? app.store().count_history(h.query) : 0}});
  });
  r.add("GET", "/api/v3/history/collection/:subsystem", [&app, ids](HttpRequest& req) {
    return page(app, *ids, parse_request(app, req, req.param("subsystem")));
  });
}

}  // namespace openem
