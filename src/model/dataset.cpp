#include "model/dataset.h"

#include <boost/json.hpp>

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

DtoSpec custom_fields() {  // v4 DTO: plural arrays, datasetName required
  DtoSpec s = common_fields();
  for (auto& f : s)
    if (f.name == "datasetName") f.required = true;
  std::erase_if(s, [](const FieldSpec& f) { return f.name == "proposalId"; });
  s.insert(s.end(), {{"proposalIds", F::StringArray},
                     {"sampleIds", F::StringArray},
                     {"instrumentIds", F::StringArray},
                     {"principalInvestigators", F::StringArray},
                     {"creationLocation", F::String},
                     {"startTime", F::Date},
                     {"endTime", F::Date},
                     {"dataFormat", F::String},
                     {"investigator", F::String},
                     {"inputDatasets", F::StringArray},
                     {"usedSoftware", F::StringArray},
                     {"jobParameters", F::Object},
                     {"jobLogData", F::String}});
  return s;
}

struct Alias {
  const char* singular;
  const char* plural;
};
constexpr Alias kAliases[] = {{"proposalId", "proposalIds"},
                              {"sampleId", "sampleIds"},
                              {"instrumentId", "instrumentIds"},
                              {"principalInvestigator", "principalInvestigators"}};

void sync_aliases(json::object& doc) {
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
}

void normalize_dates(json::object& doc) {
  for (const char* f : {"creationTime", "startTime", "endTime"}) {
    if (auto* v = doc.if_contains(f); v && v->is_string())
      if (auto iso = normalize_iso(v->get_string())) *v = json::string(*iso);
  }
}

}  // namespace

std::vector<std::string> validate_dataset(const json::object& body, const std::string& type, bool partial) {
  static const DtoSpec raw = typed_fields(true), derived = typed_fields(false), custom = custom_fields();
  const DtoSpec& spec = type == "raw" ? raw : type == "derived" ? derived : custom;
  // Updates may echo server-managed fields back (the frontend does); a create may not carry
  // a history (upstream refuses it), while the version it may send is ignored.
  static const std::vector<std::string> on_create{"version"};
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
  auto ensure = [&](const char* k, json::value v) {
    if (!doc.contains(k) || doc.at(k).is_null()) doc[k] = std::move(v);
  };
  ensure("isPublished", false);
  ensure("accessGroups", json::array());
  ensure("sharedWith", json::array());
  ensure("keywords", json::array());
  ensure("techniques", json::array());
  ensure("relationships", json::array());
  ensure("size", 0);
  ensure("packedSize", 0);
  ensure("numberOfFiles", 0);
  ensure("numberOfFilesArchived", 0);
  ensure("scientificMetadata", json::object());
  ensure("history", json::array());
  if (!doc.contains("datasetName") && doc.contains("sourceFolder")) {
    // Upstream falls back to the last part of the source folder for a nameless dataset.
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

void normalize_dataset(json::object& doc) {
  sync_aliases(doc);
  normalize_dates(doc);
}

std::string dataset_classification(std::string_view tape_redundancy) {
  return "IN=medium,AV=" + std::string(tape_redundancy) + ",CO=low";
}

json::object dataset_v4_view(json::object doc) {
  for (const auto& a : kAliases) doc.erase(a.singular);
  return doc;
}

}  // namespace openem
