#include "jobs/archive_worker.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "blob/blob_path.h"
#include "blob/dataset_tar.h"
#include "core/acting_user.h"
#include "core/ids.h"
#include "core/json_fields.h"
#include "core/percent_encoding.h"
#include "core/time.h"
#include "jobs/archive_ledger.h"
#include "jobs/bag_reader.h"
#include "jobs/job_actions.h"
#include "jobs/job_messages.h"
#include "logbook/logbook_entries.h"
#include "jobs/job_status_history.h"

namespace openem {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

std::int64_t int_of(const json::value* v, std::int64_t dflt = 0) {
  return v && v->is_number() ? v->to_number<std::int64_t>() : dflt;
}

// "/" and other reserved bytes of a pid percent-encoded, as the API expects in one segment.
std::string encode_segment(std::string_view s) { return percent_encode(s); }

std::string encode_path(std::string_view p) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= p.size()) {
    std::size_t slash = p.find('/', pos);
    if (slash == std::string_view::npos) slash = p.size();
    if (!out.empty() || pos > 0) out += "/";
    out += encode_segment(p.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

// pid → sha256 of every file registered with a sha256 checksum in its origdatablocks.
std::map<std::string, std::string> registered_sha256(CatalogStore& store, const std::string& pid,
                                                     std::set<std::string>* all_paths) {
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::origdatablocks(), "datasetId", pid));
  std::map<std::string, std::string> out;
  for (const auto& block : store.find(schemas::origdatablocks(), plan)) {
    std::string alg = json_string(block, "chkAlg");
    for (char& c : alg) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool sha = alg == "sha256" || alg == "sha-256";
    auto* list = block.if_contains("dataFileList");
    if (!list || !list->is_array()) continue;
    for (const auto& f : list->get_array()) {
      if (!f.is_object()) continue;
      std::string path = json_string(f.get_object(), "path");
      if (all_paths) all_paths->insert(path);
      std::string chk = json_string(f.get_object(), "chk");
      for (char& c : chk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (sha && chk.size() == 64) out[path] = chk;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<std::string>>> dataset_list(const json::object& job) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  auto* params = job.if_contains("jobParams");
  const json::value* list = params && params->is_object() ? params->get_object().if_contains("datasetList") : nullptr;
  if (!list || !list->is_array()) return out;
  for (const auto& d : list->get_array()) {
    if (!d.is_object()) continue;
    std::vector<std::string> files;
    if (auto* f = d.get_object().if_contains("files"); f && f->is_array())
      for (const auto& x : f->get_array())
        if (x.is_string()) files.emplace_back(x.get_string());
    out.emplace_back(json_string(d.get_object(), "pid"), std::move(files));
  }
  return out;
}

// A value for bag-info.txt: control characters (a pid may hold any byte) are %-encoded so that
// a pid cannot add lines of its own, and the same function gives the value a bag is checked
// against.
std::string bag_info_value(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == '%') out += std::string("%") + kHex[c >> 4] + kHex[c & 15];
    else out += static_cast<char>(c);
  }
  return out;
}

// Why a verified bag does not belong to `pid`, or "" when it does: its directory, the dataset
// its bag-info records, and its manifest against the one recorded when it was written.
std::string bag_mismatch(const BagCheck& check, const std::string& pid, const ArchiveCopy& copy) {
  if (check.top != tar_top_name(pid)) return "the bag's directory " + check.top + " is not dataset " + pid + "'s";
  auto it = check.bag_info.find("External-Identifier");
  if (it != check.bag_info.end() && it->second != bag_info_value(pid))
    return "the bag records dataset " + it->second + ", not " + pid;
  if (!copy.manifest_sha256.empty() && check.manifest_sha256 != copy.manifest_sha256)
    return "the bag's manifest is not the one recorded when it was archived";
  return "";
}

json::object& worker_state(json::object& job) {
  json::value& w = job["openemWorker"];
  if (!w.is_object()) w = json::object();
  return w.as_object();
}

}  // namespace

std::string make_worker_id() {
  static std::atomic<int> n{0};
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(++n);
}

std::unique_ptr<ArchiveWorker> make_archive_worker(const Config& config, CatalogStore& store, BlobStore& blobs) {
  ArchiveWorkerOptions o;
  o.lease = std::chrono::seconds(std::max(1, config.archive_lease_seconds));
  o.poll = std::chrono::milliseconds(std::max(10, config.archive_poll_ms));
  o.purge = config.archive_purge;
  o.retrieve_dir = config.data_dir / "retrieve";
  JobConfig jobs = config.job_configuration_file.empty() ? default_job_config()
                                                         : load_job_config(config.job_configuration_file);
  return std::make_unique<ArchiveWorker>(store, blobs, open_configured_archive_tiers(config), std::move(jobs), config,
                                         std::move(o));
}

