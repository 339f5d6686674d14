#include "api/dataset_deletion.h"

#include <spdlog/spdlog.h>

#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "core/error.h"
#include "core/time.h"
#include "jobs/archive_ledger.h"

namespace openem {
namespace json = boost::json;
namespace {

// Archived data must be kept until the lifecycle's archiveRetentionTime (the legal duty of a
// facility): a dataset with an archived copy — one openem's worker made (the ledger) or one
// another archive system registered (a datablock) — cannot be deleted before then, by anyone.
void refuse_delete_under_retention(App& app, const json::object& ds) {
  const json::value* lc = ds.if_contains("datasetlifecycle");
  const json::value* until = lc && lc->is_object() ? lc->get_object().if_contains("archiveRetentionTime") : nullptr;
  if (!until || !until->is_string()) return;
  auto when = parse_iso(until->get_string());
  if (!when || *when <= now_millis()) return;
  const std::string pid = str_field(ds, "pid");
  QueryPlan archived;
  archived.conditions.push_back(field_is(schemas::datablocks(), "datasetId", pid));
  archived.limit = 1;
  if (app.store().find_ids(schemas::datablocks(), archived).empty() &&
      archive_ledger::live_copies(app.store(), pid).empty())
    return;  // nothing archived
  throw ApiError::conflict("Dataset " + pid + " has an archived copy under retention until " + iso_utc(*when) +
                           " (datasetlifecycle.archiveRetentionTime); it cannot be deleted before then");
}

}  // namespace

json::object delete_dataset(App& app, const Principal& p, const std::string& pid) {
  json::object ds;
  app.store().transaction([&] {
    // Read inside the transaction: an archive job may have finished since the request came.
    ds = dataset_access(app).get_for_change(p, pid, [&](const json::object&) { return app.may_delete(p); });
    refuse_delete_under_retention(app, ds);
    app.store().remove(schemas::datasets(), pid);
    for (const CollectionSchema* dependant : {&schemas::origdatablocks(), &schemas::datablocks(), &schemas::attachments()}) {
      QueryPlan plan;
      plan.conditions.push_back(field_is(*dependant, "datasetId", pid));
      for (const auto& id : app.store().find_ids(*dependant, plan)) app.store().remove(*dependant, id);
    }
    archive_ledger::release_dataset(app.store(), pid);
  });
  // The metadata is gone, so are the online files; archived bags go with the archive
  // worker's next retention sweep (docs/archive.md).
  remove_online_files(app, pid);
  return ds;
}

void remove_online_files(App& app, const std::string& pid) {
  std::vector<BlobInfo> files;
  if (BlobStatus s = app.blobs().list(pid, &files); !s.is_ok()) {
    spdlog::warn("event=delete_files_failed pid=\"{}\" error=\"{}\"", pid, s.message());
    return;
  }
  for (const auto& f : files)
    if (BlobStatus s = app.blobs().remove(pid, f.path); !s.is_ok())
      spdlog::warn("event=delete_file_failed pid=\"{}\" path=\"{}\" error=\"{}\"", pid, f.path, s.message());
}

}  // namespace openem
