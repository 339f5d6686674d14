#include "api/job_request.h"

#include <set>
#include <string>

#include "api/handler_util.h"
#include "api/permissions.h"
#include "core/error.h"
#include "model/collection.h"
#include "query/access.h"
#include "query/condition.h"

namespace openem {
namespace json = boost::json;
bool looks_like_email(std::string_view s) {
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size() || s.find('@', at + 1) != std::string_view::npos)
    return false;
  auto dot = s.find('.', at + 1);
  if (dot == std::string_view::npos || dot == at + 1 || dot + 1 >= s.size()) return false;
  return s.find_first_of(" \t\r\n") == std::string_view::npos;
}

namespace {

[[noreturn]] void bad_request(const char* message) { throw ApiError::bad_request(message); }

// Every file path of the dataset's origdatablocks.
std::set<std::string> dataset_files(App& app, const std::string& pid) {
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::origdatablocks(), "datasetId", pid));
  std::set<std::string> out;
  for (const auto& block : app.store().find(schemas::origdatablocks(), plan)) {
    auto* list = block.if_contains("dataFileList");
    if (!list || !list->is_array()) continue;
    for (const auto& f : list->get_array())
      if (f.is_object())
        if (auto* path = f.get_object().if_contains("path"); path && path->is_string()) out.emplace(path->get_string());
  }
  return out;
}

}  // namespace

void check_create_job_body(const json::object& body) {
  static const std::set<std::string> known{"type", "jobParams", "ownerUser", "ownerGroup", "contactEmail"};
  std::vector<std::string> errors;
  // forbidNonWhitelisted comes first, then each property in the DTO's order.
  for (const auto& [k, v] : body)
    if (!known.count(std::string(k))) errors.push_back("property " + std::string(k) + " should not exist");
  auto present = [&](const char* k) {
    auto* v = body.if_contains(k);
    return v && !v->is_null() ? v : nullptr;  // @IsOptional treats null as absent
  };
  if (auto* t = body.if_contains("type"); !t || !t->is_string()) errors.push_back("type must be a string");
  if (auto* jp = body.if_contains("jobParams"); !jp || !jp->is_object()) errors.push_back("jobParams must be an object");
  for (const char* k : {"ownerUser", "ownerGroup"})
    if (auto* v = present(k); v && !v->is_string()) errors.push_back(std::string(k) + " must be a string");
  if (auto* e = present("contactEmail"); e && !(e->is_string() && looks_like_email(e->get_string())))
    errors.push_back("contactEmail must be an email");
  if (!errors.empty()) throw ApiError(400, errors);
}

std::vector<json::object> load_job_datasets(App& app, const Principal& p, bool reads_all, const json::value& list) {
  if (!list.is_array()) bad_request("Invalid dataset list");
  if (list.get_array().empty()) bad_request("List of passed datasets is empty.");
  for (const auto& entry : list.get_array()) {
    const json::object* o = entry.if_object();
    if (!o || o->size() != 2 || !o->contains("pid") || !o->contains("files"))
      bad_request("Dataset list is expected to contain sets of pid and files.");
    if (!o->at("pid").is_string()) bad_request("In datasetList each 'pid' field should be a string.");
    if (!o->at("files").is_array()) bad_request("In datasetList each 'files' field should be an array.");
  }
  ReadScope scope = dataset_read_scope(app.config(), p);
  std::vector<json::object> datasets;
  std::set<std::string> seen;
  std::string missing;
  for (const auto& entry : list.get_array()) {
    std::string pid(entry.at("pid").get_string());
    if (!seen.insert(pid).second) continue;
    auto ds = app.store().get(schemas::datasets(), pid);
    if (!ds || (!reads_all && !can_read(*ds, p, scope))) {
      missing += (missing.empty() ? "" : ",") + pid;
      continue;
    }
    datasets.push_back(std::move(*ds));
  }
  if (!missing.empty()) throw ApiError::bad_request("Datasets with pid " + missing + " do not exist.");
  // Named files must be in the dataset's file lists (an empty list means every file).
  for (const auto& entry : list.get_array()) {
    const auto& files = entry.at("files").get_array();
    if (files.empty()) continue;
    auto known = dataset_files(app, std::string(entry.at("pid").get_string()));
    for (const auto& f : files)
      if (!f.is_string() || !known.count(std::string(f.get_string())))
        bad_request("At least one requested file could not be found.");
  }
  return datasets;
}

}  // namespace openem