ArchiveWorker::ArchiveWorker(CatalogStore& store, BlobStore& blobs, std::vector<std::unique_ptr<ArchiveTier>> copies,
                             JobConfig jobs, Config config, ArchiveWorkerOptions options)
    : store_(store), blobs_(blobs), copies_(std::move(copies)), jobs_(std::move(jobs)), config_(std::move(config)),
      opt_(std::move(options)) {
  if (opt_.worker_id.empty()) opt_.worker_id = make_worker_id();
  std::error_code ec;
  fs::create_directories(opt_.retrieve_dir, ec);
}

ArchiveWorker::~ArchiveWorker() { stop(); }

std::optional<json::object> ArchiveWorker::claim(CatalogStore& store, const std::string& worker_id,
                                                 std::chrono::seconds lease, int max_attempts) {
  std::optional<json::object> claimed;
  const CollectionSchema& jobs = schemas::jobs();
  const Condition types = field_one_of(jobs, "type", {std::string("archive"), std::string("retrieve")});
  // An idle poll must not write: every commit invalidates the catalog's result caches.
  QueryPlan any;
  any.conditions.push_back(field_one_of(jobs, "statusCode", {std::string("jobSubmitted"), std::string("inProgress")}));
  any.conditions.push_back(types);
  any.limit = 1;
  if (store.find_ids(schemas::jobs(), any).empty()) return claimed;
  store.transaction([&] {
    Millis now = now_millis();
    // A job whose worker stopped sending heartbeats: take it over, or give up on it.
    QueryPlan stale;
    stale.conditions.push_back(field_is(jobs, "statusCode", std::string("inProgress")));
    stale.conditions.push_back(types);
    for (auto& job : store.find(schemas::jobs(), stale)) {
      json::object& w = worker_state(job);
      if (int_of(w.if_contains("heartbeat")) + lease.count() * 1000 > now) continue;
      std::int64_t attempts = int_of(w.if_contains("attempts"));
      if (attempts >= max_attempts) {
        job["statusCode"] = "finishedUnsuccessful";
        job["statusMessage"] = "Gave up: the worker stopped " + std::to_string(attempts) + " times during this job";
        job["updatedAt"] = iso_utc(now);
        note_job_status(job, json_string(job, "updatedAt"));
        store.replace(schemas::jobs(), job);
        continue;
      }
      w["worker"] = worker_id;
      w["heartbeat"] = now;
      w["attempts"] = attempts + 1;
      job["statusMessage"] = "Resumed after an interrupted attempt";
      job["updatedAt"] = iso_utc(now);
      store.replace(schemas::jobs(), job);
      claimed = job;
      return;
    }
    QueryPlan next;
    next.conditions.push_back(field_is(jobs, "statusCode", std::string("jobSubmitted")));
    next.conditions.push_back(types);
    next.order.push_back(sort_by(jobs, "createdAt"));  // ties in insertion order
    next.limit = 1;
    auto found = store.find(schemas::jobs(), next);
    if (found.empty()) return;
    json::object job = std::move(found.front());
    json::object& w = worker_state(job);
    w["worker"] = worker_id;
    w["heartbeat"] = now;
    w["attempts"] = 1;
    w["startedAt"] = now;
    job["statusCode"] = "inProgress";
    job["statusMessage"] = "Job in progress";
    job["updatedAt"] = iso_utc(now);
    note_job_status(job, json_string(job, "updatedAt"));
    store.replace(schemas::jobs(), job);
    add_job_entry(store, job, "is now **inProgress**: the archive worker started it.");
    claimed = job;
  });
  return claimed;
}

bool ArchiveWorker::heartbeat(const std::string& job_id, const std::string& message) {
  bool ours = false;
  store_.transaction([&] {
    auto job = store_.get(schemas::jobs(), job_id);
    if (!job || json_string(*job, "statusCode") != "inProgress") return;
    json::object& w = worker_state(*job);
    if (json_string(w, "worker") != opt_.worker_id) return;
    w["heartbeat"] = now_millis();
    if (!message.empty()) (*job)["statusMessage"] = message;
    store_.replace(schemas::jobs(), *job);
    ours = true;
  });
  last_beat_ = std::chrono::steady_clock::now();
  return ours;
}

