#include "publish/datacite_metadata.h"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "core/json_fields.h"
#include "core/time.h"
#include "publish/datacite/vocabulary.h"
#include "publish/key_parameters.h"
#include "publish/markup.h"

namespace openem {
namespace json = boost::json;
namespace dc = datacite;
namespace {

const json::object kEmpty;

const json::object& obj(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_object() ? v->get_object() : kEmpty;
}

const json::array* arr(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

std::vector<std::string> strings(const json::object& o, std::string_view k) {
  std::vector<std::string> out;
  if (auto* a = arr(o, k))
    for (const auto& x : *a)
      if (x.is_string() && !x.get_string().empty()) out.emplace_back(x.get_string());
  return out;
}

bool uri_ok(const std::string& s) {
  return !s.empty() && s.size() < 2000 && std::none_of(s.begin(), s.end(), [](unsigned char c) { return c <= 0x20; });
}

// A person's name as written ("Ada Lovelace"), not an e-mail address or an account.
bool looks_like_a_name(const std::string& s) { return !s.empty() && s.find('@') == std::string::npos && s.find(' ') != std::string::npos; }

std::string day_of(const std::string& iso) { return iso.size() >= 10 && parse_iso(iso) ? iso.substr(0, 10) : ""; }

// --- creators and contributors

json::object person_from_names(const std::string& given, const std::string& family) {
  json::object p{{"name", given.empty() ? family : family + ", " + given}, {"nameType", "Personal"}, {"familyName", family}};
  if (!given.empty()) p["givenName"] = given;
  return p;
}

json::array people(const json::array* given, bool contributors) {
  json::array out;
  if (!given) return out;
  for (const auto& v : *given)
    if (auto p = dc::person(v, contributors)) out.emplace_back(std::move(*p));
  return out;
}

// When the record names no creators: the principal investigators of the proposals, then the
// datasets' principal investigators and owners when those are names.
json::array creators_from_catalog(const DataCiteContext& c) {
  json::array out;
  std::set<std::string> seen;
  auto add = [&](json::object p) {
    if (seen.insert(json_string(p, "name")).second) out.emplace_back(std::move(p));
  };
  for (const auto& [id, proposal] : c.proposals) {
    std::string family = json_string(proposal, "pi_lastname"), given = json_string(proposal, "pi_firstname");
    if (!family.empty()) add(person_from_names(given, family));
  }
  for (const auto& ds : c.datasets)
    for (const char* k : {"principalInvestigator", "owner"})
      if (std::string n = json_string(ds, k); looks_like_a_name(n)) add(*dc::person(json::value(n), false));
  if (out.empty()) out.emplace_back(json::object{{"name", ":unav"}});  // DataCite's code for "unavailable"
  return out;
}

// --- the other properties

json::array subjects(const json::object& m, const DataCiteContext& c) {
  json::array out;
  std::set<std::string> seen;
  auto add = [&](const std::string& text, json::object extra) {
    if (text.empty() || !seen.insert(text).second) return;
    extra["subject"] = text;
    out.emplace_back(std::move(extra));
  };
  if (auto* given = arr(m, "subjects"))
    for (const auto& s : *given) {
      if (s.is_string()) add(std::string(s.get_string()), {});
      else if (s.is_object()) {
        json::object extra;
        for (const char* k : {"subjectScheme", "schemeUri", "valueUri", "classificationCode"})
          if (std::string v = json_string(s.get_object(), k); !v.empty() && (k == std::string("subjectScheme") || k == std::string("classificationCode") || uri_ok(v)))
            extra[k] = v;
        add(json_string(s.get_object(), "subject"), std::move(extra));
      }
    }
  for (const auto& ds : c.datasets) {
    for (const auto& k : strings(ds, "keywords")) add(k, {});
    if (auto* t = arr(ds, "techniques"))
      for (const auto& x : *t)
        if (x.is_object()) {
          json::object extra;
          if (std::string pid = json_string(x.get_object(), "pid"); pid.rfind("http", 0) == 0 && uri_ok(pid)) extra["valueUri"] = pid;
          add(json_string(x.get_object(), "name"), std::move(extra));
        }
  }
  return out;
}

json::array dates(const json::object& record, const json::object& m, const DataCiteContext& c) {
  json::array out;
  std::set<std::string> types;
  if (auto* given = arr(m, "dates"))
    for (const auto& d : *given)
      if (d.is_object() && !json_string(d.get_object(), "date").empty()) {
        std::string type = json_string(d.get_object(), "dateType");
        json::object e{{"date", json_string(d.get_object(), "date")}, {"dateType", dc::is_date_type(type) ? type : "Other"}};
        if (std::string info = json_string(d.get_object(), "dateInformation"); !info.empty()) e["dateInformation"] = info;
        types.insert(e["dateType"].as_string().c_str());
        out.emplace_back(std::move(e));
      }
  auto add = [&](const std::string& date, const char* type) {
    if (!date.empty() && types.insert(type).second) out.emplace_back(json::object{{"date", date}, {"dateType", type}});
  };
  add(day_of(json_string(record, "registeredTime")), "Issued");
  std::string created, start, end;
  for (const auto& ds : c.datasets) {
    std::string t = day_of(json_string(ds, "creationTime"));
    if (!t.empty() && (created.empty() || t < created)) created = t;
    std::string s = day_of(json_string(ds, "startTime")), e = day_of(json_string(ds, "endTime"));
    if (!s.empty() && (start.empty() || s < start)) start = s;
    if (!e.empty() && e > end) end = e;
  }
  add(created, "Created");
  if (!start.empty()) add(end.empty() || end == start ? start : start + "/" + end, "Collected");
  if (std::string pub = day_of(json_string(c.datasets.empty() ? kEmpty : obj(c.datasets.front(), "datasetlifecycle"), "publishedOn"));
      !pub.empty() && json_string(record, "registeredTime").empty())
    add(pub, "Available");
  return out;
}

json::array related_identifiers(const json::object& m, const DataCiteContext& c, bool record) {
  json::array out;
  std::set<std::string> seen;
  auto add = [&](std::string id, std::string type, const std::string& relation) {
    if (type == "DOI") {
      std::string doi = dc::bare_doi(id);
      if (doi.empty()) type = "URL";
      else id = doi;
    }
    if (id.empty() || !dc::is_related_identifier_type(type) || !dc::is_relation_type(relation)) return;
    if (!seen.insert(type + " " + id + " " + relation).second) return;
    out.emplace_back(json::object{{"relatedIdentifier", id}, {"relatedIdentifierType", type}, {"relationType", relation}});
  };
  if (auto* given = arr(m, "relatedIdentifiers"))
    for (const auto& r : *given)
      if (r.is_object())
        add(json_string(r.get_object(), "relatedIdentifier"), json_string(r.get_object(), "relatedIdentifierType"),
            json_string(r.get_object(), "relationType"));
  auto page = [&](const std::string& pid) { return c.catalog_url + "/datasets/" + url_segment(pid); };
  if (record)
    for (const auto& ds : c.datasets) add(page(json_string(ds, "pid")), "URL", "HasPart");
  for (const auto& pid : c.public_sources) add(page(pid), "URL", "IsDerivedFrom");
  for (const auto& pid : c.public_derived) add(page(pid), "URL", "IsSourceOf");
  for (const auto& pid : c.public_previous_versions) add(page(pid), "URL", "IsNewVersionOf");
  for (const auto& pid : c.public_newer_versions) add(page(pid), "URL", "IsPreviousVersionOf");
  return out;
}

json::array sizes(const json::object& record, const json::object& m, const DataCiteContext& c) {
  json::array out;
  for (const auto& s : strings(m, "sizes")) out.emplace_back(s);
  auto number = [](const json::object& o, const char* k) -> std::int64_t {
    auto* v = o.if_contains(k);
    return v && v->is_number() ? v->to_number<std::int64_t>() : -1;
  };
  std::int64_t files = number(record, "numberOfFiles"), bytes = number(record, "sizeOfArchive");
  if (files < 0 && bytes < 0 && c.datasets.size() == 1) files = number(c.datasets[0], "numberOfFiles"), bytes = number(c.datasets[0], "size");
  if (files >= 0) out.emplace_back(std::to_string(files) + (files == 1 ? " file" : " files"));
  if (bytes >= 0) out.emplace_back(std::to_string(bytes) + " bytes");
  return out;
}

json::array formats(const json::object& m, const DataCiteContext& c) {
  json::array out;
  std::set<std::string> seen;
  for (const auto& f : strings(m, "formats"))
    if (seen.insert(f).second) out.emplace_back(f);
  for (const auto& f : c.formats)
    if (seen.insert(f).second) out.emplace_back(f);
  return out;
}

json::array rights_list(const json::object& m, const DataCiteContext& c) {
  json::array out;
  std::set<std::string> seen;
  auto add = [&](std::optional<json::object> r) {
    if (r && seen.insert(json_string(*r, "rights")).second) out.emplace_back(std::move(*r));
  };
  if (auto* given = arr(m, "rightsList"))
    for (const auto& r : *given) {
      if (!r.is_object()) continue;
      const auto& o = r.get_object();
      std::string id = json_string(o, "rightsIdentifier");
      if (!id.empty()) add(dc::rights(id));
      else if (std::string uri = json_string(o, "rightsUri"); uri.find("spdx.org/licenses/") != std::string::npos) add(dc::rights(uri));
      else if (!json_string(o, "rights").empty()) {
        json::object e{{"rights", json_string(o, "rights")}};
        if (uri_ok(uri)) e["rightsUri"] = uri;
        add(std::move(e));
      }
    }
  for (const auto& ds : c.datasets) add(dc::rights(json_string(ds, "license")));
  return out;
}

// "Microscope: Titan Krios; Acceleration voltage: 300 kV; ..." from the OSC-EM metadata, with
// the instrument and the sample.
std::string technical_info(const json::object& ds, const DataCiteContext& c) {
  std::string out;
  auto add = [&](const std::string& name, const std::string& value) {
    if (value.empty()) return;
    out += (out.empty() ? "" : "; ") + name + ": " + value;
  };
  for (const auto& id : strings(ds, "instrumentIds"))
    if (auto it = c.instruments.find(id); it != c.instruments.end()) add("Instrument", json_string(it->second, "name"));
  for (const auto& id : strings(ds, "sampleIds"))
    if (auto it = c.samples.find(id); it != c.samples.end()) add("Sample", json_string(it->second, "description"));
  for (const auto& p : key_parameters(obj(ds, "scientificMetadata")))
    add(p.name, p.unit.empty() ? p.value : p.value + " " + p.unit);
  return out;
}

json::array descriptions(const std::string& abstract, const json::object& m, const DataCiteContext& c) {
  json::array out;
  if (!abstract.empty()) out.emplace_back(json::object{{"description", abstract}, {"descriptionType", "Abstract"}});
  if (std::string d = json_string(m, "dataDescription"); !d.empty())
    out.emplace_back(json::object{{"description", d}, {"descriptionType", "Other"}});
  if (auto* given = arr(m, "descriptions"))
    for (const auto& d : *given)
      if (d.is_object() && !json_string(d.get_object(), "description").empty()) {
        std::string type = json_string(d.get_object(), "descriptionType");
        out.emplace_back(json::object{{"description", json_string(d.get_object(), "description")},
                                      {"descriptionType", dc::is_description_type(type) ? type : "Other"}});
      }
  for (const auto& ds : c.datasets) {
    std::string info = technical_info(ds, c);
    if (info.empty()) continue;
    if (c.datasets.size() > 1) info = (json_string(ds, "datasetName").empty() ? json_string(ds, "pid") : json_string(ds, "datasetName")) + " — " + info;
    out.emplace_back(json::object{{"description", info}, {"descriptionType", "TechnicalInfo"}});
  }
  return out;
}

json::object funding(const json::object& f) {
  json::object out{{"funderName", json_string(f, "funderName")}};
  std::string id = json_string(f, "funderIdentifier"), type = json_string(f, "funderIdentifierType");
  if (!id.empty()) {
    if (type.empty()) type = !dc::ror_uri(id).empty() ? "ROR" : id.find("10.13039/") != std::string::npos ? "Crossref Funder ID" : "Other";
    out["funderIdentifier"] = id;
    out["funderIdentifierType"] = dc::is_funder_identifier_type(type) ? type : "Other";
  }
  for (const char* k : {"awardNumber", "awardTitle"})
    if (std::string v = json_string(f, k); !v.empty()) out[k] = v;
  if (std::string uri = json_string(f, "awardUri"); uri_ok(uri) && out.contains("awardNumber")) out["awardUri"] = uri;
  return out;
}

json::array funding_references(const json::object& m, const DataCiteContext& c) {
  json::array out;
  std::set<std::string> seen;
  auto add_all = [&](const json::array* list) {
    if (!list) return;
    for (const auto& f : *list)
      if (f.is_object() && !json_string(f.get_object(), "funderName").empty()) {
        json::object e = funding(f.get_object());
        if (seen.insert(json::serialize(e)).second) out.emplace_back(std::move(e));
      }
  };
  add_all(arr(m, "fundingReferences"));
  // Proposals carry their grants in metadata (facility-defined; openem reads these two keys).
  for (const auto& [id, proposal] : c.proposals) {
    add_all(arr(obj(proposal, "metadata"), "fundingReferences"));
    add_all(arr(obj(proposal, "metadata"), "funding"));
  }
  return out;
}

json::array geo_locations(const json::object& m) {
  json::array out;
  if (auto* given = arr(m, "geoLocations"))
    for (const auto& g : *given) {
      if (!g.is_object()) continue;
      json::object e;
      if (std::string place = json_string(g.get_object(), "geoLocationPlace"); !place.empty()) e["geoLocationPlace"] = place;
      const auto& point = obj(g.get_object(), "geoLocationPoint");
      auto* lon = point.if_contains("pointLongitude");
      auto* lat = point.if_contains("pointLatitude");
      if (lon && lat && lon->is_number() && lat->is_number()) {
        double x = lon->to_number<double>(), y = lat->to_number<double>();
        if (x >= -180 && x <= 180 && y >= -90 && y <= 90)
          e["geoLocationPoint"] = json::object{{"pointLongitude", x}, {"pointLatitude", y}};
      }
      if (!e.empty()) out.emplace_back(std::move(e));
    }
  return out;
}

bool is_language_tag(const std::string& s) {
  if (s.empty() || s.size() > 35 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isalnum(ch) || ch == '-'; });
}

std::string year_of(const json::object& record, const json::object& m, const DataCiteContext& c) {
  if (auto* y = m.if_contains("publicationYear")) {
    std::string text = y->is_number() ? std::to_string(y->to_number<std::int64_t>()) : y->is_string() ? std::string(y->get_string()) : "";
    if (text.size() == 4 && std::all_of(text.begin(), text.end(), ::isdigit)) return text;
  }
  if (std::string r = json_string(record, "registeredTime"); r.size() >= 4) return r.substr(0, 4);
  if (!c.datasets.empty()) {
    std::string pub = json_string(obj(c.datasets.front(), "datasetlifecycle"), "publishedOn");
    if (pub.empty()) pub = json_string(c.datasets.front(), "creationTime");
    if (pub.size() >= 4 && parse_iso(pub)) return pub.substr(0, 4);
  }
  return now_iso().substr(0, 4);
}

json::object put_if(json::object a, const char* key, json::array value) {
  if (!value.empty()) a[key] = std::move(value);
  return a;
}

// The attributes both builders share; `record` is empty for a dataset.
json::object build(const json::object& record, const json::object& m, const std::string& title,
                   const std::string& abstract, const std::string& resource_type, const DataCiteContext& c) {
  json::object a;
  if (std::string doi = json_string(record, "doi"); !doi.empty()) a["doi"] = doi;
  a["url"] = c.landing_url;
  json::array creators = people(arr(m, "creators"), false);
  a["creators"] = creators.empty() ? creators_from_catalog(c) : std::move(creators);
  a["titles"] = json::array{json::object{{"title", title.empty() ? std::string(":unas") : title}}};
  json::object publisher{{"name", c.publisher.empty() ? std::string(":unav") : c.publisher}};
  if (auto* p = m.if_contains("publisher")) {
    if (p->is_string() && !p->get_string().empty()) publisher["name"] = p->get_string();
    else if (p->is_object() && !json_string(p->get_object(), "name").empty()) {
      publisher["name"] = json_string(p->get_object(), "name");
      for (const char* k : {"publisherIdentifier", "publisherIdentifierScheme"})
        if (std::string v = json_string(p->get_object(), k); !v.empty()) publisher[k] = v;
      if (std::string v = json_string(p->get_object(), "schemeUri"); uri_ok(v)) publisher["schemeUri"] = v;
    }
  }
  a["publisher"] = std::move(publisher);
  a["publicationYear"] = std::stoi(year_of(record, m, c));
  a["types"] = json::object{{"resourceTypeGeneral", "Dataset"}, {"resourceType", resource_type}};
  a = put_if(std::move(a), "subjects", subjects(m, c));
  a = put_if(std::move(a), "contributors", people(arr(m, "contributors"), true));
  a = put_if(std::move(a), "dates", dates(record, m, c));
  if (std::string lang = json_string(m, "language"); is_language_tag(lang)) a["language"] = lang;
  a = put_if(std::move(a), "relatedIdentifiers", related_identifiers(m, c, !record.empty()));
  a = put_if(std::move(a), "sizes", sizes(record, m, c));
  a = put_if(std::move(a), "formats", formats(m, c));
  if (std::string v = json_string(m, "version"); !v.empty()) a["version"] = v;
  a = put_if(std::move(a), "rightsList", rights_list(m, c));
  a = put_if(std::move(a), "descriptions", descriptions(abstract, m, c));
  a = put_if(std::move(a), "geoLocations", geo_locations(m));
  a = put_if(std::move(a), "fundingReferences", funding_references(m, c));
  return a;
}

}  // namespace

json::object datacite_record_attributes(const json::object& record, const DataCiteContext& c) {
  const json::object& m = obj(record, "metadata");
  std::string type = json_string(m, "resourceType");
  if (type.empty() && !c.datasets.empty()) type = json_string(c.datasets.front(), "type");
  DataCiteContext with_landing = c;
  // metadata.landingPage: the site's own landing page server, as upstream ("https://" + it + doi).
  if (std::string lp = json_string(m, "landingPage"); !lp.empty() && uri_ok(lp))
    with_landing.landing_url = (lp.rfind("http", 0) == 0 ? lp : "https://" + lp) + url_segment(json_string(record, "doi"));
  return build(record, m, json_string(record, "title"), json_string(record, "abstract"), type, with_landing);
}

json::object datacite_dataset_attributes(const json::object& dataset, const DataCiteContext& c) {
  DataCiteContext with_dataset = c;
  if (with_dataset.datasets.empty()) with_dataset.datasets.push_back(dataset);
  std::string title = json_string(dataset, "datasetName");
  if (title.empty()) title = json_string(dataset, "pid");
  return build(kEmpty, kEmpty, title, json_string(dataset, "description"), json_string(dataset, "type"), with_dataset);
}

std::string datacite_kernel4_xml(const DataCiteSubject& s) { return datacite_xml(datacite_attributes(s)); }

json::object datacite_attributes(const DataCiteSubject& s) {
  DataCiteContext c;
  c.publisher = s.publisher;
  c.landing_url = s.landing_url;
  c.datasets.push_back(s.dataset);
  if (s.proposal) c.proposals[json_string(*s.proposal, "proposalId")] = *s.proposal;
  if (s.sample) c.samples[json_string(*s.sample, "sampleId")] = *s.sample;
  if (s.instrument) c.instruments[json_string(*s.instrument, "pid")] = *s.instrument;
  json::object a = datacite_dataset_attributes(s.dataset, c);
  if (!s.doi.empty()) a["doi"] = s.doi;
  return a;
}

}  // namespace openem
