#include "api/job_v3.h"

#include <algorithm>
#include <string>
#include <vector>

#include "api/handler_util.h"
#include "api/job_request.h"
#include "core/error.h"
#include "model/collection.h"

namespace openem {
namespace json = boost::json;
namespace {

std::vector<std::string> strings_of(const json::value* v) {
  std::vector<std::string> out;
  if (v && v->is_array())
    for (const auto& x : v->get_array())
      if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

// Upstream's owner group for a v3 job whose jobParams do not name one.
std::string owner_group_from_datasets(App& app, const JobTypeConfig& type, const json::array& list,
                                      const std::vector<std::string>& owner_user_groups) {
  auto dataset = [&](const json::value& entry) -> std::optional<json::object> {
    const json::object* o = entry.if_object();
    auto* pid = o ? o->if_contains("pid") : nullptr;
    if (!pid || !pid->is_string()) return std::nullopt;
    return app.store().get(schemas::datasets(), pid->get_string());
  };
  bool dataset_access = type.create.auth.size() == 1 && type.create.auth.front() == "#datasetAccess";
  bool dataset_public = type.create.auth.size() == 1 && type.create.auth.front() == "#datasetPublic";
  if (dataset_access) {
    // The groups every dataset (accessGroups, then ownerGroup) and the owner user share.
    std::optional<std::vector<std::string>> common;
    for (const auto& entry : list) {
      auto ds = dataset(entry);
      if (!ds) continue;
      std::vector<std::string> groups = strings_of(ds->if_contains("accessGroups"));
      groups.push_back(str_field(*ds, "ownerGroup"));
      if (!common) {
        common = std::move(groups);
      } else {
        std::erase_if(*common, [&](const std::string& g) { return std::find(groups.begin(), groups.end(), g) == groups.end(); });
      }
    }
    if (!common) return "";
    std::erase_if(*common, [&](const std::string& g) {
      return g.empty() || std::find(owner_user_groups.begin(), owner_user_groups.end(), g) == owner_user_groups.end();
    });
    return common->empty() ? "" : common->front();
  }
  if (dataset_public || list.empty()) return "";
  auto first = dataset(list.front());
  return first ? str_field(*first, "ownerGroup") : "";
}

}  // namespace

json::object v3_create_to_v4(App& app, const JobTypeConfig& type, const Principal& p, const json::object& v3) {
  json::object params;
  if (auto* jp = v3.if_contains("jobParams"); jp && !jp->is_null()) {
    if (!jp->is_object()) throw ApiError(400, std::vector<std::string>{"jobParams must be an object"});
    params = jp->get_object();
  }
  // The dataset list is the top-level field's, never jobParams' own.
  params.erase("datasetList");
  json::object job_params{{"datasetList", v3.contains("datasetList") && !v3.at("datasetList").is_null()
                                              ? v3.at("datasetList")
                                              : json::value(json::array())}};
  for (auto& [k, v] : params) job_params[k] = v;
  if (auto* et = v3.if_contains("executionTime"); et && !et->is_null() && !(et->is_string() && et->get_string().empty()))
    job_params["executionTime"] = *et;

  json::object out{{"type", v3.contains("type") ? v3.at("type") : json::value(nullptr)}, {"jobParams", job_params}};
  auto* email = v3.if_contains("emailJobInitiator");
  if (email && !email->is_null()) out["contactEmail"] = *email;
  // The caller's own address only when it is one: an account without a usable address (the
  // built-in admin) must not fail the body check for a field its client never sent.
  else if (p.authenticated() && looks_like_email(p.email)) out["contactEmail"] = p.email;

  // The frontend names the owner in jobParams.username.
  std::optional<std::string> owner_user;
  std::vector<std::string> owner_user_groups;
  if (auto* u = job_params.if_contains("username")) {
    if (u->is_string()) {
      // An unknown name becomes the owner as it is, like a known one: the create check then
      // refuses both alike for a caller who may not act for others, so the answer never tells
      // which user names exist.
      owner_user = std::string(u->get_string());
      if (auto record = app.store().user_by_name(*owner_user)) owner_user_groups = record->groups;
    }
  } else if (p.authenticated()) {
    owner_user = p.username;
    owner_user_groups = p.groups;
  }
  if (owner_user) out["ownerUser"] = *owner_user;

  if (auto* g = job_params.if_contains("ownerGroup")) {
    out["ownerGroup"] = *g;
  } else if (auto* list = job_params.if_contains("datasetList"); list && list->is_array()) {
    std::string group = owner_group_from_datasets(app, type, list->get_array(), owner_user_groups);
    if (!group.empty()) out["ownerGroup"] = group;
  }
  return out;
}

json::object v3_shape(json::object v4) {
  json::object params;
  if (auto* jp = v4.if_contains("jobParams"); jp && jp->is_object()) params = jp->get_object();
  json::value datasets = params.contains("datasetList") ? params.at("datasetList") : json::value(nullptr);
  json::value execution = params.contains("executionTime") ? params.at("executionTime") : json::value(nullptr);
  params.erase("datasetList");
  params.erase("executionTime");
  // username: the job's owner user, unless jobParams carry their own.
  json::object shaped_params;
  if (auto* u = v4.if_contains("ownerUser"); u && u->is_string()) shaped_params["username"] = *u;
  for (auto& [k, v] : params) shaped_params[k] = v;
  json::object out{{"id", v4["id"]}, {"_id", v4["id"]}};
  if (auto* e = v4.if_contains("contactEmail"); e && !e->is_null()) out["emailJobInitiator"] = *e;
  out["type"] = v4["type"];
  out["creationTime"] = v4["createdAt"];
  if (!execution.is_null()) out["executionTime"] = execution;
  out["jobParams"] = std::move(shaped_params);
  out["jobStatusMessage"] = v4["statusCode"];
  if (!datasets.is_null()) out["datasetList"] = std::move(datasets);
  out["jobResultObject"] = v4.contains("jobResultObject") ? v4["jobResultObject"] : json::object();
  // Not in upstream's v3 output; the reference (§5.4) lists it and clients read it.
  if (auto* g = v4.if_contains("ownerGroup"); g && !g->is_null()) out["ownerGroup"] = *g;
  for (const char* k : {"queuePosition", "estimatedCompletionTime"})
    if (auto* v = v4.if_contains(k)) out[k] = *v;
  return out;
}

json::value v3_where(const json::value& where) {
  if (where.is_array()) {
    json::array out;
    for (const auto& x : where.get_array()) out.push_back(v3_where(x));
    return out;
  }
  if (!where.is_object()) return where;
  json::object out;
  for (const auto& [k, v] : where.get_object()) {
    std::string key(k);
    if (key == "jobStatusMessage") key = "statusCode";
    else if (key == "emailJobInitiator") key = "contactEmail";
    else if (key == "creationTime") key = "createdAt";
    else if (key == "executionTime") key = "jobParams.executionTime";
    else if (key == "jobParams.username") key = "ownerUser";
    else if (key == "datasetList.pid") key = "jobParams.datasetList.pid";
    out[key] = (key == "and" || key == "or" || key == "$and" || key == "$or") ? v3_where(v) : v;
  }
  return out;
}

}  // namespace openem