void ArchiveWorker::finish(const std::string& job_id, const std::string& status_code, const std::string& message,
                           json::object result) {
  std::optional<json::object> done;
  store_.transaction([&] {
    auto job = store_.get(schemas::jobs(), job_id);
    if (!job || json_string(*job, "statusCode") != "inProgress" || json_string(worker_state(*job), "worker") != opt_.worker_id) return;
    (*job)["statusCode"] = status_code;
    (*job)["statusMessage"] = message;
    (*job)["jobResultObject"] = std::move(result);
    (*job)["updatedAt"] = now_iso();
    (*job)["updatedBy"] = "openem-archiver";
    json::object& w = worker_state(*job);
    Millis took = now_millis() - int_of(w.if_contains("startedAt"), now_millis());
    w.erase("heartbeat");
    note_job_status(*job, json_string(*job, "updatedAt"));
    store_.replace(schemas::jobs(), *job);
    // A running mean of job durations, for the estimates shown on queued jobs.
    double mean = 0;
    if (auto s = store_.setting("jobs.mean_seconds")) mean = std::atof(s->c_str());
    double secs = static_cast<double>(took) / 1000.0;
    mean = mean > 0 ? 0.8 * mean + 0.2 * secs : secs;
    store_.set_setting("jobs.mean_seconds", std::to_string(mean));
    if (const JobTypeConfig* t = jobs_.find(json_string(*job, "type")))
      queue_job_messages(store_, t->update.actions, *job, "update");
    add_job_entry(store_, *job, "is now **" + status_code + "**: " + message);
    done = *job;
  });
  if (!done) return;
  spdlog::info("event=job_finished job={} type={} status={} message=\"{}\"", job_id, json_string(*done, "type"), status_code,
               message);
  if (const JobTypeConfig* t = jobs_.find(json_string(*done, "type")))
    run_notify_actions(t->update.actions, *done, config_, "update");
}

void ArchiveWorker::release(const std::string& job_id) {
  store_.transaction([&] {
    auto job = store_.get(schemas::jobs(), job_id);
    if (!job || json_string(*job, "statusCode") != "inProgress" || json_string(worker_state(*job), "worker") != opt_.worker_id) return;
    (*job)["statusCode"] = "jobSubmitted";
    (*job)["statusMessage"] = "Queued again: the worker was shut down during the job";
    (*job)["updatedAt"] = now_iso();
    note_job_status(*job, json_string(*job, "updatedAt"));
    job->erase("openemWorker");
    store_.replace(schemas::jobs(), *job);
  });
  spdlog::info("event=job_released job={}", job_id);
}

void ArchiveWorker::update_lifecycle(const std::string& pid, const json::object& changes) {
  store_.transaction([&] {
    auto ds = store_.get(schemas::datasets(), pid);
    if (!ds) return;
    json::value& lc = (*ds)["datasetlifecycle"];
    if (!lc.is_object()) lc = json::object();
    for (const auto& [k, v] : changes) lc.as_object()[k] = v;
    (*ds)["updatedAt"] = now_iso();
    (*ds)["updatedBy"] = "openem-archiver";
    store_.replace(schemas::datasets(), *ds);
  });
}

int ArchiveWorker::copies_for(const json::object& job, const json::object& dataset) {
  int n = 1;
  auto* params = job.if_contains("jobParams");
  std::string tape = params && params->is_object() ? json_string(params->get_object(), "tapeCopies") : "";
  if (tape == "two") {
    n = 2;
  } else if (tape == "one") {
    n = 1;
  } else {
    QueryPlan plan;
    plan.conditions.push_back(field_is(schemas::policies(), "ownerGroup", json_string(dataset, "ownerGroup")));
    plan.limit = 1;
    auto policies = store_.find(schemas::policies(), plan);
    std::string r = policies.empty() ? "low" : json_string(policies.front(), "tapeRedundancy");
    n = r == "high" ? 3 : r == "medium" ? 2 : 1;
  }
  return std::max(1, std::min(n, static_cast<int>(copies_.size())));
}

bool ArchiveWorker::should_purge(const json::object& dataset) const {
  if (opt_.purge == "always") return true;
  if (opt_.purge != "policy") return false;
  auto* lc = dataset.if_contains("datasetlifecycle");
  if (!lc || !lc->is_object()) return false;
  auto when = parse_iso(json_string(lc->get_object(), "dateOfDiskPurging"));
  return when && *when <= now_millis();
}

