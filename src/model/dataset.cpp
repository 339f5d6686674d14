#include "model/dataset.h"

#include <boost/json.hpp>

#include <algorithm>

#include "core/time.h"

namespace openem {
namespace json = boost::json;
namespace {

using F = FieldType;

DtoSpec common_fields() {
  return {
      {"pid", F::NonEmptyString},
      {"owner", F::NonEmptyString, true},
      {"ownerEmail", F::Email},
      {"orcidOfOwner", F::String},
      {"contactEmail", F::Email, true},
      {"sourceFolder", F::NonEmptyString, true},
      {"sourceFolderHost", F::String},
      {"size", F::Integer},
      {"packedSize", F::Integer},
      {"numberOfFiles", F::Integer},
      {"numberOfFilesArchived", F::Integer},
      {"creationTime", F::Date, true},
      {"type", F::NonEmptyString, true},
      {"validationStatus", F::String},
      {"keywords", F::StringArray},
      {"description", F::String},
      {"datasetName", F::String},
      {"classification", F::String},
      {"license", F::String},
      {"isPublished", F::Boolean},
      {"techniques", F::ObjectArray},
      {"sharedWith", F::StringArray},
      {"relationships", F::ObjectArray},
      {"datasetlifecycle", F::Object},
      {"scientificMetadata", F::Object},
      {"scientificMetadataSchema", F::String},
      {"scientificMetadataValid", F::Boolean},
      {"comment", F::String},
      {"dataQualityMetrics", F::Number},
      {"proposalId", F::String},
      {"previousVersion", F::String},  // openem: the dataset this is a new version of (docs/lineage.md)
      {"runNumber", F::String},
      {"ownerGroup", F::NonEmptyString, true},
      {"accessGroups", F::StringArray},
      {"instrumentGroup", F::String},
      {"attachments", F::ObjectArray},  // tolerated: the frontend echoes included relations
      {"origdatablocks", F::ObjectArray},
      {"datablocks", F::ObjectArray},
  };
}

// Raw and derived datasets accept the same fields (a lenient superset, as upstream tolerates
// them); which ones are required depends on the type.
DtoSpec typed_fields(bool raw) {
  DtoSpec s = common_fields();
  s.insert(s.end(), {{"principalInvestigator", F::String, raw},
                     {"creationLocation", F::String, raw},
                     {"investigator", F::String, !raw},
                     {"inputDatasets", F::StringArray, !raw},
                     {"usedSoftware", F::StringArray, !raw},
                     {"startTime", F::Date},
                     {"endTime", F::Date},
                     {"dataFormat", F::String},
                     {"sampleId", F::String},
                     {"instrumentId", F::String},
                     {"jobParameters", F::Object},
                     {"jobLogData", F::String}});
  return s;
}

// API v4's one DTO for every dataset type (upstream src/datasets/dto/create-dataset.dto.ts,
// update-dataset.dto.ts and common/dto/ownable.dto.ts): plural proposalIds, sampleIds,
// instrumentIds and principalInvestigators; no singular aliases, no investigator; datasetName
// required; owner optional. v3 validates custom types with it too (reference §3.2).
DtoSpec v4_fields() {
  return {
      {"pid", F::String},
      {"type", F::NonEmptyString, true},
      {"version", F::String},
      {"ownerGroup", F::NonEmptyString, true},
      {"accessGroups", F::StringArray},
      {"instrumentGroup", F::String},
      {"owner", F::String},
      {"ownerEmail", F::Email},
      {"orcidOfOwner", F::String},
      {"contactEmail", F::EmailList, true},
      {"sourceFolder", F::String, true},
      {"sourceFolderHost", F::String},
      {"size", F::Integer},
      {"packedSize", F::Integer},
      {"numberOfFiles", F::Integer},
      {"numberOfFilesArchived", F::Integer},
      {"creationTime", F::Date, true},
      {"validationStatus", F::String},
      {"keywords", F::StringArray},
      {"description", F::String},
      {"datasetName", F::String, true},
      {"classification", F::String},
      {"license", F::String},
      {"isPublished", F::Boolean},
      {"techniques", F::ObjectArray},
      {"sharedWith", F::StringArray},
      {"relationships", F::ObjectArray},
      {"datasetlifecycle", F::Object},
      {"scientificMetadata", F::Object},
      {"scientificMetadataSchema", F::String},
      {"scientificMetadataValid", F::Boolean},  // server-set upstream; clients echo it back
      {"comment", F::String},
      {"dataQualityMetrics", F::Number},
      {"principalInvestigators", F::StringArray},
      {"startTime", F::Date},
      {"endTime", F::Date},
      {"creationLocation", F::String},
      {"dataFormat", F::String},
      {"proposalIds", F::StringArray},
      {"sampleIds", F::StringArray},
      {"instrumentIds", F::StringArray},
      {"inputDatasets", F::StringArray},
      {"usedSoftware", F::StringArray},
      {"jobParameters", F::Object},
      {"jobLogData", F::String},
      {"runNumber", F::String},
      {"previousVersion", F::String},
      {"attachments", F::ObjectArray},  // tolerated: the frontend echoes included relations
      {"origdatablocks", F::ObjectArray},
      {"datablocks", F::ObjectArray},
  };
}

struct Alias {
  const char* singular;
  const char* plural;
};
constexpr Alias kAliases[] = {{"proposalId", "proposalIds"},
                              {"sampleId", "sampleIds"},
                              {"instrumentId", "instrumentIds"},
                              {"principalInvestigator", "principalInvestigators"}};

bool is_derived(const json::object& doc) {
  auto* t = doc.if_contains("type");
  return t && t->is_string() && t->get_string() == "derived";
}

const json::value* non_empty_string(const json::object& doc, const char* key) {
  auto* v = doc.if_contains(key);
  return v && v->is_string() && !v->get_string().empty() ? v : nullptr;
}

// A derived dataset's v3 `investigator` is its first principal investigator (upstream
// legacy.datasets.service.ts convertObsoleteToCurrentSchema / convertCurrentToObsoleteSchema):
// it names principalInvestigators[0], and the v3 view shows it as both investigator and
// principalInvestigator. A raw dataset's investigator (tolerated by v3) is a plain field.
void sync_aliases(json::object& doc) {
  const bool derived = is_derived(doc);
  if (derived)
    if (auto* inv = non_empty_string(doc, "investigator")) doc["principalInvestigator"] = *inv;
  for (const auto& a : kAliases) {
    auto* s = doc.if_contains(a.singular);
    auto* p = doc.if_contains(a.plural);
    if (s && s->is_string() && !s->get_string().empty()) {
      // The singular names the first element; keep the others.
      json::array arr = p && p->is_array() ? p->get_array() : json::array();
      if (arr.empty() || arr[0] != *s) {
        for (auto it = arr.begin(); it != arr.end();) it = *it == *s ? arr.erase(it) : it + 1;
        arr.insert(arr.begin(), *s);
      }
      doc[a.plural] = std::move(arr);
    } else if (p && p->is_array() && !p->get_array().empty() && p->get_array()[0].is_string()) {
      doc[a.singular] = p->get_array()[0];
    }
  }
  if (derived) {
    auto* pis = doc.if_contains("principalInvestigators");
    if (pis && pis->is_array() && !pis->get_array().empty() && pis->get_array()[0].is_string())
      doc["investigator"] = pis->get_array()[0];
    else
      doc.erase("investigator");
  }
}

void normalize_dates(json::object& doc) {
  for (const char* f : {"creationTime", "startTime", "endTime"}) {
    if (auto* v = doc.if_contains(f); v && v->is_string())
      if (auto iso = normalize_iso(v->get_string())) *v = json::string(*iso);
  }
}

}  // namespace

std::vector<std::string> validate_dataset(const json::object& body, const std::string& type, bool partial) {
  static const DtoSpec raw = typed_fields(true), derived = typed_fields(false), custom = v4_fields();
  const DtoSpec& spec = type == "raw" ? raw : type == "derived" ? derived : custom;
  // Updates may echo server-managed fields back (the frontend does); a create may not carry
  // a history (upstream refuses it), while the version it may send is ignored.
  static const std::vector<std::string> on_create{"version"};
  return validate_dto(body, spec, partial, partial ? server_managed_fields() : on_create);
}

std::vector<std::string> validate_dataset_v4(const json::object& body, bool partial) {
  static const DtoSpec spec = v4_fields();
  static const std::vector<std::string> on_create{"__v"};
  return validate_dto(body, spec, partial, partial ? server_managed_fields() : on_create);
}

std::vector<std::string> validate_lifecycle(const json::object& body) {
  static const DtoSpec spec{{"archivable", F::Boolean},
                            {"retrievable", F::Boolean},
                            {"publishable", F::Boolean},
                            {"dateOfDiskPurging", F::Date},
                            {"archiveRetentionTime", F::Date},
                            {"dateOfPublishing", F::Date},
                            {"publishedOn", F::Date},
                            {"isOnCentralDisk", F::Boolean},
                            {"archiveStatusMessage", F::String},
                            {"retrieveStatusMessage", F::String},
                            {"archiveReturnMessage", F::Any},
                            {"retrieveReturnMessage", F::Any},
                            {"exportedTo", F::String},
                            {"retrieveIntegrityCheck", F::Boolean},
                            {"storageLocation", F::String}};
  return validate_dto(body, spec, true);
}

json::object default_lifecycle(int retention_years, double publication_years) {
  Millis now = now_millis();
  json::object lc{{"archivable", true},
                  {"retrievable", false},
                  {"publishable", false},
                  {"isOnCentralDisk", true},
                  {"archiveStatusMessage", "datasetCreated"},
                  {"retrieveStatusMessage", ""},
                  {"archiveReturnMessage", json::object()},
                  {"retrieveReturnMessage", json::object()},
                  {"retrieveIntegrityCheck", false},
                  {"dateOfDiskPurging", iso_utc(now)},
                  {"publishedOn", iso_utc(now)},
                  {"dateOfPublishing", iso_utc(add_years(now, publication_years))},
                  {"exportedTo", ""},
                  {"storageLocation", ""}};
  lc["archiveRetentionTime"] = iso_utc(retention_years >= 0 ? add_years(now, retention_years) : now);
  return lc;
}

void complete_new_dataset(json::object& doc, const DatasetDefaults& d) {
  for (const auto& f : server_managed_fields()) doc.erase(f);
  doc["pid"] = d.pid;
  doc["_id"] = d.pid;
  doc["version"] = d.version;
  doc["__v"] = 0;  // Mongoose's document version key, which upstream returns with every dataset
  auto ensure = [&](const char* k, json::value v) {
    if (!doc.contains(k) || doc.at(k).is_null()) doc[k] = std::move(v);
  };
  ensure("isPublished", false);
  ensure("accessGroups", json::array());
  ensure("sharedWith", json::array());
  ensure("keywords", json::array());
  ensure("techniques", json::array());
  ensure("relationships", json::array());
  // Mongoose gives every array of the schema an empty default (upstream dataset.schema.ts).
  for (const char* list : {"proposalIds", "sampleIds", "instrumentIds", "principalInvestigators", "inputDatasets",
                           "usedSoftware"})
    ensure(list, json::array());
  ensure("size", 0);
  ensure("packedSize", 0);
  ensure("numberOfFiles", 0);
  ensure("numberOfFilesArchived", 0);
  ensure("scientificMetadata", json::object());
  ensure("history", json::array());
  if (!doc.contains("datasetName") && doc.contains("sourceFolder")) {
    // The reference (§3.2) makes datasetName optional in v3, and upstream's API text says it
    // is "autofilled if missing using info from sourceFolder"; its current DTO requires it
    // instead (docs/catalog.md). A nameless dataset is named after its folder.
    std::string folder(doc.at("sourceFolder").is_string() ? doc.at("sourceFolder").get_string() : "");
    while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
    auto slash = folder.rfind('/');
    doc["datasetName"] = slash == std::string::npos ? folder : folder.substr(slash + 1);
  }
  // classification is overwritten with the owner group's tape redundancy (reference §3.3).
  doc["classification"] = dataset_classification(d.tape_redundancy);
  json::object lc = default_lifecycle(d.retention_years, d.publication_years);
  json::value retention = lc["archiveRetentionTime"];
  if (auto* given = doc.if_contains("datasetlifecycle"); given && given->is_object())
    for (const auto& [k, v] : given->get_object()) lc[k] = v;
  if (!d.may_set_retention) lc["archiveRetentionTime"] = std::move(retention);
  doc["datasetlifecycle"] = std::move(lc);
  normalize_dataset(doc);
}

const std::vector<std::string>& echoed_read_fields() {
  static const std::vector<std::string> f{"attachments", "origdatablocks", "datablocks", "scientificMetadataValid"};
  return f;
}

void normalize_dataset(json::object& doc) {
  for (const auto& f : echoed_read_fields()) doc.erase(f);
  sync_aliases(doc);
  normalize_dates(doc);
}

std::string dataset_classification(std::string_view tape_redundancy) {
  return "IN=medium,AV=" + std::string(tape_redundancy) + ",CO=low";
}

json::object dataset_v4_view(json::object doc) {
  for (const auto& a : kAliases) doc.erase(a.singular);
  if (is_derived(doc)) doc.erase("investigator");
  return doc;
}

json::object merge_dataset_update(json::object stored, const json::object& body) {
  for (const auto& [k, v] : body) stored[k] = v;
  // Names of one list: whichever the body sets wins, so the stored others are dropped and
  // normalize_dataset derives them again from it.
  const bool derived = is_derived(stored);
  std::vector<std::vector<const char*>> groups;
  for (const auto& a : kAliases) groups.push_back({a.singular, a.plural});
  if (derived) groups.back().push_back("investigator");
  for (const auto& names : groups) {
    bool touched = std::any_of(names.begin(), names.end(), [&](const char* n) { return body.contains(n); });
    if (!touched) continue;
    for (const char* n : names)
      if (!body.contains(n)) stored.erase(n);
  }
  normalize_dataset(stored);
  return stored;
}

}  // namespace openem
