// Writes of datasets (reference §3.1): create with its defaults and policies, PATCH/PUT,
// lifecycle updates — with the rules on who may change what (retention, embargo, server-managed
// fields) and the history they leave. Thread-safe; each write is one store transaction.
#include "api/dataset_writes.h"

#include "api/dataset_deletion.h"
#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "core/error.h"
#include "core/human_bytes.h"
#include "core/merge_patch.h"
#include "core/ids.h"
#include "core/pattern.h"
#include "core/json_fields.h"
#include "core/time.h"
#include "logbook/logbook_entries.h"
#include "model/dataset.h"
#include "model/scientific_metadata.h"
#include "publish/embargo.h"
#include "store/store_errors.h"

namespace openem {
namespace json = boost::json;
namespace {

bool same_instant(const json::value* a, const json::value* b) {
  if (!a || !b) return false;
  if (*a == *b) return true;
  if (!a->is_string() || !b->is_string()) return false;
  auto x = parse_iso(a->get_string()), y = parse_iso(b->get_string());
  return x && y && *x == *y;
}

// The embargo the owner group's policy allows, in years (its embargoPeriod), else
// POLICY_PUBLICATION_SHIFT.
double embargo_years(App& app, const std::string& owner_group) {
  if (auto policy = group_policy(app, owner_group); policy && policy->embargo_years) return *policy->embargo_years;
  return app.config().policy_publication_shift_years;
}

// datasetlifecycle.archiveRetentionTime is set by policy and the archive system: an owner who
// could move it could block a deletion for ever or cut a legal retention duty short.
void check_retention_change(App& app, const Principal& p, const json::object& before, const json::object& change) {
  auto* wanted = change.if_contains("archiveRetentionTime");
  if (!wanted || app.is_archive_manager(p)) return;
  if (same_instant(before.if_contains("archiveRetentionTime"), wanted)) return;
  throw ApiError::forbidden("datasetlifecycle.archiveRetentionTime is set by policy and the archive system");
}

// datasetlifecycle.dateOfPublishing, the embargo end: owners may bring it forward at any time
// and move it back up to creation + the policy's embargo; lifecycle managers and admins as they
// like. Every change is recorded in the dataset's history (who, when, old -> new).
void apply_embargo_change(App& app, const Principal& p, json::object& ds, const json::object& before,
                          const json::object& change) {
  auto* wanted = change.if_contains("dateOfPublishing");
  if (!wanted) return;
  auto* current = before.if_contains("dateOfPublishing");
  if (same_instant(current, wanted)) return;
  bool manager = app.is_admin(p) || app.config().update_dataset_lifecycle_groups.matches(p.groups, p.authenticated());
  if (!manager) {
    if (!wanted->is_string()) throw ApiError::bad_request("datasetlifecycle.dateOfPublishing must be a date");
    auto refused = check_embargo_change(str_field(ds, "createdAt"), current && current->is_string() ? std::string(current->get_string()) : "",
                                        std::string(wanted->get_string()), embargo_years(app, str_field(ds, "ownerGroup")));
    if (refused) throw ApiError::forbidden(*refused);
  }
  record_history(ds, actor(p), "datasetlifecycle.dateOfPublishing", current ? *current : json::value(), *wanted);
}

// The lifecycle holds what the system wrote: the embargo end (dateOfPublishing), publishedOn,
// the retention time, the archive status. A `datasetlifecycle` in a PATCH or PUT body therefore
// changes the members it names and keeps the others, and null changes nothing. (Upstream
// replaces the sub-document and lets Mongoose re-apply defaults, which loses the embargo end;
// a null or partial lifecycle would drop members past the checks below.) Every member the body
// names passes the retention and embargo checks, and an embargo change is recorded in ds's
// history. Leaves body's lifecycle, if any, as the whole merged lifecycle.
void merge_lifecycle_change(App& app, const Principal& p, json::object& ds, json::object& body) {
  json::value* lc = body.if_contains("datasetlifecycle");
  if (!lc) return;
  if (lc->is_null()) {
    body.erase("datasetlifecycle");
    return;
  }
  if (!lc->is_object()) return;  // the DTO check refuses it
  const json::value* stored = ds.if_contains("datasetlifecycle");
  json::object merged = stored && stored->is_object() ? stored->get_object() : json::object();
  check_retention_change(app, p, merged, lc->get_object());
  apply_embargo_change(app, p, ds, merged, lc->get_object());
  for (const auto& [k, v] : lc->get_object()) merged[k] = v;
  *lc = std::move(merged);
}

// Validates and decides the pid of a new dataset; throws 400/403.
std::string decide_pid(App& app, const Principal& p, const json::object& body, DatasetCreateTier tier) {
  const Config& cfg = app.config();
  std::string pid = str_field(body, "pid");
  if (pid.empty()) return (cfg.pid_prefix.empty() ? std::string("undefined") : cfg.pid_prefix) + "/" + uuid_v4();
  if (tier == DatasetCreateTier::OwnGroups) throw ApiError::forbidden("Unauthorized to create datasets with pid");
  if (pid.size() > 1024) throw ApiError::bad_request("pid is too long");
  if (cfg.dataset_creation_validation_enabled && !cfg.dataset_creation_validation_regex.empty()) {
    // The operator's pattern, but the client's pid: a bounded search, so no pid makes a
    // create backtrack for minutes or overflow the stack. A pattern that does not compile or
    // needs too much work on this pid refuses it (the check cannot say yes).
    bool ok = false;
    try {
      ok = Pattern(cfg.dataset_creation_validation_regex).search(pid);
    } catch (const PatternError&) {
      ok = false;
    }
    if (!ok) throw ApiError::bad_request("PID is not following required standards");
  }
  return pid;
}

// A new version of `previous` (docs/lineage.md "Versions"): the caller must be allowed to change
// the previous version (404 when they may not read it), which must be the newest of its
// series — versions form a chain, not a tree. The new one gets the next versionNumber and the
// series of the first version; a first version takes versionNumber 1 and its own pid as series
// when its second is made, so a dataset without either field has no versions (landing pages
// need no query to know). Called inside the creating transaction (serial), so two new versions
// of one dataset cannot both succeed.
void link_to_previous_version(App& app, const Principal& p, json::object& doc, const std::string& previous) {
  if (previous == str_field(doc, "pid")) throw ApiError::bad_request("A dataset cannot be its own previous version");
  json::object prev = dataset_for_write(app, p, previous);
  QueryPlan newer;
  newer.conditions = {field_is(schemas::datasets(), "previousVersion", previous)};
  newer.limit = 1;
  if (!app.store().find_ids(schemas::datasets(), newer).empty())
    throw ApiError::conflict("Dataset " + previous + " already has a newer version: make a new version of that one");
  const json::value* number = prev.if_contains("versionNumber");
  doc["versionNumber"] = (number && number->is_int64() ? number->get_int64() : 1) + 1;
  const std::string series = str_field(prev, "versionSeries");
  doc["versionSeries"] = series.empty() ? previous : series;
  if (series.empty()) {  // the first version gets its second: it is now version 1 of its series
    prev["versionNumber"] = 1;
    prev["versionSeries"] = previous;
    app.store().replace(schemas::datasets(), prev);
  }
}

}  // namespace

std::string dataset_type(const json::object& body) {
  auto* t = body.if_contains("type");
  return t && t->is_string() ? std::string(t->get_string()) : std::string();
}

json::object create_dataset(App& app, const Principal& p, json::object body, bool v4) {
  DatasetCreateTier tier = dataset_create_tier(app.config(), p);
  if (tier == DatasetCreateTier::None) throw ApiError::forbidden();
  std::string type = dataset_type(body);
  if (!v4 && type != "raw" && type != "derived" && type.empty())
    throw ApiError(400, std::vector<std::string>{"type should not be empty"});
  // Validated by API version: v3 by the raw/derived DTOs, v4 by its one DTO for every type.
  auto errors = v4 ? validate_dataset_v4(body, false) : validate_dataset(body, type, false);
  if (!errors.empty()) throw ApiError(400, errors);
  std::string owner_group = str_field(body, "ownerGroup");
  if ((tier == DatasetCreateTier::OwnGroups || tier == DatasetCreateTier::WithPid) && !p.in_group(owner_group))
    throw ApiError::forbidden("Unauthorized to create datasets for group " + owner_group);
  std::string pid = decide_pid(app, p, body, tier);
  const bool pid_given = !str_field(body, "pid").empty();
  if (auto* sm = body.if_contains("scientificMetadata"); sm && sm->is_object()) *sm = with_si_values(*sm);
  // The document and its rows are completed here, on the request's thread: the transaction
  // runs on the store's one writer thread, which should only have to write them. The owner
  // group's policy decides the classification; a group without one gets it inside the
  // transaction, and the rows are redone if a concurrent request made it differently. A
  // policy changed or removed between this read and the commit is not seen (as with any
  // dataset created just before such a change; policies are not copied onto datasets).
  std::optional<GroupPolicy> policy = group_policy(app, owner_group);
  std::optional<std::string> redundancy;
  if (policy) redundancy = policy->tape_redundancy;
  json::object doc = std::move(body);
  DatasetDefaults d;
  d.pid = pid;
  d.version = v4 ? "4" : "3";
  d.tape_redundancy = redundancy.value_or("low");
  d.retention_years = app.config().policy_retention_shift_years;
  d.publication_years = policy && policy->embargo_years ? *policy->embargo_years : app.config().policy_publication_shift_years;
  d.may_set_retention = app.is_archive_manager(p);
  json::value given_embargo;
  if (auto* lc = doc.if_contains("datasetlifecycle"); lc && lc->is_object())
    if (auto* e = lc->get_object().if_contains("dateOfPublishing")) given_embargo = *e;
  complete_new_dataset(doc, d);
  if (!given_embargo.is_null()) {  // an embargo end given at creation: within the policy, as a change is
    json::object defaults = default_lifecycle(d.retention_years, d.publication_years);
    apply_embargo_change(app, p, doc, defaults, json::object{{"dateOfPublishing", given_embargo}});
    doc["history"] = json::array();  // a creation is no change
  }
  stamp(doc, p, true);
  DocumentRows rows = document_rows(schemas::datasets(), doc);
  auto insert = [&] {
    try {
      app.store().insert(rows);
    } catch (const StoreError& e) {
      if (e.kind() == StoreError::Kind::kDuplicateId) throw ApiError::conflict("A dataset with pid " + pid + " already exists!");
      throw;
    }
  };
  // A dataset of a proposal is an automatic entry in its logbook, written with the dataset; a
  // new version is linked to its previous one.
  const bool of_a_proposal = !str_field(doc, "proposalId").empty() || !json_strings(doc, "proposalIds").empty();
  const std::string previous = str_field(doc, "previousVersion");
  auto insert_and_tell = [&] {
    if (!previous.empty()) {
      link_to_previous_version(app, p, doc, previous);
      rows = document_rows(schemas::datasets(), doc);
    }
    insert();
    if (!of_a_proposal) return;
    const std::string name = str_field(doc, "datasetName");
    add_automatic_entries(app.store(), std::span(&doc, 1),
                          "**" + str_field(doc, "type") + " dataset** " + (name.empty() ? "" : "\"" + name + "\" ") +
                              "`" + pid + "` registered by " + p.username + ".",
                          {"dataset"});
  };
  if (redundancy && !of_a_proposal && previous.empty()) {
    insert();  // a write that depends on no read: on its own, the store lets it run beside others
  } else if (redundancy) {
    app.store().transaction(insert_and_tell);
  } else {
    app.store().transaction([&] {
      std::string created = ensure_policy_for_group(app, p, owner_group, str_field(doc, "ownerEmail"));
      if (created != d.tape_redundancy) {  // another request made the policy meanwhile
        doc["classification"] = dataset_classification(created);
        rows = document_rows(schemas::datasets(), doc);
      }
      insert_and_tell();
    });
  }
  // A pid the client chose may have been a deleted dataset's: files a crash left behind under
  // it are not the new dataset's. Nobody can have uploaded to the new dataset yet.
  if (pid_given) remove_online_files(app, pid);
  return doc;
}

namespace {

// The call that ends an ingest: scicat-cli's MarkFilesReady, the OpenEM ingestor and `openem
// ingest` all send {"archiveStatusMessage": "datasetCreated", "archivable": true} once every
// file is registered and in place (docs/ingest.md step 6), and nothing else: a client that
// writes back a whole dataset, lifecycle included, is not finishing an ingest.
bool marks_files_ready(const json::object& lifecycle_change) {
  return lifecycle_change.size() == 2 && json_string(lifecycle_change, "archiveStatusMessage") == "datasetCreated" &&
         json_bool(lifecycle_change, "archivable");
}

// "Ingest finished" in the logbook of the dataset's proposal, with the files it now has; not
// again when the newest such entry says the same (a mark sent twice: a client's retry after a
// lost answer, or a re-run that brought nothing new).
void tell_ingest_finished(App& app, const Principal& p, const json::object& ds) {
  const std::int64_t files = json_int(ds, "numberOfFiles");
  const double bytes = ds.contains("size") && ds.at("size").is_number() ? ds.at("size").to_number<double>() : 0;
  const std::string name = str_field(ds, "datasetName");
  const std::string text = "**" + str_field(ds, "type") + " dataset** " + (name.empty() ? "" : "\"" + name + "\" ") +
                           "`" + str_field(ds, "pid") + "`: ingest finished by " + p.username + ", " +
                           std::to_string(files) + (files == 1 ? " file" : " files") + " (" + human_bytes(bytes) +
                           ") in place.";
  const CollectionSchema& entries = schemas::logbook_entries();
  QueryPlan newest;
  newest.conditions = {field_is(entries, "datasetIds", str_field(ds, "pid")), field_is(entries, "tags", std::string("ingest"))};
  newest.order = {sort_by(entries, "createdAt", /*descending=*/true)};
  newest.limit = 1;
  for (const auto& entry : app.store().find(entries, newest))
    if (str_field(entry, "author") == "openem" && str_field(entry, "text") == text) return;
  add_automatic_entries(app.store(), std::span(&ds, 1), text, {"dataset", "ingest"});
}

}  // namespace

// PATCH semantics: top-level keys replace wholesale (reference §3.1), except the lifecycle,
// which merges (merge_lifecycle_change).
json::object update_dataset(App& app, const Principal& p, const std::string& pid, json::object body, bool replace_all,
                            const HttpRequest& req, bool v4) {
  if (!p.authenticated()) throw ApiError::forbidden();
  json::object result;
  app.store().transaction([&] {
    json::object ds = dataset_for_write(app, p, pid);
    if (auto since = req.header("if-unmodified-since")) {
      auto limit = parse_http_date(*since);
      auto updated = parse_iso(str_field(ds, "updatedAt"));
      if (limit && updated && *updated >= *limit) throw ApiError(412, "Dataset was modified since " + *since);
    }
    std::string type = str_field(ds, "type");
    if (v4 && replace_all && !body.contains("type")) body["type"] = type;  // v4 PUT bodies carry no type
    if (auto t = dataset_type(body); !t.empty() && t != type)
      throw ApiError::bad_request("The type of a dataset cannot be changed");
    auto errors = v4 ? validate_dataset_v4(body, !replace_all) : validate_dataset(body, type, !replace_all);
    if (!errors.empty()) throw ApiError(400, errors);
    if (auto* new_pid = body.if_contains("pid"); new_pid && *new_pid != json::value(pid))
      throw ApiError::bad_request("The pid of a dataset cannot be changed");
    if (!dataset_update_any(app.config(), p) && body.contains("ownerGroup") &&
        !p.in_group(str_field(body, "ownerGroup")))
      throw ApiError::forbidden("Cannot hand a dataset to a group you are not in");
    for (const auto& f : server_managed_fields()) body.erase(f);
    // A dataset's place among its versions is set when it is made (docs/lineage.md).
    if (auto* prev = body.if_contains("previousVersion")) {
      const json::value stored = ds.contains("previousVersion") ? ds.at("previousVersion") : json::value();
      if (*prev != stored && !(prev->is_null() && stored.is_null()))
        throw ApiError::bad_request("previousVersion cannot be changed: make a new version instead");
      body.erase("previousVersion");
    }
    const auto* lifecycle_change = body.if_contains("datasetlifecycle");
    const bool files_ready = lifecycle_change && lifecycle_change->is_object() &&
                             marks_files_ready(lifecycle_change->get_object());  // scicat-cli sends it with PUT
    merge_lifecycle_change(app, p, ds, body);
    if (auto* sm = body.if_contains("scientificMetadata"); sm && sm->is_object()) *sm = with_si_values(*sm);
    json::object next;
    if (replace_all) {
      next = std::move(body);
      for (const char* keep : {"pid", "_id", "createdBy", "createdAt", "version", "history", "size", "numberOfFiles",
                               "previousVersion", "versionNumber", "versionSeries"})
        if (auto* v = ds.if_contains(keep); v && !next.contains(keep)) next[keep] = *v;
      if (!next.contains("datasetlifecycle")) next["datasetlifecycle"] = ds["datasetlifecycle"];
    } else {
      // v4 PATCH with Content-Type application/merge-patch+json merges nested objects
      // (upstream datasets.v4.controller.ts applies json-merge-patch to the stored dataset).
      auto ct = req.header("content-type");
      const bool merge = v4 && ct && is_merge_patch_content_type(*ct);
      if (merge) {
        for (auto& [k, v] : body) {
          if (v.is_null()) continue;
          json::value merged = ds.contains(k) ? ds.at(k) : json::value();
          apply_merge_patch(merged, v);
          v = std::move(merged);
        }
      }
      // A changed singular alias wins over the stored plural array and vice versa.
      next = merge_dataset_update(ds, body);
      if (merge)
        for (const auto& [k, v] : body)
          if (v.is_null()) next.erase(k);
    }
    normalize_dataset(next);
    stamp(next, p, false);
    app.store().replace(schemas::datasets(), next);
    bool ownership_changed = false;
    for (const char* k : {"ownerGroup", "accessGroups", "isPublished", "instrumentGroup"})
      if ((ds.contains(k) ? ds.at(k) : json::value()) != (next.contains(k) ? next.at(k) : json::value()))
        ownership_changed = true;
    if (ownership_changed) {
      propagate_ownership(app.store(), next);
      follow_dataset_access(app.store(), next);  // the logbook's automatic entries about it
    }
    if (files_ready) tell_ingest_finished(app, p, next);
    result = std::move(next);
  });
  return result;
}

json::object patch_lifecycle(App& app, const Principal& p, const std::string& pid, const json::object& body) {
  if (body.empty()) throw ApiError::bad_request("Lifecycle update must not be empty");
  if (auto errors = validate_lifecycle(body); !errors.empty()) throw ApiError(400, errors);
  json::object lifecycle;
  app.store().transaction([&] {
    json::object ds = dataset_access(app).get_for_change(p, pid, [&](const json::object& d) {
      return p.authenticated() &&
             (app.config().update_dataset_lifecycle_groups.matches(p.groups, true) || may_write_dataset(app, p, d));
    });
    json::object lc = ds.contains("datasetlifecycle") && ds.at("datasetlifecycle").is_object()
                          ? ds.at("datasetlifecycle").get_object()
                          : json::object();
    check_retention_change(app, p, lc, body);
    apply_embargo_change(app, p, ds, lc, body);
    for (const auto& [k, v] : body) lc[k] = v;
    ds["datasetlifecycle"] = lc;
    stamp(ds, p, false);
    app.store().replace(schemas::datasets(), ds);
    if (marks_files_ready(body)) tell_ingest_finished(app, p, ds);
    lifecycle = std::move(lc);
  });
  return lifecycle;
}

}  // namespace openem
