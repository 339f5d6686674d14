// Findable public data (docs/publishing.md "Landing pages"): the landing page of every public
// dataset at /datasets/{pid} (HTML, or by content negotiation JSON-LD, DataCite XML/JSON and
// citations), /sitemap.xml with its pages, and /robots.txt. Only public datasets have a page;
// any other pid — private, embargoed or missing — gets one and the same 404, so nothing tells
// them apart. The 404 page is the portal's shell, whose own code then shows a signed-in user
// the private dataset through the API (the browser sends no token with a page request).
#include <boost/json.hpp>

#include <algorithm>

#include "api/handler_util.h"
#include "api/lineage/dataset_versions.h"
#include "api/portal_files.h"
#include "api/publishing/content_negotiation.h"
#include "api/routes.h"
#include "publish/citation.h"
#include "publish/datacite_metadata.h"
#include "publish/landing_page.h"
#include "publish/markup.h"
#include "publish/sitemap.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr int kListedFiles = 20;

using Format = LandingFormat;
constexpr auto requested_format = requested_landing_format;
constexpr auto mime_of = landing_mime;
constexpr auto with_type = with_landing_type;

std::string base_url(const App& app, const HttpRequest& req) {
  std::string base = app.config().public_url;
  if (base.empty()) base = "http://" + req.header("host").value_or(app.config().listen_host);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

// The one answer for every pid without a public page.
HttpResponse no_page(Format f) {
  if (f != Format::Html) return HttpResponse::error(404, "Dataset not found");
  auto shell = portal_index_html();
  std::string page = html_page(shell.value_or(""), "Not found", "", "", "",
                               "<article class=\"landing\"><h1>Not found</h1><p>There is no public dataset at this "
                               "address. If it is yours, sign in to see it.</p></article>\n");
  HttpResponse res = HttpResponse::text(404, std::move(page), "text/html; charset=utf-8");
  res.headers.push_back({"Cache-Control", "no-store"});
  return with_type(std::move(res), "text/html; charset=utf-8");
}

LandingContext context_for(App& app, const HttpRequest& req, const json::object& ds) {
  LandingContext c;
  c.base_url = base_url(app, req);
  c.site_name = app.config().site_name;
  c.versions = published_versions(app.store(), ds);
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::origdatablocks(), "datasetId", str_field(ds, "pid")));
  plan.limit = kListedFiles;
  for (const auto& row : app.store().unwind(schemas::origdatablocks(), "dataFileList", plan)) {
    const json::value* f = row.is_object() ? row.get_object().if_contains("dataFileList") : nullptr;
    if (!f || !f->is_object()) continue;
    const json::value* size = f->get_object().if_contains("size");
    c.files.emplace_back(str_field(f->get_object(), "path"), size && size->is_number() ? size->to_number<std::int64_t>() : 0);
  }
  auto* n = ds.if_contains("numberOfFiles");
  c.file_count = n && n->is_number() ? n->to_number<std::int64_t>() : static_cast<std::int64_t>(c.files.size());
  return c;
}

HttpResponse landing(App& app, HttpRequest& req) {
  auto format = requested_format(req);
  if (!format) {
    return HttpResponse::error(406, "This page is available as " + landing_formats_offered());
  }
  auto ds = app.store().get(schemas::datasets(), req.param("pid"));
  auto* published = ds ? ds->if_contains("isPublished") : nullptr;
  if (!published || !published->is_bool() || !published->get_bool()) return no_page(*format);
  LandingContext c = context_for(app, req, *ds);
  const std::string url = dataset_url(c, req.param("pid"));
  CitationData cite = citation_of(*ds, url, c.site_name);
  DataCiteSubject subject{*ds, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "", url, c.site_name};
  std::string type = std::string(mime_of(*format)) + "; charset=utf-8";
  switch (*format) {
    case Format::Html: {
      std::string jsonld = json::serialize(dataset_jsonld(*ds, c));
      std::string page = html_page(portal_index_html().value_or(""), cite.title + " | " + c.site_name,
                                   str_field(*ds, "description"), url, jsonld, landing_content(*ds, c));
      return with_type(HttpResponse::text(200, std::move(page)), "text/html; charset=utf-8");
    }
    case Format::JsonLd: return with_type(HttpResponse::text(200, json::serialize(dataset_jsonld(*ds, c))), type);
    case Format::DataCiteXml: return with_type(HttpResponse::text(200, datacite_kernel4_xml(subject)), type);
    case Format::DataCiteJson: {
      json::object doc{{"data", json::object{{"type", "dois"}, {"attributes", datacite_attributes(subject)}}}};
      return with_type(HttpResponse::text(200, json::serialize(doc)), type);
    }
    case Format::Citation: return with_type(HttpResponse::text(200, citation_text(cite) + "\n"), type);
    case Format::BibTex: return with_type(HttpResponse::text(200, citation_bibtex(cite)), type);
    case Format::Ris: return with_type(HttpResponse::text(200, citation_ris(cite)), type);
    case Format::Cff: return with_type(HttpResponse::text(200, citation_cff(cite)), type);
  }
  return no_page(*format);
}