void ArchiveWorker::purge_online(const std::string& pid) {
  std::vector<BlobInfo> files;
  if (!blobs_.list(pid, &files).is_ok()) return;
  for (const auto& f : files) {
    BlobStatus s = blobs_.remove(pid, f.path);
    if (!s.is_ok()) spdlog::warn("event=purge_failed pid=\"{}\" path=\"{}\" error=\"{}\"", pid, f.path, s.message());
  }
  update_lifecycle(pid, json::object{{"isOnCentralDisk", false}, {"dateOfDiskPurging", now_iso()}});
}

ArchiveWorker::Outcome ArchiveWorker::archive_dataset(const json::object& job, const std::string& pid) {
  Outcome out;
  out.result = {{"pid", pid}};
  std::string key_in_hand;  // set once the ledger records the bag as being written
  auto fail = [&](const std::string& why, const std::string& lifecycle_message) {
    out.result["error"] = why;
    if (stopping_) return out;  // interrupted, not failed: the job is queued again
    archive_ledger::abandon(store_, key_in_hand);
    update_lifecycle(pid, {{"archiveStatusMessage", lifecycle_message},
                           {"archivable", true},
                           {"retrievable", false},
                           {"archiveReturnMessage", json::object{{"error", why}, {"jobId", json_string(job, "id")}}}});
    return out;
  };
  auto ds = store_.get(schemas::datasets(), pid);
  if (!ds) {
    out.result["error"] = "dataset " + pid + " does not exist";
    return out;
  }
  const std::string key = archive_ledger::bag_key(pid, json_string(job, "id"));
  out.result["archiveId"] = key;
  // Resumed job: a copy becomes live only after every copy was verified and its datablock
  // registered, so a live record means this dataset is done (only the purge may be left).
  if (auto copy = archive_ledger::find(store_, key); copy && copy->state == archive_ledger::kLive) {
    if (should_purge(*ds)) purge_online(pid);
    out.ok = true;
    out.result["resumed"] = true;
    return out;
  }
  if (!archive_ledger::begin(store_, key, pid, json_string(job, "id"))) {
    out.result["error"] = "dataset " + pid + " was deleted";
    return out;
  }
  key_in_hand = key;
  update_lifecycle(pid, {{"archiveStatusMessage", "started"}, {"archivable", false}, {"retrievable", false}});

  std::set<std::string> registered_paths;
  auto expected = registered_sha256(store_, pid, &registered_paths);
  std::vector<BlobInfo> stored;
  if (BlobStatus s = blobs_.list(pid, &stored); !s.is_ok()) return fail(s.message(), "scheduleArchiveJobFailed");
  std::map<std::string, BlobInfo> online;
  for (const auto& b : stored) online[b.path] = b;
  std::vector<std::string> missing;
  for (const auto& p : registered_paths)
    if (!online.count(p)) missing.push_back(p);
  if (!missing.empty()) {
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 10; ++i) list += (i ? ", " : "") + missing[i];
    return fail(std::to_string(missing.size()) + " registered file(s) were never uploaded: " + list,
                "missingFilesError");
  }

  int n = copies_for(job, *ds);
  std::int64_t packed = 0;
  std::vector<BagFile> verified_files;
  std::string manifest_sha256;  // the same for every copy
  json::array locations;
  for (int c = 0; c < n; ++c) {
    ArchiveTier& tier = *copies_[static_cast<std::size_t>(c)];
    std::unique_ptr<ArchiveWriter> w;
    if (BlobStatus s = tier.create(key, &w); !s.is_ok()) return fail(s.message(), "scheduleArchiveJobFailed");
    DatasetTarStream tar(blobs_, pid, now_millis() / 1000);
    tar.set_bag_info("External-Identifier: " + bag_info_value(pid) + "\nInternal-Sender-Identifier: " +
                     bag_info_value(key) + "\nBagging-Date: " + now_iso().substr(0, 10) +
                     "\nBag-Software-Agent: openem " + kBagVersion + "\n");
    if (BlobStatus s = tar.start(); !s.is_ok()) return fail(s.message(), "scheduleArchiveJobFailed");
    std::string piece;
    try {
      bool more = true;
      while (more) {
        more = tar.next(piece);
        if (BlobStatus s = w->append(piece); !s.is_ok()) return fail(s.message(), "scheduleArchiveJobFailed");
        if (std::chrono::steady_clock::now() - last_beat_ > beat_every() && !heartbeat(json_string(job, "id"), ""))
          return fail("the job was taken away from this worker", "scheduleArchiveJobFailed");
        if (stopping_) return fail("the worker was stopped", "scheduleArchiveJobFailed");
      }
    } catch (const std::exception& e) {
      return fail(e.what(), "scheduleArchiveJobFailed");
    }
    if (BlobStatus s = w->commit(); !s.is_ok()) return fail(s.message(), "scheduleArchiveJobFailed");
    packed = w->written();
    // Verify the copy as it is on the tier, against the catalog's checksums.
    std::unique_ptr<BlobReader> r;
    if (BlobStatus s = tier.open(key, &r); !s.is_ok()) return fail(s.message(), "scheduleArchiveJobFailed");
    BagSink beat;  // verification reads the whole bag: keep the lease meanwhile
    beat.data = [&](std::string_view) {
      if (std::chrono::steady_clock::now() - last_beat_ > beat_every()) heartbeat(json_string(job, "id"), "");
      return std::string();
    };
    BagCheck check = read_bag(*r, expected, &beat);
    if (!check.ok) return fail("copy " + std::to_string(c + 1) + " failed verification: " + check.message,
                               "scheduleArchiveJobFailed");
    if (check.files.size() != online.size())
      return fail("copy " + std::to_string(c + 1) + " holds " + std::to_string(check.files.size()) + " files, " +
                      std::to_string(online.size()) + " are stored",
                  "scheduleArchiveJobFailed");
    if (!manifest_sha256.empty() && check.manifest_sha256 != manifest_sha256)
      return fail("the dataset's files changed while its copies were written", "scheduleArchiveJobFailed");
    manifest_sha256 = check.manifest_sha256;
    verified_files = check.files;
    locations.emplace_back(tier.location());
  }

  json::array file_list;
  std::int64_t size = 0;
  for (const auto& f : verified_files) {
    size += f.size;
    auto it = online.find(f.path);
    Millis mtime = it != online.end() ? it->second.mtime_ns / 1000000 : now_millis();
    file_list.emplace_back(json::object{{"path", f.path}, {"size", f.size}, {"time", iso_utc(mtime)}, {"chk", f.sha256}});
  }
  std::string location;
  for (const auto& l : locations) location += (location.empty() ? "" : ",") + std::string(l.get_string());
  bool registered = false;
  store_.transaction([&] {
    auto current = store_.get(schemas::datasets(), pid);
    std::string id = uuid_v4();
    // Not live any more: the dataset was deleted meanwhile (and perhaps created again under
    // the same pid, which must not inherit this bag).
    if (!current || !archive_ledger::make_live(store_, key, id, manifest_sha256)) return;
    registered = true;
    json::object block{{"_id", id},          {"id", id},          {"datasetId", pid},
                       {"archiveId", key},   {"size", size},      {"packedSize", packed},
                       {"chkAlg", "sha256"}, {"version", kBagVersion}, {"dataFileList", file_list}};
    for (const char* k : {"ownerGroup", "accessGroups", "isPublished", "instrumentGroup"})
      if (auto* v = current->if_contains(k)) block[k] = *v;
    std::string now = now_iso();
    block["createdBy"] = block["updatedBy"] = "openem-archiver";
    block["createdAt"] = block["updatedAt"] = now;
    store_.insert(schemas::datablocks(), block);
    json::value& lc = (*current)["datasetlifecycle"];
    if (!lc.is_object()) lc = json::object();
    auto& l = lc.as_object();
    l["archiveStatusMessage"] = "datasetOnArchiveDisk";
    l["archivable"] = false;
    l["retrievable"] = true;
    l["storageLocation"] = location;
    l["archiveReturnMessage"] = json::object{{"jobId", json_string(job, "id")}, {"archiveId", key}, {"copies", n},
                                             {"packedSize", packed}, {"locations", locations}};
    (*current)["packedSize"] = packed;
    (*current)["numberOfFilesArchived"] = static_cast<std::int64_t>(verified_files.size());
    (*current)["updatedAt"] = now;
    (*current)["updatedBy"] = "openem-archiver";
    store_.replace(schemas::datasets(), *current);
  });
  if (!registered) {
    out.result["error"] = "dataset " + pid + " was deleted while it was archived";
    return out;
  }
  ds = store_.get(schemas::datasets(), pid);
  if (ds && should_purge(*ds)) purge_online(pid);
  out.ok = true;
  out.result["copies"] = n;
  out.result["size"] = size;
  out.result["packedSize"] = packed;
  out.result["files"] = static_cast<std::int64_t>(verified_files.size());
  return out;
}

