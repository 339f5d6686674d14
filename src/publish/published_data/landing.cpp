#include "publish/published_data/landing.h"

#include "core/json_fields.h"
#include "publish/markup.h"

namespace openem {
namespace json = boost::json;
namespace {

const json::array& list(const json::object& o, std::string_view k) {
  static const json::array empty;
  auto* v = o.if_contains(k);
  return v && v->is_array() ? v->get_array() : empty;
}

std::string first_of(const json::object& a, const char* key, const char* field) {
  for (const auto& x : list(a, key))
    if (x.is_object()) return json_text(x.get_object(), field);
  return {};
}

std::string dataset_page(const std::string& base, const json::object& ds) { return base + "/datasets/" + url_segment(json_text(ds, "pid")); }

// Only web links become links (a related identifier could be "javascript:..."); the rest is text.
std::string link(const std::string& href, const std::string& text) {
  if (href.rfind("https://", 0) != 0 && href.rfind("http://", 0) != 0 && href.rfind("?", 0) != 0) return html_escape(text);
  return "<a href=\"" + html_escape(href) + "\">" + html_escape(text) + "</a>";
}

std::string row(const std::string& name, const std::string& html_value) {
  return "<tr><th scope=\"row\">" + html_escape(name) + "</th><td>" + html_value + "</td></tr>\n";
}

}  // namespace

CitationData record_citation(const json::object& a) {
  CitationData c;
  for (const auto& p : list(a, "creators"))
    if (p.is_object() && json_text(p.get_object(), "name") != ":unav") c.creators.push_back(json_text(p.get_object(), "name"));
  c.title = first_of(a, "titles", "title");
  c.year = json_text(a, "publicationYear");
  auto* pub = a.if_contains("publisher");
  c.publisher = pub && pub->is_object() ? json_text(pub->get_object(), "name") : "";
  c.doi = json_text(a, "doi");
  c.url = "https://doi.org/" + c.doi;
  c.license = first_of(a, "rightsList", "rightsIdentifier");
  for (const auto& d : list(a, "dates"))
    if (d.is_object() && json_text(d.get_object(), "dateType") == "Issued") c.date = json_text(d.get_object(), "date");
  c.id = c.doi;
  return c;
}

json::object record_jsonld(const json::object& a, const std::vector<json::object>& datasets, const std::string& base) {
  CitationData c = record_citation(a);
  json::array creators, parts;
  for (const auto& p : list(a, "creators")) {
    if (!p.is_object()) continue;
    const auto& o = p.get_object();
    json::object person{{"@type", json_text(o, "nameType") == "Organizational" ? "Organization" : "Person"}, {"name", json_text(o, "name")}};
    if (std::string id = first_of(o, "nameIdentifiers", "nameIdentifier"); !id.empty()) person["@id"] = id;
    creators.emplace_back(std::move(person));
  }
  for (const auto& ds : datasets)
    parts.emplace_back(json::object{{"@type", "Dataset"}, {"name", json_text(ds, "datasetName")}, {"url", dataset_page(base, ds)}});
  json::object ld{{"@context", "https://schema.org"},
                  {"@type", "Dataset"},
                  {"@id", c.url},
                  {"identifier", c.url},
                  {"url", json_text(a, "url")},
                  {"name", c.title},
                  {"description", first_of(a, "descriptions", "description")},
                  {"creator", std::move(creators)},
                  {"publisher", json::object{{"@type", "Organization"}, {"name", c.publisher}}},
                  {"datePublished", c.date.empty() ? c.year : c.date},
                  {"hasPart", std::move(parts)}};
  if (std::string uri = first_of(a, "rightsList", "rightsUri"); !uri.empty()) ld["license"] = uri;
  json::array keywords;
  for (const auto& s : list(a, "subjects"))
    if (s.is_object()) keywords.emplace_back(json_text(s.get_object(), "subject"));
  if (!keywords.empty()) ld["keywords"] = std::move(keywords);
  return ld;
}

std::string record_landing_content(const json::object& record, const json::object& a, const std::vector<json::object>& datasets,
                                   const std::string& base) {
  CitationData c = record_citation(a);
  std::string h = "<article class=\"landing doi\">\n<h1>" + html_escape(c.title) + "</h1>\n";
  std::string people;
  for (const auto& p : list(a, "creators")) {
    if (!p.is_object()) continue;
    const auto& o = p.get_object();
    std::string one = html_escape(json_text(o, "name"));
    if (std::string orcid = first_of(o, "nameIdentifiers", "nameIdentifier"); orcid.rfind("https://orcid.org/", 0) == 0)
      one += " " + link(orcid, "ORCID");
    std::string affs;
    for (const auto& af : list(o, "affiliation"))
      if (af.is_object()) {
        std::string id = json_text(af.get_object(), "affiliationIdentifier");
        affs += (affs.empty() ? "" : "; ") + (id.empty() ? html_escape(json_text(af.get_object(), "name")) : link(id, json_text(af.get_object(), "name")));
      }
    if (!affs.empty()) one += " (" + affs + ")";
    people += "<li>" + one + "</li>";
  }
  h += "<ul class=\"creators\">" + people + "</ul>\n";
  h += "<p class=\"doi\">DOI: " + link(c.url, c.doi) + "</p>\n";
  for (const auto& d : list(a, "descriptions"))
    if (d.is_object())
      h += "<section><h2>" + html_escape(json_text(d.get_object(), "descriptionType") == "Abstract" ? "Abstract" : "Description") +
           "</h2><p>" + html_escape(json_text(d.get_object(), "description")) + "</p></section>\n";
  h += "<section><h2>Cite as</h2><p class=\"citation\">" + html_escape(citation_text(c)) + "</p>\n<p>Other formats: " +
       link("?format=bibtex", "BibTeX") + " · " + link("?format=ris", "RIS") + " · " + link("?format=cff", "CFF") + " · " +
       link("?format=datacite-xml", "DataCite XML") + " · " + link("?format=datacite-json", "DataCite JSON") + "</p></section>\n";
  h += "<table class=\"facts\">\n" + row("Publisher", html_escape(c.publisher)) + row("Publication year", html_escape(c.year)) +
       row("Status", html_escape(json_text(record, "status")));
  for (const auto& r : list(a, "rightsList"))
    if (r.is_object()) {
      std::string uri = json_text(r.get_object(), "rightsUri");
      h += row("License", uri.empty() ? html_escape(json_text(r.get_object(), "rights")) : link(uri, json_text(r.get_object(), "rights")));
    }
  for (const auto& f : list(a, "fundingReferences"))
    if (f.is_object())
      h += row("Funding", html_escape(json_text(f.get_object(), "funderName") +
                                      (json_text(f.get_object(), "awardNumber").empty() ? "" : ", " + json_text(f.get_object(), "awardNumber"))));
  for (const auto& s : list(a, "sizes"))
    if (s.is_string()) h += row("Size", html_escape(std::string(s.get_string())));
  h += "</table>\n<section><h2>Datasets</h2>\n<ul class=\"datasets\">\n";
  for (const auto& ds : datasets) {
    std::string name = json_text(ds, "datasetName").empty() ? json_text(ds, "pid") : json_text(ds, "datasetName");
    h += "<li>" + link(dataset_page(base, ds), name) + "</li>\n";
  }
  h += "</ul></section>\n";
  std::string related;
  for (const auto& r : list(a, "relatedIdentifiers"))
    if (r.is_object() && json_text(r.get_object(), "relationType") != "HasPart") {
      std::string id = json_text(r.get_object(), "relatedIdentifier");
      std::string href = json_text(r.get_object(), "relatedIdentifierType") == "DOI" ? "https://doi.org/" + id : id;
      related += "<li>" + html_escape(json_text(r.get_object(), "relationType")) + ": " + link(href, id) + "</li>\n";
    }
  if (!related.empty()) h += "<section><h2>Related</h2><ul>\n" + related + "</ul></section>\n";
  return h + "</article>\n";
}

}  // namespace openem
