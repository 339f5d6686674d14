#include "query/filter.h"

#include <boost/json.hpp>

#include <algorithm>

#include "core/error.h"
#include "query/field_ref.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr std::int64_t kMaxLimit = 100000;

std::int64_t to_int(const json::value& v, const char* what) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(v.get_uint64(), INT64_MAX));
  if (v.is_double()) return static_cast<std::int64_t>(v.get_double());
  if (v.is_string()) {
    try {
      return std::stoll(std::string(v.get_string()));
    } catch (...) {
    }
  }
  throw ApiError::bad_request(std::string(what) + " must be a number");
}

// "field:desc", "field DESC", "field" (ascending).
OrderKey parse_order_key(std::string_view s) {
  OrderKey k;
  auto sep = s.find_first_of(": ");
  std::string dir;
  if (sep != std::string_view::npos) {
    k.field = std::string(s.substr(0, sep));
    dir = std::string(s.substr(sep + 1));
    std::transform(dir.begin(), dir.end(), dir.begin(), ::tolower);
    while (!dir.empty() && dir.front() == ' ') dir.erase(dir.begin());
  } else {
    k.field = std::string(s);
  }
  if (dir == "desc" || dir == "-1") k.descending = true;
  else if (!dir.empty() && dir != "asc" && dir != "1") throw ApiError::bad_request("Invalid sort order '" + std::string(s) + "'");
  if (k.field.empty()) throw ApiError::bad_request("Invalid sort order '" + std::string(s) + "'");
  return k;
}

void parse_order(ListFilter& f, const json::value& v) {
  if (v.is_string()) {
    std::string_view s = v.get_string();
    size_t pos = 0;
    while (pos <= s.size()) {
      size_t comma = s.find(',', pos);
      if (comma == std::string_view::npos) comma = s.size();
      auto part = s.substr(pos, comma - pos);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (!part.empty()) f.order.push_back(parse_order_key(part));
      pos = comma + 1;
    }
  } else if (v.is_array()) {
    for (const auto& x : v.get_array()) parse_order(f, x);
  } else if (v.is_object()) {  // v4 sort: {"field": "asc" | "desc" | 1 | -1}
    for (const auto& [k, d] : v.get_object()) {
      OrderKey key{std::string(k), false};
      if (d.is_string()) key.descending = d.get_string() == "desc" || d.get_string() == "DESC";
      else if (d.is_number()) key.descending = d.to_number<double>() < 0;
      f.order.push_back(key);
    }
  } else if (!v.is_null()) {
    throw ApiError::bad_request("order must be a string");
  }
  if (f.order.size() > 8) throw ApiError::bad_request("Too many sort keys");
}

void parse_fields(ListFilter& f, const json::value& v) {
  if (v.is_array()) {
    for (const auto& x : v.get_array())
      if (x.is_string()) f.fields.emplace_back(x.get_string());
      else throw ApiError::bad_request("fields must be names");
  } else if (v.is_object()) {
    for (const auto& [k, on] : v.get_object()) {
      bool include = on.is_bool() ? on.get_bool() : !(on.is_number() && on.to_number<double>() == 0);
      (include ? f.fields : f.excluded_fields).emplace_back(k);
    }
  } else if (v.is_string()) {
    f.fields.emplace_back(v.get_string());
  } else if (!v.is_null()) {
    throw ApiError::bad_request("fields must be an array or an object");
  }
}

void parse_include(ListFilter& f, const json::value& v) {
  auto add = [&](std::string rel, json::value scope) {
    std::transform(rel.begin(), rel.end(), rel.begin(), ::tolower);
    f.include.push_back({std::move(rel), std::move(scope)});
  };
  if (v.is_string()) add(std::string(v.get_string()), nullptr);
  else if (v.is_array()) {
    for (const auto& x : v.get_array()) parse_include(f, x);
  } else if (v.is_object()) {
    const auto& o = v.get_object();
    if (auto* r = o.if_contains("relation"); r && r->is_string())
      add(std::string(r->get_string()), o.contains("scope") ? o.at("scope") : json::value());
    else throw ApiError::bad_request("include needs a relation");
  } else if (!v.is_null()) {
    throw ApiError::bad_request("include must be a list of relations");
  }
}

}  // namespace