ArchiveWorker::Outcome ArchiveWorker::retrieve_dataset(const json::object& job, const std::string& pid,
                                                       const std::vector<std::string>& files) {
  Outcome out;
  out.result = {{"pid", pid}};
  auto fail = [&](const std::string& why) {
    out.result["error"] = why;
    update_lifecycle(pid, {{"retrieveStatusMessage", "scheduleRetrieveJobFailed"},
                           {"retrieveReturnMessage", json::object{{"error", why}, {"jobId", json_string(job, "id")}}}});
    return out;
  };
  if (!store_.get(schemas::datasets(), pid)) {
    out.result["error"] = "dataset " + pid + " does not exist";
    return out;
  }
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::datablocks(), "datasetId", pid));
  plan.order.push_back(sort_by(schemas::datablocks(), "createdAt", /*descending=*/true));
  // The newest datablock that names a bag the ledger records as this dataset's live copy,
  // written for exactly that datablock: a datablock edited to name another bag is not used.
  std::optional<json::object> block;
  std::optional<ArchiveCopy> copy;
  for (auto& b : store_.find(schemas::datablocks(), plan)) {
    if (json_string(b, "version") != kBagVersion) continue;
    auto c = archive_ledger::find(store_, json_string(b, "archiveId"));
    if (c && c->state == archive_ledger::kLive && c->pid == pid && c->datablock_id == json_string(b, "_id")) {
      block = std::move(b);
      copy = std::move(c);
      break;
    }
    spdlog::warn("event=datablock_not_trusted pid=\"{}\" datablock={} archiveId=\"{}\"", pid, json_string(b, "_id"),
                 json_string(b, "archiveId"));
  }
  if (!block) return fail("dataset " + pid + " has no archived copy made by openem");
  const std::string key = json_string(*block, "archiveId");
  out.result["archiveId"] = key;
  std::map<std::string, std::string> expected;
  if (auto* list = block->if_contains("dataFileList"); list && list->is_array())
    for (const auto& f : list->get_array())
      if (f.is_object() && f.get_object().contains("chk"))
        expected[json_string(f.get_object(), "path")] = json_string(f.get_object(), "chk");
  update_lifecycle(pid, {{"retrieveStatusMessage", "started"}});

  const fs::path area = opt_.retrieve_dir / json_string(job, "id") / pid_directory_name(pid);
  json::array corrupt_copies;
  for (std::size_t c = 0; c < copies_.size(); ++c) {
    ArchiveTier& tier = *copies_[c];
    std::unique_ptr<BlobReader> r;
    BlobStatus s = tier.open(key, &r);
    if (s.is_not_found()) continue;
    if (!s.is_ok()) {
      corrupt_copies.emplace_back(json::object{{"copy", static_cast<std::int64_t>(c + 1)}, {"location", tier.location()}, {"error", s.message()}});
      continue;
    }
    std::error_code ec;
    fs::remove_all(area, ec);
    fs::create_directories(area, ec);
    // Extraction into the retrieve area; paths from the bag are checked like uploads.
    int fd = -1;
    std::vector<std::string> extracted;
    BagSink sink;
    sink.begin = [&](const std::string& path, std::int64_t) -> std::string {
      if (BlobStatus ps = check_blob_path(path); !ps.is_ok()) return "unsafe path in bag: " + ps.message();
      fs::path target = area / path;
      fs::create_directories(target.parent_path(), ec);
      fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd < 0) return "cannot create " + target.string() + ": " + std::strerror(errno);
      extracted.push_back(path);
      return "";
    };
    sink.data = [&](std::string_view bytes) -> std::string {
      std::size_t done = 0;
      while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::string("write to the retrieve area failed: ") + std::strerror(errno);
        done += static_cast<std::size_t>(n);
      }
      if (std::chrono::steady_clock::now() - last_beat_ > beat_every()) heartbeat(json_string(job, "id"), "");
      return "";
    };
    sink.end = [&]() -> std::string {
      ::close(fd);
      fd = -1;
      return "";
    };
    BagCheck check = read_bag(*r, expected, &sink, files);
    if (fd >= 0) ::close(fd);
    if (check.ok)
      if (std::string why = bag_mismatch(check, pid, *copy); !why.empty()) {
        check.ok = false;
        check.message = why;
      }
    if (!check.ok) {
      spdlog::warn("event=bag_corrupt job={} pid=\"{}\" copy={} location=\"{}\" reason=\"{}\"", json_string(job, "id"), pid,
                   c + 1, tier.location(), check.message);
      corrupt_copies.emplace_back(json::object{{"copy", static_cast<std::int64_t>(c + 1)}, {"location", tier.location()}, {"error", check.message}});
      fs::remove_all(area, ec);
      continue;
    }
    // Verified: the files go back online, where the download endpoints serve them.
    std::int64_t size = 0;
    json::array urls;
    for (const auto& f : check.files) {
      if (std::find(extracted.begin(), extracted.end(), f.path) == extracted.end()) continue;
      if (BlobStatus ps = blobs_.put(pid, f.path, area / f.path); !ps.is_ok()) return fail(ps.message());
      size += f.size;
      if (urls.size() < 1000)
        urls.emplace_back("/api/v3/Datasets/" + encode_segment(pid) + "/files/" + encode_path(f.path));
    }
    fs::remove_all(area, ec);
    out.ok = true;
    out.result["copyUsed"] = static_cast<std::int64_t>(c + 1);
    out.result["files"] = static_cast<std::int64_t>(extracted.size());
    out.result["size"] = size;
    out.result["downloadUrl"] = "/api/v3/Datasets/" + encode_segment(pid) + "/download";
    out.result["fileUrls"] = std::move(urls);
    out.result["corruptCopies"] = corrupt_copies;
    update_lifecycle(pid, {{"retrieveStatusMessage", "datasetRetrieved"},
                           {"isOnCentralDisk", true},
                           {"retrieveIntegrityCheck", true},
                           {"retrieveReturnMessage", json::object{{"jobId", json_string(job, "id")}, {"copyUsed", static_cast<std::int64_t>(c + 1)},
                                                                  {"corruptCopies", corrupt_copies}}}});
    return out;
  }
  out.result["corruptCopies"] = corrupt_copies;
  return fail(corrupt_copies.empty() ? "no copy of " + key + " was found on any archive tier"
                                     : "every copy of " + key + " failed verification");
}

