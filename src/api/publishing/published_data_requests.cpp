// What the v3 and v4 published-data routes read and answer alike (published_data_routes.h).
#include "api/handler_util.h"
#include "api/publishing/published_data_routes.h"
#include "core/error.h"
#include "publish/published_data/record.h"

namespace openem {
namespace json = boost::json;

ListFilter published_data_filter(const HttpRequest& req, bool where_param) {
  ListFilter f = parse_filter(req.query_param("filter").value_or(""));
  if (auto w = req.query_param("where"); where_param && w && f.where.is_null()) f.where = parse_json_param(*w, "where");
  if (auto l = req.query_param("limits")) apply_limits(f, parse_json_param(*l, "limits"));
  if (auto fields = req.query_param("fields")) {
    json::value extra = parse_json_param(*fields, "fields");
    if (extra.is_object() && !extra.get_object().empty())
      f.where = f.where.is_null() ? extra : json::value(json::object{{"$and", json::array{f.where, extra}}});
  }
  return f;
}

json::object checked_published_data_body(const HttpRequest& req, const DtoSpec& spec, bool partial) {
  json::object body = body_object(req);
  auto errors = validate_dto(body, spec, partial, published_data_server_fields());
  if (!errors.empty()) throw ApiError(400, errors);
  return body;
}

HttpResponse publication_response(const PublicationResult& result, const json::value& body) {
  if (result.delivery && result.delivery->kind == datacite::DeliveryResult::Kind::Failed)
    return HttpResponse::error(424, "DataCite refused the change: " + result.delivery->error);
  return HttpResponse::json(201, body);
}

}  // namespace openem
