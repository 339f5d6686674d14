#include "api/handler_util.h"

#include "core/error.h"
#include "core/json_fields.h"
#include "core/time.h"

namespace openem {
namespace json = boost::json;

json::value body_value(const HttpRequest& req) {
  if (req.body.empty()) return json::object();
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value v = json::parse(req.body, ec, {}, opts);
  if (ec) throw ApiError::bad_request("Invalid JSON in request body: " + ec.message());
  return v;
}

json::object body_object(const HttpRequest& req) {
  json::value v = body_value(req);
  if (!v.is_object()) throw ApiError::bad_request("Request body must be a JSON object");
  return std::move(v.as_object());
}

std::string actor(const Principal& p) { return p.authenticated() ? p.username : "anonymous"; }

void stamp(json::object& doc, const Principal& p, bool creating) {
  std::string now = now_iso();
  if (creating) {
    doc["createdBy"] = actor(p);
    doc["createdAt"] = now;
  }
  doc["updatedBy"] = actor(p);
  doc["updatedAt"] = now;
}

std::string str_field(const json::object& o, std::string_view key) { return json_string(o, key); }

}  // namespace openem