void ArchiveWorker::run_job(json::object job) {
  const std::string id = json_string(job, "id"), type = json_string(job, "type");
  auto list = dataset_list(job);
  spdlog::info("event=job_started job={} type={} datasets={} worker={}", id, type, list.size(), opt_.worker_id);
  last_beat_ = std::chrono::steady_clock::now();
  if (list.empty()) return finish(id, "finishedUnsuccessful", "The job names no datasets", {});
  json::array results;
  std::size_t ok = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& [pid, files] = list[i];
    std::string verb = type == "archive" ? "Archiving" : "Retrieving";
    if (!heartbeat(id, verb + " dataset " + std::to_string(i + 1) + " of " + std::to_string(list.size())))
      return;  // no longer ours (deleted, reset or taken over)
    if (stopping_) return release(id);
    Outcome o = type == "archive" ? archive_dataset(job, pid) : retrieve_dataset(job, pid, files);
    if (stopping_ && !o.ok) return release(id);
    ok += o.ok ? 1 : 0;
    results.emplace_back(std::move(o.result));
  }
  std::string verb = type == "archive" ? "Archived " : "Retrieved ";
  std::string msg = verb + std::to_string(ok) + " of " + std::to_string(list.size()) + " datasets";
  std::string code = ok == list.size() ? "finishedSuccessful" : ok == 0 ? "finishedUnsuccessful" : "finishedWithDatasetErrors";
  finish(id, code, msg, json::object{{"datasets", std::move(results)}});
}

