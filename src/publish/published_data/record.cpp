#include "publish/published_data/record.h"

#include <algorithm>

#include "core/json_fields.h"

namespace openem {
namespace json = boost::json;
namespace {

json::object& metadata_of(json::object& record) {
  json::value& m = record["metadata"];
  if (!m.is_object()) m = json::object();
  return m.as_object();
}

// "Ada Lovelace" → given "Ada", family "Lovelace" (upstream's v3 DataCite XML splits names
// the same way); names with a comma ("Lovelace, Ada") or one word are left whole.
json::object creator_from_name(const std::string& name, const std::string& affiliation) {
  json::object c{{"name", name}};
  auto space = name.find(' ');
  if (name.find(',') == std::string::npos && space != std::string::npos && space > 0 && space + 1 < name.size()) {
    c["nameType"] = "Personal";
    c["givenName"] = name.substr(0, space);
    c["familyName"] = name.substr(space + 1);
  }
  if (!affiliation.empty()) c["affiliation"] = json::array{json::object{{"name", affiliation}}};
  return c;
}

std::string identifier_type_of(const std::string& id) {
  if (id.rfind("10.", 0) == 0 || id.find("doi.org/10.") != std::string::npos) return "DOI";
  return "URL";
}

// v3 field → where the stored record keeps it.
const std::vector<std::pair<std::string, std::string>>& v3_metadata_fields() {
  static const std::vector<std::pair<std::string, std::string>> f{
      {"affiliation", "metadata.affiliation"},   {"publicationYear", "metadata.publicationYear"},
      {"url", "metadata.url"},                   {"dataDescription", "metadata.dataDescription"},
      {"resourceType", "metadata.resourceType"}, {"authors", "metadata.authors"},
      {"scicatUser", "metadata.scicatUser"},     {"thumbnail", "metadata.thumbnail"},
      {"downloadLink", "metadata.downloadLink"}, {"pidArray", "datasetPids"},
      {"creator", "metadata.creators.name"},     {"publisher", "metadata.publisher.name"},
      {"relatedPublications", "metadata.relatedIdentifiers.relatedIdentifier"}};
  return f;
}

}  // namespace

const DtoSpec& v3_published_data_spec() {
  static const DtoSpec s{
      {"doi", FieldType::String},           {"affiliation", FieldType::String},
      {"creator", FieldType::StringArray, true}, {"publisher", FieldType::String, true},
      {"publicationYear", FieldType::Integer, true}, {"title", FieldType::NonEmptyString, true},
      {"url", FieldType::String},           {"abstract", FieldType::String, true},
      {"dataDescription", FieldType::String, true}, {"resourceType", FieldType::String, true},
      {"numberOfFiles", FieldType::Number}, {"sizeOfArchive", FieldType::Number},
      {"pidArray", FieldType::StringArray, true}, {"authors", FieldType::StringArray},
      {"registeredTime", FieldType::Date},  {"status", FieldType::String},
      {"scicatUser", FieldType::String},    {"thumbnail", FieldType::String},
      {"relatedPublications", FieldType::StringArray}, {"downloadLink", FieldType::String},
  };
  return s;
}

const DtoSpec& v4_published_data_spec() {
  static const DtoSpec s{
      {"doi", FieldType::String},          {"title", FieldType::NonEmptyString, true},
      {"abstract", FieldType::String, true}, {"datasetPids", FieldType::StringArray, true},
      {"metadata", FieldType::Object},     {"status", FieldType::String},
      {"registeredTime", FieldType::Date}, {"numberOfFiles", FieldType::Number},
      {"sizeOfArchive", FieldType::Number}, {"pid", FieldType::String},
  };
  return s;
}

const std::vector<std::string>& published_data_server_fields() {
  static const std::vector<std::string> f{"_id", "createdAt", "createdBy", "updatedAt", "updatedBy", "__v",
                                          "status", "registeredTime", "numberOfFiles", "sizeOfArchive",
                                          "registration", "pid"};
  return f;
}

void apply_v3_body(json::object& record, const json::object& body) {
  if (auto* t = body.if_contains("title")) record["title"] = *t;
  if (auto* a = body.if_contains("abstract")) record["abstract"] = *a;
  if (auto* p = body.if_contains("pidArray")) record["datasetPids"] = *p;
  json::object& m = metadata_of(record);
  for (const char* k : {"affiliation", "publicationYear", "url", "dataDescription", "resourceType", "authors",
                        "scicatUser", "thumbnail", "downloadLink"})
    if (auto* v = body.if_contains(k)) m[k] = *v;
  if (auto* p = body.if_contains("publisher")) m["publisher"] = json::object{{"name", *p}};
  const std::string affiliation = json_string(m, "affiliation");
  if (auto* c = body.if_contains("creator"); c && c->is_array()) {
    json::array creators;
    std::vector<std::string> seen;  // upstream drops repeated names
    for (const auto& n : c->get_array()) {
      std::string name(n.get_string());
      if (name.empty() || std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
      seen.push_back(name);
      creators.emplace_back(creator_from_name(name, affiliation));
    }
    m["creators"] = std::move(creators);
  }
  if (auto* r = body.if_contains("relatedPublications"); r && r->is_array()) {
    json::array related;
    for (const auto& x : r->get_array()) {
      std::string id(x.get_string());
      if (id.empty()) continue;
      // A publication whose data this is: the dataset is a supplement to the article.
      related.emplace_back(json::object{{"relatedIdentifier", id},
                                        {"relatedIdentifierType", identifier_type_of(id)},
                                        {"relationType", "IsSupplementTo"}});
    }
    m["relatedIdentifiers"] = std::move(related);
  }
}

void apply_v4_body(json::object& record, const json::object& body) {
  for (const char* k : {"title", "abstract", "datasetPids"})
    if (auto* v = body.if_contains(k)) record[k] = *v;
  if (auto* m = body.if_contains("metadata"); m && m->is_object()) record["metadata"] = *m;
}

json::object v3_view(const json::object& record) {
  json::object out;
  const std::string doi = json_string(record, "doi");
  out["_id"] = doi;
  out["doi"] = doi;
  const json::object empty;
  auto* mv = record.if_contains("metadata");
  const json::object& m = mv && mv->is_object() ? mv->get_object() : empty;
  json::array creators;
  if (auto* c = m.if_contains("creators"); c && c->is_array())
    for (const auto& x : c->get_array())
      if (x.is_object()) {
        std::string name = json_string(x.get_object(), "name");
        if (!name.empty()) creators.emplace_back(name);
      }
  out["creator"] = std::move(creators);
  if (auto* p = m.if_contains("publisher")) out["publisher"] = p->is_object() ? json::value(json_string(p->get_object(), "name")) : *p;
  else out["publisher"] = "";
  for (const char* k : {"affiliation", "publicationYear", "url", "dataDescription", "resourceType", "authors",
                        "scicatUser", "thumbnail", "downloadLink"})
    if (auto* v = m.if_contains(k)) out[k] = *v;
  out["title"] = record.contains("title") ? record.at("title") : json::value("");
  out["abstract"] = record.contains("abstract") ? record.at("abstract") : json::value("");
  json::array pids;
  for (const auto& p : dataset_pids_of(record)) pids.emplace_back(p);
  out["pidArray"] = std::move(pids);
  json::array related;
  if (auto* r = m.if_contains("relatedIdentifiers"); r && r->is_array())
    for (const auto& x : r->get_array())
      if (x.is_object() && !json_string(x.get_object(), "relatedIdentifier").empty())
        related.emplace_back(json_string(x.get_object(), "relatedIdentifier"));
  out["relatedPublications"] = std::move(related);
  auto status = json_string(record, "status");
  out["status"] = status == "registered" || status == "amended" ? "registered" : "pending_registration";
  for (const char* k : {"numberOfFiles", "sizeOfArchive", "registeredTime", "createdBy", "updatedBy", "createdAt",
                        "updatedAt", "registration"})
    if (auto* v = record.if_contains(k)) out[k] = *v;
  return out;
}

std::string v3_field_to_stored(const std::string& field) {
  for (const auto& [v3, stored] : v3_metadata_fields())
    if (field == v3 || field.rfind(v3 + ".", 0) == 0) return stored + field.substr(v3.size());
  if (field == "_id") return "doi";
  return field;
}

json::value v3_where_to_stored(const json::value& where) {
  if (where.is_array()) {
    json::array out;
    for (const auto& x : where.get_array()) out.emplace_back(v3_where_to_stored(x));
    return out;
  }
  if (!where.is_object()) return where;
  json::object out;
  for (const auto& [k, v] : where.get_object()) {
    std::string key(k);
    if (!key.empty() && key[0] == '$') {
      out[key] = v3_where_to_stored(v);
    } else if (key == "and" || key == "or" || key == "nor") {
      out[key] = v3_where_to_stored(v);
    } else if (key == "status" && v.is_string()) {
      // The v3 statuses are views of the v4 ones.
      if (v.get_string() == "registered") out["status"] = json::object{{"$in", json::array{"registered", "amended"}}};
      else if (v.get_string() == "pending_registration") out["status"] = json::object{{"$in", json::array{"private", "public"}}};
      else out["status"] = v;
    } else {
      out[v3_field_to_stored(key)] = v;
    }
  }
  return out;
}

std::vector<std::string> dataset_pids_of(const json::object& record) {
  std::vector<std::string> out;
  if (auto* p = record.if_contains("datasetPids"); p && p->is_array())
    for (const auto& x : p->get_array())
      if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

}  // namespace openem