QueryPlan public_datasets_in_order() {
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::datasets(), "isPublished", std::int64_t{1}));
  return plan;  // in seq order: a dataset keeps its page, new ones are added at the end
}

// The sitemap pages' (url, lastmod) lists, computed once per write generation.
std::string sitemap_document(App& app, const HttpRequest& req, const std::string& which) {
  const std::string key = "sitemap\x1f" + base_url(app, req) + "\x1f" + which;
  const std::uint64_t generation = app.store().write_generation();
  if (auto cached = app.facet_cache().get(key, generation)) return *cached;
  std::string base = base_url(app, req), out;
  if (which == "index") {
    std::vector<std::pair<std::string, std::string>> pages;
    auto all = app.store().id_and_column(schemas::datasets(), "updatedAt", public_datasets_in_order());
    for (std::size_t start = 0; start < all.size() || (start == 0 && pages.empty()); start += kSitemapUrls) {
      std::string lastmod;
      for (std::size_t i = start; i < std::min(all.size(), start + kSitemapUrls); ++i)
        lastmod = std::max(lastmod, all[i].second);
      pages.emplace_back(base + "/sitemaps/datasets-" + std::to_string(start / kSitemapUrls + 1) + ".xml", lastmod);
      if (all.empty()) break;
    }
    out = sitemap_index(pages);
  } else {
    std::size_t page = std::stoul(which);
    QueryPlan plan = public_datasets_in_order();
    plan.skip = static_cast<std::int64_t>((page - 1) * kSitemapUrls);
    plan.limit = static_cast<std::int64_t>(kSitemapUrls);
    std::vector<std::pair<std::string, std::string>> urls;
    for (auto& [pid, updated] : app.store().id_and_column(schemas::datasets(), "updatedAt", plan))
      urls.emplace_back(base + "/datasets/" + url_segment(pid), updated);
    out = sitemap_urlset(urls);
  }
  app.facet_cache().put(key, generation, out);
  return out;
}

}  // namespace

void register_landing_routes(Router& r, App& app) {
  r.add("GET", "/datasets/:pid", [&app](HttpRequest& req) { return landing(app, req); });
  r.add("GET", "/sitemap.xml", [&app](HttpRequest& req) {
    return HttpResponse::text(200, sitemap_document(app, req, "index"), "application/xml; charset=utf-8");
  });
  r.add("GET", "/sitemaps/:name", [&app](HttpRequest& req) {
    const std::string& name = req.param("name");
    static const std::string prefix = "datasets-", suffix = ".xml";
    bool shaped = name.size() > prefix.size() + suffix.size() && name.rfind(prefix, 0) == 0 &&
                  name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    std::string number = shaped ? name.substr(prefix.size(), name.size() - prefix.size() - suffix.size()) : "";
    bool digits = !number.empty() && number.size() < 9 && number[0] != '0' &&
                  std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return HttpResponse::error(404, "No such sitemap");
    return HttpResponse::text(200, sitemap_document(app, req, number), "application/xml; charset=utf-8");
  });
  r.add("GET", "/robots.txt", [&app](HttpRequest& req) {
    return HttpResponse::text(200, "User-agent: *\nAllow: /\nDisallow: /api/\nSitemap: " + base_url(app, req) +
                                       "/sitemap.xml\n");
  });
}

}  // namespace openem