bool ArchiveWorker::run_once() {
  auto job = claim(store_, opt_.worker_id, opt_.lease, opt_.max_attempts);
  if (!job) return false;
  try {
    run_job(std::move(*job));
  } catch (const std::exception& e) {
    spdlog::error("event=job_error job={} error=\"{}\"", json_string(*job, "id"), e.what());
    finish(json_string(*job, "id"), "finishedUnsuccessful", std::string("Internal error: ") + e.what(), {});
  }
  return true;
}

int ArchiveWorker::schedule_auto_archive() {
  int created = 0;
  QueryPlan all;
  for (const auto& policy : store_.find(schemas::policies(), all)) {
    auto* a = policy.if_contains("autoArchive");
    if (!a || !a->is_bool() || !a->get_bool()) continue;
    std::string group = json_string(policy, "ownerGroup");
    double delay_days = 7;
    if (auto* d = policy.if_contains("autoArchiveDelay"); d && d->is_number()) delay_days = d->to_number<double>();
    std::string cutoff = iso_utc(now_millis() - static_cast<Millis>(delay_days * 86400000.0));
    QueryPlan plan;
    const CollectionSchema& datasets = schemas::datasets();
    plan.conditions.push_back(field_is(datasets, "ownerGroup", group));
    plan.conditions.push_back(field_is(datasets, "datasetlifecycle.archiveStatusMessage", std::string("datasetCreated")));
    plan.conditions.push_back(field_compare(datasets, "createdAt", Comparison::Lte, cutoff));
    plan.limit = 100;
    auto pids = store_.find_ids(schemas::datasets(), plan);
    if (pids.empty()) continue;
    store_.transaction([&] {
      json::array list;
      for (const auto& pid : pids) {
        auto ds = store_.get(schemas::datasets(), pid);
        if (!ds) continue;
        auto* lc = ds->if_contains("datasetlifecycle");
        if (!lc || !lc->is_object() || json_string(lc->get_object(), "archiveStatusMessage") != "datasetCreated") continue;
        auto& l = (*ds)["datasetlifecycle"].as_object();
        l["archiveStatusMessage"] = "scheduledForArchiving";
        l["archivable"] = false;
        store_.replace(schemas::datasets(), *ds);
        list.emplace_back(json::object{{"pid", pid}, {"files", json::array()}});
      }
      if (list.empty()) return;
      std::string id = uuid_v4(), now = now_iso();
      json::object job{{"id", id},
                       {"_id", id},
                       {"type", "archive"},
                       {"statusCode", "jobSubmitted"},
                       {"statusMessage", "Submitted by the autoArchive policy of " + group},
                       {"jobParams", json::object{{"datasetList", std::move(list)}, {"autoArchive", true}}},
                       {"ownerUser", "openem-archiver"},
                       {"ownerGroup", group},
                       {"accessGroups", json::array()},
                       {"contactEmail", nullptr},
                       {"configVersion", jobs_.config_version},
                       {"jobResultObject", json::object()},
                       {"createdBy", "openem-archiver"},
                       {"updatedBy", "openem-archiver"},
                       {"createdAt", now},
                       {"updatedAt", now}};
      note_job_status(job, now);
      store_.insert(schemas::jobs(), job);
      ++created;
    });
  }
  return created;
}

