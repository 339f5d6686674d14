#include "api/quotas.h"

#include <map>

#include "core/error.h"
#include "model/collection.h"
#include "api/handler_util.h"
#include <cstdio>

namespace openem {
namespace json = boost::json;
namespace {

Condition of_group(const std::string& owner_group) { return field_is(schemas::datasets(), "ownerGroup", owner_group); }

std::string gib(std::int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}

// Owner group of each dataset with unfinished uploads (one read per dataset, not per upload).
std::map<std::string, std::string> owner_groups(App& app, const std::vector<UnfinishedUpload>& open) {
  std::map<std::string, std::string> out;
  for (const auto& u : open) {
    if (out.count(u.dataset_id)) continue;
    auto ds = app.store().get(schemas::datasets(), u.dataset_id);
    out[u.dataset_id] = ds ? str_field(*ds, "ownerGroup") : "";
  }
  return out;
}

}  // namespace

std::optional<std::int64_t> group_quota(const Config& config, const std::string& owner_group) {
  if (auto it = config.group_quotas.find(owner_group); it != config.group_quotas.end()) return it->second;
  if (auto it = config.group_quotas.find("default"); it != config.group_quotas.end()) return it->second;
  return std::nullopt;
}

std::int64_t group_registered_bytes(App& app, const std::string& owner_group) {
  return app.store().sum(schemas::datasets(), "size", of_group(owner_group));
}

void check_registration_quota(App& app, const std::string& owner_group, std::int64_t size_before,
                              std::int64_t size_after) {
  if (size_after <= size_before) return;
  auto quota = group_quota(app.config(), owner_group);
  if (!quota) return;
  std::int64_t used = group_registered_bytes(app, owner_group);  // already includes this change
  if (used > *quota)
    throw ApiError(413, "This file list would bring group " + owner_group + " to " + std::to_string(used) +
                            " registered bytes (" + gib(used) + "), over its quota of " + std::to_string(*quota) +
                            " bytes (" + gib(*quota) + "); ask an administrator to raise it, or remove data");
}

void check_upload_quota(App& app, TusUploads& uploads, const std::string& user_id, const std::string& owner_group,
                        std::int64_t length, bool registered) {
  auto open = uploads.unfinished();
  std::int64_t mine = 0;
  for (const auto& u : open) mine += u.owner == user_id;
  if (mine >= app.config().max_open_uploads) {
    throw ApiError(429, "You have " + std::to_string(mine) + " unfinished uploads, the most one user may hold (" +
                            std::to_string(app.config().max_open_uploads) + "): finish or terminate some first")
        .add_header("Retry-After", "60");
  }
  // A file already in a file list counts in the group's registered bytes.
  if (registered) return;
  auto quota = group_quota(app.config(), owner_group);
  if (!quota) return;
  std::int64_t pending = 0;
  auto groups = owner_groups(app, open);
  for (const auto& u : open)
    if (u.awaits_file_list && groups[u.dataset_id] == owner_group) pending += u.length;
  std::int64_t used = group_registered_bytes(app, owner_group);
  if (used + pending + length > *quota)
    throw ApiError(413, "An upload of " + std::to_string(length) + " bytes would bring group " + owner_group + " to " +
                            std::to_string(used + pending + length) + " bytes (registered and uploading), over its quota of " +
                            std::to_string(*quota) + " bytes (" + gib(*quota) + ")");
}

json::object usage_report(App& app, TusUploads& uploads) {
  struct Usage {
    std::int64_t datasets = 0, bytes = 0, open_uploads = 0, open_upload_bytes = 0;
  };
  std::map<std::string, Usage> by_group;
  for (const auto& b : app.store().facet(schemas::datasets(), "ownerGroup", Condition::always_true(), 1'000'000)) {
    if (!b.key.is_string()) continue;
    std::string group(b.key.as_string());
    by_group[group].datasets = b.count;
    by_group[group].bytes = group_registered_bytes(app, group);
  }
  auto open = uploads.unfinished();
  auto groups = owner_groups(app, open);
  for (const auto& u : open) {
    Usage& g = by_group[groups[u.dataset_id]];
    g.open_uploads += 1;
    g.open_upload_bytes += u.length;
  }
  for (const auto& [group, quota] : app.config().group_quotas) by_group.try_emplace(group == "default" ? "" : group);
  by_group.erase("");
  json::array rows;
  for (const auto& [group, u] : by_group) {
    auto quota = group_quota(app.config(), group);
    json::object row{{"ownerGroup", group},          {"datasets", u.datasets},
                     {"registeredBytes", u.bytes},   {"openUploads", u.open_uploads},
                     {"openUploadBytes", u.open_upload_bytes}};
    row["quotaBytes"] = quota ? json::value(*quota) : json::value(nullptr);
    rows.push_back(std::move(row));
  }
  return {{"groups", std::move(rows)}, {"maxOpenUploadsPerUser", app.config().max_open_uploads}};
}

}  // namespace openem
