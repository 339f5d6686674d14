#include "publish/oai/metadata_formats.h"

#include <boost/json.hpp>

#include <cstring>
#include <vector>

#include "core/json_fields.h"
#include "publish/citation.h"
#include "publish/datacite_metadata.h"
#include "publish/markup.h"

namespace openem::oai {
namespace json = boost::json;
namespace {

void element(std::string& out, const char* name, std::string_view text) {
  if (text.empty()) return;
  out += "<";
  out += name;
  out += ">";
  out += xml_escape(text);
  out += "</";
  out += name;
  out += ">";
}

std::string dataset_url(const MetadataContext& c, const json::object& ds) {
  return c.landing_base + "/datasets/" + url_segment(json_string(ds, "pid"));
}

std::string dublin_core(const json::object& ds, const MetadataContext& c) {
  const std::string url = dataset_url(c, ds);
  const CitationData cite = citation_of(ds, url, c.publisher);
  std::string out =
      "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">";
  element(out, "dc:title", cite.title);
  for (const auto& creator : cite.creators) element(out, "dc:creator", creator);
  if (auto* k = ds.if_contains("keywords"); k && k->is_array())
    for (const auto& w : k->get_array())
      if (w.is_string()) element(out, "dc:subject", w.get_string());
  if (auto* t = ds.if_contains("techniques"); t && t->is_array())
    for (const auto& x : t->get_array())
      if (x.is_object()) element(out, "dc:subject", json_string(x.get_object(), "name"));
  element(out, "dc:description", json_string(ds, "description"));
  element(out, "dc:publisher", c.publisher);
  element(out, "dc:date", cite.date.empty() ? cite.year : cite.date);
  element(out, "dc:type", "Dataset");
  element(out, "dc:identifier", url);
  element(out, "dc:identifier", json_string(ds, "pid"));
  if (auto* ids = ds.if_contains("proposalIds"); ids && ids->is_array())
    for (const auto& p : ids->get_array())
      if (p.is_string()) element(out, "dc:relation", "proposal " + std::string(p.get_string()));
  if (auto* inputs = ds.if_contains("inputDatasets"); inputs && inputs->is_array())
    for (const auto& p : inputs->get_array())
      if (p.is_string()) element(out, "dc:source", c.landing_base + "/datasets/" + url_segment(p.get_string()));
  element(out, "dc:rights", cite.license);
  out += "</oai_dc:dc>";
  return out;
}

// A kernel-4 resource inside DataCite's oai-1.1 wrapper.
std::string oai_datacite(std::string resource, const MetadataContext& c) {
  // The record goes inside another document: without its XML declaration.
  if (resource.rfind("<?xml", 0) == 0) resource.erase(0, resource.find("?>") + 2);
  while (!resource.empty() && (resource.front() == '\n' || resource.front() == '\r')) resource.erase(0, 1);
  return "<oai_datacite xmlns=\"http://schema.datacite.org/oai/oai-1.1/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xsi:schemaLocation=\"http://schema.datacite.org/oai/oai-1.1/ http://schema.datacite.org/oai/oai-1.1/oai.xsd\">"
         "<schemaVersion>4</schemaVersion><datacentreSymbol>" +
         xml_escape(c.datacentre_symbol) + "</datacentreSymbol><payload>" + resource + "</payload></oai_datacite>";
}

std::string datacite(const json::object& ds, const MetadataContext& c) {
  DataCiteSubject subject{ds, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "", dataset_url(c, ds), c.publisher};
  return oai_datacite(datacite_kernel4_xml(subject), c);
}

// The strings `key` of each object in the array attributes[list].
std::vector<std::string> each(const json::object& a, std::string_view list, std::string_view key) {
  std::vector<std::string> out;
  if (auto* v = a.if_contains(list); v && v->is_array())
    for (const auto& x : v->get_array())
      if (x.is_object())
        if (std::string s = json_string(x.get_object(), key); !s.empty()) out.push_back(std::move(s));
  return out;
}

// Dublin Core of a published-data record, from its DataCite attributes (the DataCite → DC
// crosswalk DataCite's own OAI provider uses: titles, creators, subjects, descriptions,
// publisher, issued date, type, DOI, related identifiers, formats, rights).
std::string record_dublin_core(const json::object& a) {
  std::string out =
      "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">";
  for (const auto& t : each(a, "titles", "title")) element(out, "dc:title", t);
  for (const auto& n : each(a, "creators", "name"))
    if (n != ":unav") element(out, "dc:creator", n);
  for (const auto& s : each(a, "subjects", "subject")) element(out, "dc:subject", s);
  for (const auto& d : each(a, "descriptions", "description")) element(out, "dc:description", d);
  if (auto* p = a.if_contains("publisher"); p && p->is_object()) element(out, "dc:publisher", json_string(p->get_object(), "name"));
  for (const auto& n : each(a, "contributors", "name")) element(out, "dc:contributor", n);
  std::string issued;
  if (auto* dates = a.if_contains("dates"); dates && dates->is_array())
    for (const auto& d : dates->get_array())
      if (d.is_object() && json_string(d.get_object(), "dateType") == "Issued") issued = json_string(d.get_object(), "date");
  if (issued.empty())
    if (auto* y = a.if_contains("publicationYear"); y && y->is_int64()) issued = std::to_string(y->get_int64());
  element(out, "dc:date", issued);
  element(out, "dc:type", "Dataset");
  if (auto* formats = a.if_contains("formats"); formats && formats->is_array())
    for (const auto& f : formats->get_array())
      if (f.is_string()) element(out, "dc:format", f.get_string());
  if (std::string doi = json_string(a, "doi"); !doi.empty()) {
    element(out, "dc:identifier", "https://doi.org/" + doi);
    element(out, "dc:identifier", "doi:" + doi);
  }
  element(out, "dc:identifier", json_string(a, "url"));
  if (auto* rel = a.if_contains("relatedIdentifiers"); rel && rel->is_array())
    for (const auto& r : rel->get_array())
      if (r.is_object()) {
        const auto& o = r.get_object();
        std::string type = json_string(o, "relatedIdentifierType"), id = json_string(o, "relatedIdentifier");
        if (!id.empty()) element(out, "dc:relation", type == "DOI" ? "https://doi.org/" + id : id);
      }
  if (std::string lang = json_string(a, "language"); !lang.empty()) element(out, "dc:language", lang);
  for (const auto& r : each(a, "rightsList", "rightsIdentifier")) element(out, "dc:rights", r);
  out += "</oai_dc:dc>";
  return out;
}

}  // namespace

const std::vector<MetadataFormat>& metadata_formats() {
  static const std::vector<MetadataFormat> formats{
      {"oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"},
      {"oai_datacite", "http://schema.datacite.org/oai/oai-1.1/oai.xsd", "http://schema.datacite.org/oai/oai-1.1/"},
  };
  return formats;
}

const MetadataFormat* find_format(std::string_view prefix) {
  for (const auto& f : metadata_formats())
    if (prefix == f.prefix) return &f;
  return nullptr;
}

std::string dataset_metadata(const MetadataFormat& format, const json::object& ds, const MetadataContext& c) {
  if (std::strcmp(format.prefix, "oai_dc") == 0) return dublin_core(ds, c);
  return datacite(ds, c);
}

std::string record_metadata(const MetadataFormat& format, const json::object& attributes, const MetadataContext& c) {
  if (std::strcmp(format.prefix, "oai_dc") == 0) return record_dublin_core(attributes);
  return oai_datacite(datacite_xml(attributes), c);
}

}  // namespace openem::oai