int ArchiveWorker::sweep_deleted_archives() {
  // The ledger, not the datablocks, says which bags may go: copies released with their
  // dataset (the DELETE route refuses while an archived copy is under retention), abandoned
  // attempts, and copies left writing by jobs that ended. A datablock edited to name another
  // dataset's bag therefore never gets that bag deleted.
  archive_ledger::record_earlier_bags(store_, kBagVersion);
  int removed = 0;
  for (const auto& copy : archive_ledger::deletable(store_, 100)) {
    bool all_gone = true;
    for (const auto& tier : copies_) {
      BlobStatus s = tier->remove(copy.key);
      if (!s.is_ok() && !s.is_not_found()) {
        spdlog::warn("event=retention_sweep_failed key=\"{}\" location=\"{}\" error=\"{}\"", copy.key, tier->location(),
                     s.message());
        all_gone = false;
      }
    }
    if (!all_gone) continue;  // the record stays so the next sweep tries again
    store_.transaction([&] {
      archive_ledger::forget(store_, copy.key);
      // Datablocks naming the bag that a delete from before deletes took dependants left.
      QueryPlan left;
      left.conditions.push_back(field_is(schemas::datablocks(), "archiveId", copy.key));
      left.conditions.push_back(dangling_reference(schemas::datablocks(), "datasetId", schemas::datasets()));
      for (const auto& id : store_.find_ids(schemas::datablocks(), left)) store_.remove(schemas::datablocks(), id);
    });
    spdlog::info("event=archive_copy_deleted key=\"{}\" dataset=\"{}\" state={}", copy.key, copy.pid, copy.state);
    ++removed;
  }
  return removed;
}

void ArchiveWorker::loop() {
  // The worker's writes (job states, lifecycles, datablocks) are the archive system's own.
  acting_user::Scope as(std::string(acting_user::kSystemUser) + ":archiver");
  while (!stopping_) {
    bool worked = false;
    try {
      auto now = std::chrono::steady_clock::now();
      if (now - last_auto_ > std::chrono::seconds(10)) {
        last_auto_ = now;
        if (int n = schedule_auto_archive()) spdlog::info("event=auto_archive jobs={}", n);
      }
      if (now - last_sweep_ > std::chrono::seconds(std::max(1, config_.archive_sweep_seconds))) {
        last_sweep_ = now;
        sweep_deleted_archives();
      }
      worked = run_once();
    } catch (const std::exception& e) {
      spdlog::error("event=archive_worker_error error=\"{}\"", e.what());
    }
    if (worked) continue;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, opt_.poll, [&] { return stopping_.load(); });
  }
}

void ArchiveWorker::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void ArchiveWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace openem
