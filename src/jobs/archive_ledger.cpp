#include "jobs/archive_ledger.h"

#include "blob/dataset_tar.h"
#include "core/json_fields.h"
#include "core/time.h"

namespace openem::archive_ledger {
namespace json = boost::json;
namespace {

const CollectionSchema& schema() { return schemas::archive_copies(); }

ArchiveCopy from_doc(const json::object& d) {
  return {json_string(d, "archiveId"), json_string(d, "datasetId"),    json_string(d, "jobId"),
          json_string(d, "state"),     json_string(d, "datablockId"), json_string(d, "manifestSha256")};
}

std::vector<json::object> where(CatalogStore& store, Condition c, std::int64_t limit = -1) {
  QueryPlan plan;
  plan.conditions.push_back(std::move(c));
  plan.limit = limit;
  return store.find(schema(), plan);
}

void set_state(CatalogStore& store, json::object doc, const char* state) {
  doc["state"] = state;
  doc["updatedAt"] = now_iso();
  store.replace(schema(), doc);
}

}  // namespace

std::string bag_key(const std::string& pid, const std::string& job_id) {
  return tar_top_name(pid) + "/" + job_id + ".tar";
}

std::optional<ArchiveCopy> find(CatalogStore& store, const std::string& key) {
  auto doc = store.get(schema(), key);
  if (!doc) return std::nullopt;
  return from_doc(*doc);
}

bool begin(CatalogStore& store, const std::string& key, const std::string& pid, const std::string& job_id) {
  bool ok = false;
  store.transaction([&] {
    if (!store.get(schemas::datasets(), pid)) return;
    auto doc = store.get(schema(), key);
    std::string now = now_iso();
    if (!doc) {
      store.insert(schema(), json::object{{"archiveId", key}, {"datasetId", pid}, {"jobId", job_id},
                                          {"state", kWriting}, {"createdAt", now}, {"updatedAt", now}});
      ok = true;
      return;
    }
    // The same job again (resumed after a crash, or a retry of a failed attempt).
    std::string state = json_string(*doc, "state");
    if (json_string(*doc, "datasetId") != pid || (state != kWriting && state != kAbandoned)) return;
    set_state(store, std::move(*doc), kWriting);
    ok = true;
  });
  return ok;
}

bool make_live(CatalogStore& store, const std::string& key, const std::string& datablock_id,
               const std::string& manifest_sha256) {
  auto doc = store.get(schema(), key);
  if (!doc || json_string(*doc, "state") != kWriting) return false;
  (*doc)["datablockId"] = datablock_id;
  (*doc)["manifestSha256"] = manifest_sha256;
  set_state(store, std::move(*doc), kLive);
  return true;
}

void abandon(CatalogStore& store, const std::string& key) {
  store.transaction([&] {
    auto doc = store.get(schema(), key);
    if (doc && json_string(*doc, "state") == kWriting) set_state(store, std::move(*doc), kAbandoned);
  });
}

void release_dataset(CatalogStore& store, const std::string& pid) {
  for (auto& doc : where(store, field_is(schema(), "datasetId", pid)))
    if (json_string(doc, "state") != kDatasetDeleted) set_state(store, std::move(doc), kDatasetDeleted);
}

std::vector<ArchiveCopy> live_copies(CatalogStore& store, const std::string& pid) {
  std::vector<ArchiveCopy> out;
  for (const auto& doc : where(store, all_of({field_is(schema(), "datasetId", pid), field_is(schema(), "state", std::string(kLive))})))
    out.push_back(from_doc(doc));
  return out;
}

std::vector<ArchiveCopy> deletable(CatalogStore& store, std::int64_t limit) {
  std::vector<ArchiveCopy> out;
  for (const auto& doc : where(store, field_one_of(schema(), "state", {std::string(kDatasetDeleted), std::string(kAbandoned)}),
                               limit))
    out.push_back(from_doc(doc));
  // A copy left writing by a job that has ended (given up after a crash, or deleted).
  for (const auto& doc : where(store, field_is(schema(), "state", std::string(kWriting)))) {
    if (static_cast<std::int64_t>(out.size()) >= limit) break;
    auto job = store.get(schemas::jobs(), json_string(doc, "jobId"));
    bool running = job && (json_string(*job, "statusCode") == "inProgress" || json_string(*job, "statusCode") == "jobSubmitted");
    if (!running) out.push_back(from_doc(doc));
  }
  return out;
}

void forget(CatalogStore& store, const std::string& key) { store.remove(schema(), key); }

int record_earlier_bags(CatalogStore& store, const std::string& bag_version) {
  static constexpr std::string_view kDone = "archive_ledger.earlier_bags_recorded";
  if (store.setting(kDone)) return 0;
  int made = 0;
  QueryPlan plan;
  plan.order.push_back(sort_by(schemas::datablocks(), "createdAt"));  // ties in insertion order
  for (const auto& block : store.find(schemas::datablocks(), plan)) {
    if (json_string(block, "version") != bag_version) continue;
    const std::string key = json_string(block, "archiveId"), pid = json_string(block, "datasetId");
    std::string id = json_string(block, "_id");
    if (key.empty() || store.get(schema(), key)) continue;
    if (key.rfind(tar_top_name(pid) + "/", 0) != 0) continue;  // re-pointed: not this dataset's bag
    store.transaction([&] {
      if (store.get(schema(), key)) return;
      bool alive = store.get(schemas::datasets(), pid).has_value();
      std::string now = now_iso();
      store.insert(schema(), json::object{{"archiveId", key},
                                          {"datasetId", pid},
                                          {"jobId", std::string()},
                                          {"state", alive ? kLive : kDatasetDeleted},
                                          {"datablockId", id},
                                          {"manifestSha256", ""},
                                          {"createdAt", now},
                                          {"updatedAt", now}});
      ++made;
    });
  }
  store.set_setting(kDone, now_iso());
  return made;
}

}  // namespace openem::archive_ledger
