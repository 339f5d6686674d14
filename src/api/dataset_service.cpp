#include "api/dataset_service.h"

#include "api/handler_util.h"
#include "api/permissions.h"
#include "core/error.h"
#include "core/ids.h"

namespace openem {
namespace json = boost::json;

CollectionAccess dataset_access(App& app) {
  return CollectionAccess(app, schemas::datasets(),
                          [&app](const Principal& p) { return dataset_read_scope(app.config(), p); });
}

bool may_write_dataset(App& app, const Principal& p, const json::object& dataset) {
  if (!p.authenticated()) return false;
  if (dataset_update_any(app.config(), p)) return true;
  return owns(dataset, p);
}

bool may_register_files(App& app, const Principal& p, const json::object& dataset) {
  // Ingestor accounts (privileged creators) register the files of datasets they create for
  // other groups, but may not otherwise change those datasets.
  return may_write_dataset(app, p, dataset) ||
         (p.authenticated() && dataset_create_tier(app.config(), p) == DatasetCreateTier::Privileged);
}

json::object dataset_for_write(App& app, const Principal& p, std::string_view pid) {
  return dataset_access(app).get_for_change(p, pid, [&](const json::object& ds) { return may_write_dataset(app, p, ds); });
}

std::optional<FileTotalsChange> recompute_file_totals(App& app, const std::string& pid) {
  auto ds = app.store().get(schemas::datasets(), pid);
  if (!ds) return std::nullopt;
  auto [size, files] = app.store().file_totals(schemas::origdatablocks(), pid);
  auto* old_size = ds->if_contains("size");
  FileTotalsChange change{str_field(*ds, "ownerGroup"),
                          old_size && old_size->is_number() ? old_size->to_number<std::int64_t>() : 0, size};
  (*ds)["size"] = size;
  (*ds)["numberOfFiles"] = files;
  app.store().replace(schemas::datasets(), *ds);
  return change;
}

void recompute_archive_totals(App& app, const std::string& pid) {
  auto ds = app.store().get(schemas::datasets(), pid);
  if (!ds) return;
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::datablocks(), "datasetId", pid));
  plan.limit = 100000;  // archive units of one dataset: a handful, a few thousand at most
  std::int64_t packed = 0, files = 0;
  for (const auto& block : app.store().find(schemas::datablocks(), plan)) {
    if (auto* v = block.if_contains("packedSize"); v && v->is_number()) packed += v->to_number<std::int64_t>();
    if (auto* l = block.if_contains("dataFileList"); l && l->is_array()) files += static_cast<std::int64_t>(l->get_array().size());
  }
  (*ds)["packedSize"] = packed;
  (*ds)["numberOfFilesArchived"] = files;
  app.store().replace(schemas::datasets(), *ds);
}

std::optional<GroupPolicy> group_policy(App& app, const std::string& owner_group) {
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::policies(), "ownerGroup", owner_group));
  plan.limit = 1;
  auto found = app.store().find(schemas::policies(), plan);
  if (found.empty()) return std::nullopt;
  GroupPolicy out;
  if (std::string r = str_field(found.front(), "tapeRedundancy"); !r.empty()) out.tape_redundancy = r;
  if (auto* e = found.front().if_contains("embargoPeriod"); e && e->is_number() && e->to_number<double>() >= 0)
    out.embargo_years = e->to_number<double>();
  return out;
}

std::string ensure_policy_for_group(App& app, const Principal& p, const std::string& owner_group,
                                    const std::string& manager_email) {
  if (auto policy = group_policy(app, owner_group)) return policy->tape_redundancy;
  std::string id = uuid_v4();
  json::array managers;
  if (!manager_email.empty()) managers.emplace_back(manager_email);
  json::object policy{{"_id", id},
                      {"id", id},
                      {"ownerGroup", owner_group},
                      {"accessGroups", json::array()},
                      {"isPublished", false},
                      {"manager", std::move(managers)},
                      {"tapeRedundancy", "low"},
                      {"autoArchive", false},
                      {"autoArchiveDelay", 7},
                      {"archiveEmailNotification", true},
                      {"archiveEmailsToBeNotified", json::array()},
                      {"retrieveEmailNotification", true},
                      {"retrieveEmailsToBeNotified", json::array()},
                      {"embargoPeriod", 3}};
  stamp(policy, p, true);
  app.store().insert(schemas::policies(), policy);
  return "low";
}

}  // namespace openem
