// The landing page of each DOI, /doi/{doi} (the DOI may come with its '/' or as %2F): HTML
// readable without JavaScript, or by content negotiation JSON-LD, DataCite XML/JSON and
// citations, as the datasets' pages (docs/publishing.md). Only public, registered and amended
// records have a page; a private or unknown DOI gets one and the same 404.
#include <boost/json.hpp>

#include "api/handler_util.h"
#include "api/portal_files.h"
#include "api/publishing/content_negotiation.h"
#include "api/publishing/published_data_routes.h"
#include "api/routes.h"
#include "publish/landing_page.h"
#include "publish/published_data/landing.h"

namespace openem {
namespace json = boost::json;
namespace {

HttpResponse no_page(LandingFormat f) {
  if (f != LandingFormat::Html) return HttpResponse::error(404, "DOI not found");
  std::string page = html_page(portal_index_html().value_or(""), "Not found", "", "", "",
                               "<article class=\"landing\"><h1>Not found</h1><p>There is no public record with this "
                               "DOI here.</p></article>\n");
  HttpResponse res = HttpResponse::text(404, std::move(page), "text/html; charset=utf-8");
  res.headers.push_back({"Cache-Control", "no-store"});
  return with_landing_type(std::move(res), "text/html; charset=utf-8");
}

HttpResponse doi_page(App& app, const std::shared_ptr<const PublishedDataConfig>& config, HttpRequest& req) {
  auto format = requested_landing_format(req);
  if (!format) return HttpResponse::error(406, "This page is available as " + landing_formats_offered());
  PublishedDataService service(app, config, public_base_url(app, req));
  auto record = service.get_public(req.param("doi"));
  if (!record) return no_page(*format);
  auto datasets = service.public_datasets(*record);
  json::object attrs = service.public_attributes(*record, datasets);
  CitationData cite = record_citation(attrs);
  const std::string type = std::string(landing_mime(*format)) + "; charset=utf-8";
  auto text = [&](std::string body) { return with_landing_type(HttpResponse::text(200, std::move(body)), type); };
  switch (*format) {
    case LandingFormat::Html: {
      std::string jsonld = json::serialize(record_jsonld(attrs, datasets, service.base_url()));
      std::string page = html_page(portal_index_html().value_or(""), cite.title + " | " + app.config().site_name,
                                   str_field(*record, "abstract"), service.landing_url(str_field(*record, "doi")), jsonld,
                                   record_landing_content(*record, attrs, datasets, service.base_url()));
      return with_landing_type(HttpResponse::text(200, std::move(page)), "text/html; charset=utf-8");
    }
    case LandingFormat::JsonLd: return text(json::serialize(record_jsonld(attrs, datasets, service.base_url())));
    case LandingFormat::DataCiteXml: return text(datacite_xml(attrs));
    case LandingFormat::DataCiteJson:
      return text(json::serialize(json::object{{"data", json::object{{"id", str_field(*record, "doi")}, {"type", "dois"}, {"attributes", attrs}}}}));
    case LandingFormat::Citation: return text(citation_text(cite) + "\n");
    case LandingFormat::BibTex: return text(citation_bibtex(cite));
    case LandingFormat::Ris: return text(citation_ris(cite));
    case LandingFormat::Cff: return text(citation_cff(cite));
  }
  return no_page(*format);
}

}  // namespace

void register_published_data_routes(Router& r, App& app) {
  // A broken PUBLISHED_DATA_CONFIG_FILE stops the start with its reason.
  auto config = PublishedDataConfig::load(app.config().published_data_config_file);
  register_published_data_v3_routes(r, app, config);
  register_published_data_v4_routes(r, app, config);
  register_oai_routes(r, app, config);
  register_export_routes(r, app, config);
  r.add("GET", "/doi/*doi", [&app, config](HttpRequest& req) { return doi_page(app, config, req); });
}

}  // namespace openem
