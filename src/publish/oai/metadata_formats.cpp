#include "publish/oai/metadata_formats.h"

#include <boost/json.hpp>

#include <cstring>

#include "publish/citation.h"
#include "publish/datacite_metadata.h"
#include "publish/markup.h"

namespace openem::oai {
namespace json = boost::json;
namespace {

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

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
  return c.landing_base + "/datasets/" + url_segment(str(ds, "pid"));
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
      if (x.is_object()) element(out, "dc:subject", str(x.get_object(), "name"));
  element(out, "dc:description", str(ds, "description"));
  element(out, "dc:publisher", c.publisher);
  element(out, "dc:date", cite.date.empty() ? cite.year : cite.date);
  element(out, "dc:type", "Dataset");
  element(out, "dc:identifier", url);
  element(out, "dc:identifier", str(ds, "pid"));
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

std::string datacite(const json::object& ds, const MetadataContext& c) {
  DataCiteSubject subject{ds, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "", dataset_url(c, ds), c.publisher};
  std::string resource = datacite_kernel4_xml(subject);
  // The record goes inside another document: without its XML declaration.
  if (resource.rfind("<?xml", 0) == 0) resource.erase(0, resource.find("?>") + 2);
  while (!resource.empty() && (resource.front() == '\n' || resource.front() == '\r')) resource.erase(0, 1);
  return "<oai_datacite xmlns=\"http://schema.datacite.org/oai/oai-1.1/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xsi:schemaLocation=\"http://schema.datacite.org/oai/oai-1.1/ http://schema.datacite.org/oai/oai-1.1/oai.xsd\">"
         "<schemaVersion>4</schemaVersion><datacentreSymbol>" +
         xml_escape(c.datacentre_symbol) + "</datacentreSymbol><payload>" + resource + "</payload></oai_datacite>";
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

}  // namespace openem::oai
