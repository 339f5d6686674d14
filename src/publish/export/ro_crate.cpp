#include "publish/export/ro_crate.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>

#include "core/json_fields.h"
#include "publish/datacite/vocabulary.h"

namespace openem {
namespace {

namespace json = boost::json;

const json::object* object_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : it->value().if_object();
}

json::object ref(std::string id) { return json::object{{"@id", std::move(id)}}; }

// An RFC 3339 timestamp's date ("2024-08-31T11:48:16Z" → "2024-08-31"): datePublished is a date.
std::string date_of(const std::string& timestamp) { return timestamp.size() >= 10 ? timestamp.substr(0, 10) : timestamp; }

// Percent-encodes what a relative URI reference may not hold as is (spaces, %, #, ?, non-ASCII).
std::string uri_path(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    bool keep = std::isalnum(c) || std::string_view("-._~/!$&'()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos;
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class Crate {
 public:
  Crate(const ExportSubject& s, const RoCrateContext& c) : subject_(s), context_(c) {}

  json::object build() {
    const json::object& d = subject_.dataset;
    std::string pid = json_string(d, "pid");
    json::object root{{"@id", "./"}, {"@type", "Dataset"}};
    std::string name = json_string(d, "datasetName");
    root["name"] = name.empty() ? (pid.empty() ? std::string("OSC-EM dataset") : pid) : name;
    std::string description = json_string(d, "description");
    root["description"] = description.empty() ? std::string(root["name"].get_string()) : description;
    std::string published = json_string(d, "creationTime");
    root["datePublished"] = date_of(published.empty() ? json_string(d, "createdAt") : published);
    if (root["datePublished"].get_string().empty()) root.erase("datePublished");
    if (!context_.doi.empty()) {
      root["identifier"] = "https://doi.org/" + context_.doi;
    } else if (!pid.empty() && !context_.catalog_url.empty()) {
      root["identifier"] = context_.catalog_url + "/datasets/" + pid;
    }
    add_license(root, json_string(d, "license"));
    if (auto it = d.find("keywords"); it != d.end() && it->value().is_array()) root["keywords"] = it->value();
    if (!context_.publisher.empty()) {
      graph_.push_back(json::object{{"@id", "#publisher"}, {"@type", "Organization"}, {"name", context_.publisher}});
      root["publisher"] = ref("#publisher");
    }
    json::array creators = add_people();
    if (!creators.empty()) root["creator"] = creators;

    json::array parts;
    for (const ExportFile& f : subject_.files) {
      json::object file{{"@id", uri_path(f.path)},
                        {"@type", "File"},
                        {"name", f.path.substr(f.path.rfind('/') == std::string::npos ? 0 : f.path.rfind('/') + 1)},
                        {"contentSize", std::to_string(f.size)},
                        {"encodingFormat", media_type_of(f.path)}};
      if (!f.sha256.empty()) file["sha256"] = f.sha256;
      parts.push_back(ref(uri_path(f.path)));
      graph_.push_back(std::move(file));
    }
    root["hasPart"] = parts;
    if (!subject_.oscem.empty()) root["measurementTechnique"] = technique_name();
    add_acquisition(parts, creators);
    add_derivation(creators);

    json::object descriptor{{"@id", "ro-crate-metadata.json"},
                            {"@type", "CreativeWork"},
                            {"conformsTo", ref("https://w3id.org/ro/crate/1.1")},
                            {"about", ref("./")}};
    json::array graph{descriptor, root};
    for (auto& e : graph_) graph.push_back(std::move(e));
    return json::object{
        {"@context", json::array{"https://w3id.org/ro/crate/1.1/context", json::object{{"sha256", "http://schema.org/sha256"}}}},
        {"@graph", graph}};
  }

 private:
  // RO-Crate 1.1 wants a license on the root; a dataset without one says so rather than
  // claiming the site's default, which applies only once it is published.
  void add_license(json::object& root, const std::string& license) {
    if (license.empty()) {
      graph_.push_back(json::object{{"@id", "#no-license"}, {"@type", "CreativeWork"}, {"name", "No license given"},
                                    {"description", "The dataset has no license yet: reuse needs its owner's permission."}});
      root["license"] = ref("#no-license");
      return;
    }
    auto rights = datacite::rights(license);
    std::string id = rights && rights->contains("rightsUri") ? std::string(rights->at("rightsUri").get_string()) : "#license";
    graph_.push_back(json::object{{"@id", id}, {"@type", "CreativeWork"}, {"name", license},
                                  {"description", "The license of this dataset: " + license}});
    root["license"] = ref(id);
  }

  json::array add_people() {
    json::array refs;
    int n = 0;
    auto add = [&](const std::string& given, const std::string& family, const std::string& email,
                   const std::string& orcid, const std::string& organization) {
      std::string id = datacite::orcid_uri(orcid);
      if (id.empty()) id = "#person-" + std::to_string(++n);
      json::object p{{"@id", id}, {"@type", "Person"}, {"name", given.empty() ? family : given + " " + family}};
      if (!given.empty()) p["givenName"] = given;
      if (!family.empty()) p["familyName"] = family;
      if (!email.empty()) p["email"] = email;
      if (!organization.empty()) {
        std::string org_id = "#organization-" + std::to_string(refs.size() + 1);
        graph_.push_back(json::object{{"@id", org_id}, {"@type", "Organization"}, {"name", organization}});
        p["affiliation"] = ref(org_id);
      }
      graph_.push_back(std::move(p));
      refs.push_back(ref(id));
    };
    const json::object* organizational = object_at(subject_.oscem, "organizational");
    if (organizational) {
      if (auto it = organizational->find("authors"); it != organizational->end() && it->value().is_array()) {
        for (const json::value& a : it->value().get_array()) {
          const json::object* o = a.if_object();
          if (!o) continue;
          std::string given = json_string(*o, "given_name").empty() ? json_string(*o, "first_name") : json_string(*o, "given_name");
          std::string family = json_string(*o, "family_name").empty() ? json_string(*o, "name") : json_string(*o, "family_name");
          if (!family.empty()) add(given, family, json_string(*o, "email"), json_string(*o, "orcid"), json_string(*o, "name_org"));
        }
      }
    }
    if (refs.empty()) {
      std::string pi = json_string(subject_.dataset, "principalInvestigator");
      if (pi.empty()) pi = json_string(subject_.dataset, "owner");
      if (!pi.empty()) add("", pi, json_string(subject_.dataset, "contactEmail"), json_string(subject_.dataset, "orcidOfOwner"), "");
    }
    return refs;
  }

  std::string technique_name() const {
    const json::object* acquisition = object_at(subject_.oscem, "acquisition");
    std::string t = acquisition ? json_string(*acquisition, "technique") : "";
    if (t == "spa") return "cryo-EM single-particle analysis";
    if (t == "subtomo") return "cryo-electron tomography, subtomogram averaging";
    if (t == "cellular_tomo" || t == "env_tomo") return "cryo-electron tomography";
    return "electron microscopy";
  }

  // The session: the microscope recorded the sample into the files.
  void add_acquisition(const json::array& files, const json::array& creators) {
    const json::object* instrument = object_at(subject_.oscem, "instrument");
    if (!instrument && files.empty()) return;
    json::object action{{"@id", "#acquisition"}, {"@type", "CreateAction"}, {"name", "Data acquisition"}};
    if (instrument) {
      json::object microscope{{"@id", "#instrument"}, {"@type", "IndividualProduct"}};
      std::string model, manufacturer;
      if (const json::object* m = object_at(*instrument, "microscope")) {
        model = json_string(*m, "model");
        manufacturer = json_string(*m, "manufacturer");
      } else {
        model = json_string(*instrument, "microscope");
      }
      microscope["name"] = model.empty() ? "Electron microscope" : model;
      if (!model.empty()) microscope["model"] = model;
      if (!manufacturer.empty()) microscope["manufacturer"] = manufacturer;
      std::string instrument_id = json_string(subject_.dataset, "instrumentId");
      if (!instrument_id.empty()) microscope["identifier"] = instrument_id;
      graph_.push_back(std::move(microscope));
      action["instrument"] = ref("#instrument");
    }
    const json::object* sample = object_at(subject_.oscem, "sample");
    std::string sample_id = json_string(subject_.dataset, "sampleId");
    if (sample || !sample_id.empty()) {
      json::object thing{{"@id", "#sample"}, {"@type", "Thing"}};
      std::string name = sample ? json_string(*sample, "name") : "";
      thing["name"] = name.empty() ? (sample_id.empty() ? std::string("Sample") : sample_id) : name;
      if (sample && !json_string(*sample, "description").empty()) thing["description"] = json_string(*sample, "description");
      if (!sample_id.empty()) thing["identifier"] = sample_id;
      graph_.push_back(std::move(thing));
      action["object"] = ref("#sample");
    }
    if (!files.empty()) action["result"] = files;
    if (!creators.empty()) action["agent"] = creators.front();
    const json::object* acquisition = object_at(subject_.oscem, "acquisition");
    std::string when = acquisition ? json_string(*acquisition, "date_time") : "";
    if (!when.empty()) action["endTime"] = when;
    graph_.push_back(std::move(action));
  }

  // raw → derived: the inputs and the software that made this dataset.
  void add_derivation(const json::array& creators) {
    const json::object& d = subject_.dataset;
    auto inputs = d.find("inputDatasets");
    if (inputs == d.end() || !inputs->value().is_array() || inputs->value().get_array().empty()) return;
    json::object action{{"@id", "#derivation"}, {"@type", "CreateAction"}, {"name", "Data processing"},
                        {"result", ref("./")}};
    json::array objects;
    for (const json::value& input : inputs->value().get_array()) {
      if (!input.is_string()) continue;
      std::string id = context_.catalog_url.empty() ? "#dataset-" + std::string(input.get_string())
                                                    : context_.catalog_url + "/datasets/" + std::string(input.get_string());
      graph_.push_back(json::object{{"@id", id}, {"@type", "Dataset"}, {"name", std::string(input.get_string())}});
      objects.push_back(ref(id));
    }
    action["object"] = objects;
    json::array software;
    if (auto used = d.find("usedSoftware"); used != d.end() && used->value().is_array()) {
      int n = 0;
      for (const json::value& s : used->value().get_array()) {
        if (!s.is_string()) continue;
        std::string id = "#software-" + std::to_string(++n);
        graph_.push_back(json::object{{"@id", id}, {"@type", "SoftwareApplication"}, {"name", std::string(s.get_string())}});
        software.push_back(ref(id));
      }
    }
    if (!software.empty()) action["instrument"] = software;
    if (!creators.empty()) action["agent"] = creators.front();
    graph_.push_back(std::move(action));
  }

  const ExportSubject& subject_;
  const RoCrateContext& context_;
  json::array graph_;
};

}  // namespace

std::string media_type_of(const std::string& path) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto dot = lower.rfind('.');
  std::string ext = dot == std::string::npos ? "" : lower.substr(dot + 1);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kTypes{{
      {"tif", "image/tiff"}, {"tiff", "image/tiff"}, {"png", "image/png"}, {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"}, {"json", "application/json"}, {"xml", "application/xml"}, {"txt", "text/plain"},
      {"mdoc", "text/plain"}, {"cif", "chemical/x-mmcif"}, {"mrc", "application/x-mrc"}, {"mrcs", "application/x-mrc"},
  }};
  for (auto [e, type] : kTypes) {
    if (e == ext) return std::string(type);
  }
  return "application/octet-stream";
}

json::object ro_crate_metadata(const ExportSubject& subject, const RoCrateContext& context) {
  return Crate(subject, context).build();
}

}  // namespace openem
