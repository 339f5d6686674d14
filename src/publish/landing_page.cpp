#include "publish/landing_page.h"

#include <boost/json.hpp>

#include "core/human_bytes.h"
#include "core/json_fields.h"
#include "publish/citation.h"
#include "publish/key_parameters.h"
#include "publish/markup.h"

namespace openem {
namespace json = boost::json;
namespace {

std::vector<std::string> strings(const json::object& o, std::string_view k) { return json_strings(o, k); }

std::string lifecycle(const json::object& ds, std::string_view k) {
  auto* lc = ds.if_contains("datasetlifecycle");
  return lc && lc->is_object() ? json_string(lc->get_object(), k) : std::string();
}

// SPDX identifiers become their license page; anything else is shown as given.
std::string license_url(const std::string& license) {
  if (license.empty() || license.find(' ') != std::string::npos || license.find('/') != std::string::npos) return "";
  return "https://spdx.org/licenses/" + license + ".html";
}

std::string row(const std::string& name, const std::string& html_value) {
  return "<tr><th scope=\"row\">" + html_escape(name) + "</th><td>" + html_value + "</td></tr>\n";
}

}  // namespace

std::string dataset_url(const LandingContext& c, const std::string& pid) {
  return c.base_url + "/datasets/" + url_segment(pid);
}

json::object dataset_jsonld(const json::object& ds, const LandingContext& c) {
  const std::string pid = json_string(ds, "pid"), url = dataset_url(c, pid);
  CitationData cite = citation_of(ds, url, c.site_name);
  json::array creators;
  for (const auto& name : cite.creators) creators.emplace_back(json::object{{"@type", "Person"}, {"name", name}});
  if (creators.empty()) creators.emplace_back(json::object{{"@type", "Organization"}, {"name", c.site_name}});
  json::object ld{{"@context", "https://schema.org/"},
                  {"@type", "Dataset"},
                  {"@id", url},
                  {"name", cite.title},
                  {"description", json_string(ds, "description").empty() ? cite.title : json_string(ds, "description")},
                  {"identifier", pid},
                  {"url", url},
                  {"creator", std::move(creators)},
                  {"isAccessibleForFree", true},
                  {"includedInDataCatalog", json::object{{"@type", "DataCatalog"}, {"name", c.site_name},
                                                         {"url", c.base_url + "/"}}}};
  if (std::string l = json_string(ds, "license"); !l.empty()) ld["license"] = license_url(l).empty() ? l : license_url(l);
  if (!lifecycle(ds, "publishedOn").empty()) ld["datePublished"] = lifecycle(ds, "publishedOn").substr(0, 10);
  if (!json_string(ds, "creationTime").empty()) ld["dateCreated"] = json_string(ds, "creationTime");
  if (!json_string(ds, "updatedAt").empty()) ld["dateModified"] = json_string(ds, "updatedAt");
  json::array keywords;
  for (const auto& k : strings(ds, "keywords")) keywords.emplace_back(k);
  if (!keywords.empty()) ld["keywords"] = std::move(keywords);
  json::array techniques;
  if (auto* t = ds.if_contains("techniques"); t && t->is_array())
    for (const auto& x : t->get_array())
      if (x.is_object() && !json_string(x.get_object(), "name").empty()) techniques.emplace_back(json_string(x.get_object(), "name"));
  if (techniques.empty()) techniques.emplace_back("electron microscopy");
  ld["measurementTechnique"] = std::move(techniques);
  json::array measured;
  if (auto* sm = ds.if_contains("scientificMetadata"); sm && sm->is_object())
    for (const auto& p : key_parameters(sm->get_object())) {
      json::object v{{"@type", "PropertyValue"}, {"name", p.name}, {"propertyID", p.path}};
      if (p.number) v["value"] = *p.number;
      else v["value"] = p.value;
      if (!p.unit.empty()) v["unitText"] = p.unit;
      measured.emplace_back(std::move(v));
    }
  if (!measured.empty()) ld["variableMeasured"] = std::move(measured);
  ld["distribution"] = json::array{json::object{{"@type", "DataDownload"},
                                                {"encodingFormat", "application/x-tar"},
                                                {"contentUrl", c.base_url + "/api/v3/Datasets/" + url_segment(pid) + "/download"}}};
  if (auto* size = ds.if_contains("size"); size && size->is_number() && size->to_number<std::int64_t>() > 0)
    ld["distribution"].as_array()[0].as_object()["contentSize"] = human_bytes(size->to_number<double>());
  return ld;
}

std::string landing_content(const json::object& ds, const LandingContext& c) {
  const std::string pid = json_string(ds, "pid"), url = dataset_url(c, pid);
  CitationData cite = citation_of(ds, url, c.site_name);
  std::string h = "<article class=\"landing\" itemscope>\n<h1>" + html_escape(cite.title) + "</h1>\n";
  if (!cite.creators.empty()) {
    h += "<p class=\"creators\">";
    for (std::size_t i = 0; i < cite.creators.size(); ++i) h += (i ? ", " : "") + html_escape(cite.creators[i]);
    h += "</p>\n";
  }
  if (std::string d = json_string(ds, "description"); !d.empty()) h += "<section><h2>Abstract</h2><p>" + html_escape(d) + "</p></section>\n";
  h += "<section><h2>Cite as</h2><p class=\"citation\">" + html_escape(citation_text(cite)) + "</p>";
  h += "<p>Other formats: ";
  const std::string base = "/datasets/" + url_segment(pid) + "?format=";
  for (auto [label, fmt] : {std::pair{"BibTeX", "bibtex"}, {"RIS", "ris"}, {"CFF", "cff"}, {"DataCite XML", "datacite-xml"},
                            {"JSON-LD", "jsonld"}})
    h += "<a href=\"" + html_escape(base + fmt) + "\">" + label + "</a> ";
  h += "</p></section>\n<section><h2>About this dataset</h2>\n<table>\n";
  h += row("Identifier", html_escape(pid));
  if (std::string l = json_string(ds, "license"); !l.empty()) {
    std::string link = license_url(l);
    h += row("License", link.empty() ? html_escape(l) : "<a rel=\"license\" href=\"" + html_escape(link) + "\">" + html_escape(l) + "</a>");
  }
  if (!json_string(ds, "creationTime").empty()) h += row("Created", html_escape(json_string(ds, "creationTime").substr(0, 10)));
  if (!lifecycle(ds, "publishedOn").empty()) h += row("Published", html_escape(lifecycle(ds, "publishedOn").substr(0, 10)));
  if (!json_string(ds, "creationLocation").empty()) h += row("Instrument", html_escape(json_string(ds, "creationLocation")));
  if (!json_string(ds, "type").empty()) h += row("Type", html_escape(json_string(ds, "type")));
  for (const auto& k : strings(ds, "proposalIds")) h += row("Proposal", html_escape(k));
  for (const auto& k : strings(ds, "sampleIds")) h += row("Sample", html_escape(k));
  if (auto kw = strings(ds, "keywords"); !kw.empty()) {
    std::string list;
    for (const auto& k : kw) list += (list.empty() ? "" : ", ") + html_escape(k);
    h += row("Keywords", list);
  }
  h += "</table>\n</section>\n";
  if (auto* sm = ds.if_contains("scientificMetadata"); sm && sm->is_object()) {
    auto params = key_parameters(sm->get_object());
    if (!params.empty()) {
      h += "<section><h2>Acquisition</h2>\n<table>\n";
      for (const auto& p : params) h += row(p.name, html_escape(p.value + (p.unit.empty() ? "" : " " + p.unit)));
      h += "</table>\n</section>\n";
    }
  }
  h += "<section><h2>Files</h2>\n<p>" + std::to_string(c.file_count) + (c.file_count == 1 ? " file" : " files");
  if (auto* size = ds.if_contains("size"); size && size->is_number())
    h += ", " + html_escape(human_bytes(size->to_number<double>()));
  h += ". <a href=\"/api/v3/Datasets/" + html_escape(url_segment(pid)) + "/download\" download>Download all (tar)</a></p>\n";
  if (!c.files.empty()) {
    h += "<ul class=\"files\">\n";
    for (const auto& [path, size] : c.files) {
      std::string href = "/api/v3/Datasets/" + url_segment(pid) + "/files";
      std::size_t pos = 0;
      while (pos <= path.size()) {  // each segment encoded, '/' kept
        std::size_t slash = path.find('/', pos);
        if (slash == std::string::npos) slash = path.size();
        href += "/" + url_segment(std::string_view(path).substr(pos, slash - pos));
        pos = slash + 1;
      }
      h += "<li><a href=\"" + html_escape(href) + "\">" + html_escape(path) + "</a> (" + html_escape(human_bytes(static_cast<double>(size))) + ")</li>\n";
    }
    if (c.file_count > static_cast<std::int64_t>(c.files.size()))
      h += "<li>… and " + std::to_string(c.file_count - static_cast<std::int64_t>(c.files.size())) + " more</li>\n";
    h += "</ul>\n";
  }
  h += "</section>\n";
  if (c.versions.size() > 1) {
    const std::string self = json_string(ds, "pid");
    h += "<section><h2>Versions</h2><ul class=\"versions\">\n";
    for (const auto& [pid, number] : c.versions) {
      const std::string label = "Version " + std::to_string(number);
      if (pid == self) h += "<li aria-current=\"page\"><strong>" + label + "</strong> (this version)</li>\n";
      else h += "<li><a href=\"/datasets/" + html_escape(url_segment(pid)) + "\">" + label + "</a></li>\n";
    }
    h += "</ul></section>\n";
  }
  if (auto inputs = strings(ds, "inputDatasets"); !inputs.empty()) {
    h += "<section><h2>Derived from</h2><ul>\n";
    for (const auto& in : inputs)
      h += "<li><a href=\"/datasets/" + html_escape(url_segment(in)) + "\">" + html_escape(in) + "</a></li>\n";
    h += "</ul></section>\n";
  }
  h += "</article>\n";
  return h;
}

std::string html_page(const std::string& shell, const std::string& title, const std::string& description,
                      const std::string& canonical, const std::string& jsonld, const std::string& content) {
  std::string head = "<title>" + html_escape(title) + "</title>\n<meta name=\"description\" content=\"" +
                     html_escape(description.substr(0, 300)) + "\" />\n<link rel=\"canonical\" href=\"" +
                     html_escape(canonical) + "\" />\n";
  if (!jsonld.empty()) head += "<script type=\"application/ld+json\">" + script_json_escape(jsonld) + "</script>\n";
  std::size_t app = shell.find("<div id=\"app\"></div>");
  std::size_t head_end = shell.find("</head>");
  if (app == std::string::npos || head_end == std::string::npos)
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<meta name=\"viewport\" "
           "content=\"width=device-width, initial-scale=1\" />\n" + head + "</head>\n<body>\n<main>\n" + content +
           "</main>\n</body>\n</html>\n";
  std::string page = shell;
  page.replace(app, std::string("<div id=\"app\"></div>").size(), "<div id=\"app\">" + content + "</div>");
  // The shell's own <title> and description give way to the dataset's.
  std::size_t t0 = page.find("<title>"), t1 = page.find("</title>");
  if (t0 != std::string::npos && t1 != std::string::npos && t1 < page.find("</head>"))
    page.erase(t0, t1 + 8 - t0);
  std::size_t d0 = page.find("<meta name=\"description\"");
  if (d0 != std::string::npos && d0 < page.find("</head>")) page.erase(d0, page.find('>', d0) + 1 - d0);
  page.insert(page.find("</head>"), head);
  return page;
}

}  // namespace openem
