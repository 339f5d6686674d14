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

#include "api/permissions.h"
#include "api/routes.h"
#include "core/error.h"
#include "query/access.h"
#include "query/where.h"
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

// Who may use the history of `subsystem` at all (upstream historyEndpointAccess).
void check_endpoint_access(App& app, const Principal& p, const std::string& subsystem) {
  if (app.is_admin(p)) return;
  auto it = app.config().history_access_groups.find(subsystem);
  if (it != app.config().history_access_groups.end() && it->second.matches(p.groups, true)) return;
  throw ApiError::forbidden("You don't have permission to access history for " + subsystem + " collection");
}

// The read rule of the subsystem's collection for p, as its own endpoints apply it; nullopt
// when p reads every document (then also the records of deleted ones).
std::optional<Condition> readable_documents(App& app, const Principal& p, const CollectionSchema& schema) {
  const Config& cfg = app.config();
  auto by_scope = [&](const ReadScope& scope) -> std::optional<Condition> {
    if (scope.read_any) return std::nullopt;
    return read_access_condition(schema, p, scope, /*probe=*/true);
  };
  const std::string& s = schema.history_subsystem;
  if (s == "Dataset" || s == "Datablock" || s == "OrigDatablock") return by_scope(dataset_read_scope(cfg, p));
  if (s == "Proposal") return by_scope(proposal_read_scope(cfg, p));
  if (s == "Sample") return by_scope(sample_read_scope(cfg, p));
  if (s == "Attachment") return by_scope(ReadScope{app.is_admin(p), true});
  if (s == "Instrument") return std::nullopt;  // every signed-in user reads instruments
  if (s == "Policy") {  // policies are for their managers only (api/proposal_sample_routes.cpp)
    if (app.is_admin(p) || cfg.policy_groups.matches(p.groups, true)) return std::nullopt;
    return Condition::always_false();
  }
  if (s == "PublishedData") {  // PublishedDataService::read_rule: public statuses, or the creator's
    if (app.is_admin(p)) return std::nullopt;
    json::array statuses(schema.public_values.begin(), schema.public_values.end());
    json::array any{json::object{{"status", json::object{{"$in", std::move(statuses)}}}},
                    json::object{{"createdBy", p.username}}};
    return translate_where(schema, json::object{{"$or", std::move(any)}});
  }
  return Condition::always_false();  // a subsystem added without a rule here: nobody but admins
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
  check_endpoint_access(app, h.caller, h.subsystem);
  h.query.schema = schemas::by_history_subsystem(h.subsystem);
  h.known = h.query.schema != nullptr;
  if (h.known) h.query.readable = readable_documents(app, h.caller, *h.query.schema);
  h.query.skip = count_param(req, "skip", 0);
  h.query.limit = std::clamp<std::int64_t>(count_param(req, "limit", 100), 0, 1000);
  return h;
}

HttpResponse page(App& app, HistoryRequest h) {
  json::array items;
  std::int64_t total = 0;
  if (h.known && h.query.limit > 0) {
    for (const auto& r : app.store().history(h.query)) items.push_back(history_record_json(r));
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
  r.add("GET", "/api/v3/history", [&app](HttpRequest& req) { return page(app, parse_request(app, req, std::nullopt)); });
  r.add("GET", "/api/v3/history/count", [&app](HttpRequest& req) {
    HistoryRequest h = parse_request(app, req, std::nullopt);
    return HttpResponse::json(200, json::object{{"count", h.known ? app.store().count_history(h.query) : 0}});
  });
  r.add("GET", "/api/v3/history/collection/:subsystem", [&app](HttpRequest& req) {
    return page(app, parse_request(app, req, req.param("subsystem")));
  });
}

}  // namespace openem