json::value parse_json_param(std::string_view text, std::string_view name) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) throw ApiError::bad_request("Invalid JSON in " + std::string(name) + ": " + ec.message());
  return v;
}

void apply_limits(ListFilter& f, const json::value& limits) {
  if (limits.is_null()) return;
  if (!limits.is_object()) throw ApiError::bad_request("limits must be an object");
  const auto& o = limits.get_object();
  if (auto* l = o.if_contains("limit"); l && !l->is_null()) f.limit = to_int(*l, "limit");
  if (auto* s = o.if_contains("skip"); s && !s->is_null()) f.skip = to_int(*s, "skip");
  if (auto* ord = o.if_contains("order")) parse_order(f, *ord);
  if (auto* sort = o.if_contains("sort")) parse_order(f, *sort);
  check_window(f);
}

void apply_v4_default_window(ListFilter& f) {
  if (f.limit) return;
  f.limit = 10;
  if (f.order.empty()) f.order.push_back({"createdAt", true});
}

void check_window(ListFilter& f) {
  // The same caps for every form a window comes in (filter, limits, separate parameters):
  // -1 would mean "no limit" to the store.
  if (f.skip < 0) throw ApiError::bad_request("skip must not be negative");
  if (f.limit && *f.limit < 0) throw ApiError::bad_request("limit must not be negative");
  if (f.limit && *f.limit > kMaxLimit) f.limit = kMaxLimit;
}

ListFilter parse_filter_value(const json::value& v) {
  ListFilter f;
  if (v.is_null()) return f;
  if (!v.is_object()) throw ApiError::bad_request("filter must be a JSON object");
  const auto& o = v.get_object();
  for (const auto& [k, x] : o) {
    std::string_view key = k;
    if (key == "where") f.where = x;
    else if (key == "fields") parse_fields(f, x);
    else if (key == "include") parse_include(f, x);
    else if (key == "limits") apply_limits(f, x);
    else if (key == "limit") { if (!x.is_null()) f.limit = to_int(x, "limit"); }
    else if (key == "skip" || key == "offset") f.skip = to_int(x, "skip");
    else if (key == "order" || key == "sort") parse_order(f, x);
    // Unknown keys are ignored, as upstream's v3 pipes do.
  }
  check_window(f);
  return f;
}

ListFilter parse_filter(std::string_view text) {
  return parse_filter_value(parse_json_param(text, "filter"));
}

namespace {
void copy_path(const json::object& src, json::object& dst, std::string_view path) {
  auto dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  auto* v = src.if_contains(head);
  if (!v) return;
  if (dot == std::string_view::npos) {
    dst[head] = *v;
    return;
  }
  if (!v->is_object()) return;
  auto& sub = dst[head];
  if (!sub.is_object()) sub = json::object();
  copy_path(v->get_object(), sub.as_object(), path.substr(dot + 1));
}
void erase_path(json::object& obj, std::string_view path) {
  auto dot = path.find('.');
  if (dot == std::string_view::npos) {
    obj.erase(path);
    return;
  }
  if (auto* v = obj.if_contains(path.substr(0, dot)); v && v->is_object())
    erase_path(v->as_object(), path.substr(dot + 1));
}
}  // namespace

json::object project(json::object doc, const ListFilter& f) {
  if (f.fields.empty() && f.excluded_fields.empty()) return doc;
  json::object out;
  if (f.fields.empty()) out = std::move(doc);
  else
    for (const auto& field : f.fields) copy_path(doc, out, field);
  for (const auto& field : f.excluded_fields) erase_path(out, field);
  return out;
}

void add_order_and_window(QueryPlan& plan, const CollectionSchema& schema, const ListFilter& f,
                          std::int64_t default_limit) {
  for (const auto& k : f.order) plan.order.push_back(order_by_field(schema, k.field, k.descending));
  plan.limit = f.limit ? *f.limit : default_limit;
  plan.skip = f.skip;
}

}  // namespace openem
