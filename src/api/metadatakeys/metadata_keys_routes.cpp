// GET /api/v4/metadatakeys (upstream src/metadata-keys/metadatakeys.v4.controller.ts and
// metadatakeys.service.ts): one document per (dataset, scientificMetadata key) with the
// key's human_name, the dataset's groups and isPublished, filtered by {where, fields, limits}.
// The frontend's condition editor offers these keys. Upstream keeps them in a collection of
// their own and filters it with the reader's groups; openem derives them from the datasets
// the caller can read (the dataset access rule in SQL), so a key of a private dataset never
// reaches anyone outside its groups.
#include <boost/json.hpp>

#include <algorithm>
#include <regex>

#include "api/app.h"
#include "api/dataset_service.h"
#include "api/metadatakeys/metadata_keys_routes.h"
#include "core/error.h"
#include "query/filter.h"

namespace openem {
namespace json = boost::json;
namespace {

// Datasets read per request: the keys come from at most this many readable datasets.
constexpr std::int64_t kMaxDatasetsScanned = 5000;

json::array user_groups(const json::object& ds) {
  json::array out;
  auto add = [&](const json::value& g) {
    if (g.is_string() && !g.as_string().empty() && std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  };
  if (auto* owner = ds.if_contains("ownerGroup")) add(*owner);
  if (auto* access = ds.if_contains("accessGroups"); access && access->is_array())
    for (const auto& g : access->as_array()) add(g);
  return out;
}

// MetadataKeyClass documents of one dataset (upstream insertManyFromSource).
void keys_of(const json::object& ds, json::array& out) {
  auto* sm = ds.if_contains("scientificMetadata");
  auto* pid = ds.if_contains("pid");
  if (!sm || !sm->is_object() || !pid || !pid->is_string()) return;
  std::string source_id(pid->as_string());
  auto* published = ds.if_contains("isPublished");
  json::array groups = user_groups(ds);
  for (const auto& [key, entry] : sm->as_object()) {
    std::string human;
    if (entry.is_object())
      if (auto* h = entry.as_object().if_contains("human_name"); h && h->is_string()) human = h->as_string();
    std::string id = "Datasets_" + source_id + "_" + std::string(key);
    out.push_back(json::object{{"_id", id},
                               {"id", id},
                               {"key", key},
                               {"humanReadableName", human},
                               {"userGroups", groups},
                               {"sourceType", "Datasets"},
                               {"sourceId", source_id},
                               {"isPublished", published && published->is_bool() && published->get_bool()}});
  }
}

bool matches(const json::object& doc, const json::value& where);

// One field's condition: a value (equality; an array field matches when it holds it) or an
// object of operators ($eq $ne $in $nin $regex/$options $exists), as upstream's allowed
// filter keys (types/metadatakeys-lookup.ts).
bool field_matches(const json::value* actual, const json::value& cond) {
  auto equals = [&](const json::value& wanted) {
    if (!actual) return false;
    if (*actual == wanted) return true;
    if (actual->is_array())
      for (const auto& item : actual->as_array())
        if (item == wanted) return true;
    return false;
  };
  if (!cond.is_object() || cond.as_object().empty()) return equals(cond);
  const json::object& ops = cond.as_object();
  for (const auto& [op, arg] : ops) {
    if (op == "$eq") {
      if (!equals(arg)) return false;
    } else if (op == "$ne") {
      if (equals(arg)) return false;
    } else if (op == "$in" || op == "$nin") {
      if (!arg.is_array()) throw ApiError::bad_request(std::string(op) + " needs an array");
      bool any = std::any_of(arg.as_array().begin(), arg.as_array().end(), equals);
      if (any != (op == "$in")) return false;
    } else if (op == "$exists") {
      if ((actual != nullptr) != (arg.is_bool() ? arg.get_bool() : true)) return false;
    } else if (op == "$regex") {
      if (!arg.is_string()) throw ApiError::bad_request("$regex needs a string");
      auto flags = std::regex::ECMAScript;
      if (auto* o = ops.if_contains("$options"); o && o->is_string() && o->as_string().find('i') != json::string::npos)
        flags |= std::regex::icase;
      std::regex re;
      try {
        re = std::regex(std::string(arg.as_string()), flags);
      } catch (const std::regex_error&) {
        throw ApiError::bad_request("$regex is not a valid regular expression");
      }
      if (!actual || !actual->is_string() || !std::regex_search(std::string(actual->as_string()), re)) return false;
    } else if (op != "$options") {
      throw ApiError::bad_request("Unsupported operator " + std::string(op) + " in metadatakeys filter");
    }
  }
  return true;
}

bool matches(const json::object& doc, const json::value& where) {
  if (where.is_null()) return true;
  if (!where.is_object()) throw ApiError::bad_request("filter.where must be an object");
  for (const auto& [key, cond] : where.as_object()) {
    if (key == "$and" || key == "$or" || key == "$nor") {
      if (!cond.is_array()) throw ApiError::bad_request(std::string(key) + " needs an array");
      auto& parts = cond.as_array();
      auto hit = [&](const json::value& w) { return matches(doc, w); };
      bool ok = key == "$and"  ? std::all_of(parts.begin(), parts.end(), hit)
                : key == "$or" ? std::any_of(parts.begin(), parts.end(), hit)
                               : std::none_of(parts.begin(), parts.end(), hit);
      if (!ok) return false;
    } else if (!field_matches(doc.if_contains(key), cond)) {
      return false;
    }
  }
  return true;
}

}  // namespace

void register_metadata_keys_routes(Router& r, App& app) {
  r.add("GET", "/api/v4/metadatakeys", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    ListFilter f = parse_filter(req.query_param("filter").value_or(""));
    // Upstream's default window: 100 keys, newest first (openem: in dataset order).
    std::int64_t limit = f.limit.value_or(100);
    ListFilter scan;
    scan.fields = {"pid", "ownerGroup", "accessGroups", "isPublished", "scientificMetadata"};
    scan.limit = kMaxDatasetsScanned;
    json::array keys;
    for (const auto& ds : dataset_access(app).list(p, scan)) keys_of(ds.as_object(), keys);
    json::array out;
    std::int64_t skipped = 0;
    for (auto& doc : keys) {
      if (static_cast<std::int64_t>(out.size()) >= limit) break;
      if (!matches(doc.as_object(), f.where)) continue;
      if (skipped++ < f.skip) continue;
      out.push_back(json::value(project(std::move(doc.as_object()), f)));
    }
    return HttpResponse::json(200, out);
  });
}

}  // namespace openem
