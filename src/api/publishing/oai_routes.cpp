// OAI-PMH 2.0 at /oai (docs/publishing.md, "OAI-PMH"), GET with the arguments in the query and
// POST with them in an application/x-www-form-urlencoded body. The protocol lives in
// src/publish/oai; this file turns HTTP into its arguments and its answer into a response.
#include <spdlog/spdlog.h>

#include "api/publishing/published_data_routes.h"
#include "api/routes.h"
#include "publish/oai/identifiers.h"
#include "publish/oai/provider.h"
#include "publish/oai/response_xml.h"
#include "publish/oai/resumption_token.h"

namespace openem {
namespace {

constexpr const char* kContentType = "text/xml; charset=utf-8";
// Without OPENEM_OAI_REPOSITORY_ID or a public URL with a domain name: identifiers must not
// depend on the address a harvester happened to use, so they get this fixed one.
constexpr const char* kFallbackRepositoryId = "openem.local";

std::string host_of(const std::string& url) {
  std::size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  std::size_t end = url.find_first_of(":/", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string repository_id(const Config& config) {
  if (!config.oai_repository_id.empty()) return config.oai_repository_id;
  if (std::string host = host_of(config.public_url); oai::valid_repository_identifier(host)) return host;
  spdlog::warn("OAI-PMH: neither OPENEM_OAI_REPOSITORY_ID nor OPENEM_PUBLIC_URL names a domain; item identifiers "
               "use the repository identifier {}",
               kFallbackRepositoryId);
  return kFallbackRepositoryId;
}

}  // namespace

void register_oai_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config) {
  // What every request shares, fixed at start.
  auto shared = std::make_shared<oai::ProviderConfig>();
  shared->repository_name = app.config().site_name;
  shared->repository_id = repository_id(app.config());
  shared->admin_email = app.config().oai_admin_email.empty() ? "admin@" + shared->repository_id
                                                             : app.config().oai_admin_email;
  shared->token_key = oai::token_key(app.jwt_secret());
  shared->page_size = app.config().oai_page_size;
  shared->metadata.publisher = app.config().site_name;
  shared->metadata.datacentre_symbol = app.config().site_name;

  auto handle = [&app, shared, config](HttpRequest& req) {
    oai::ProviderConfig c = *shared;
    const std::string base = public_base_url(app, req);
    c.base_url = base + "/oai";
    c.metadata.landing_base = base;
    auto records = std::make_shared<PublishedDataService>(app, config, base);
    c.record_attributes = [records](const boost::json::object& record) {
      return records->public_attributes(record, records->public_datasets(record));
    };
    c.now = now_millis();
    c.memo = [&app, base](const std::string& key, const std::function<std::string()>& compute) {
      const std::string full = key + '\x1f' + base;
      const std::uint64_t generation = app.store().write_generation();
      if (auto hit = app.facet_cache().get(full, generation)) return *hit;
      std::string value = compute();
      app.facet_cache().put(full, generation, value);
      return value;
    };
    std::string_view text;
    if (req.method == "POST") {
      std::string type = req.header("content-type").value_or("");
      if (type.rfind("application/x-www-form-urlencoded", 0) != 0)
        return HttpResponse::error(415, "OAI-PMH requests by POST are application/x-www-form-urlencoded");
      text = req.body;
    } else if (std::size_t q = req.target.find('?'); q != std::string::npos) {
      text = std::string_view(req.target).substr(q + 1);
    }
    auto args = oai::parse_form(text);
    std::string body =
        args ? oai::respond(app.store(), c, *args)
             : oai::error_document(oai::datestamp_text(iso_utc(c.now)), nullptr, c.base_url,
                                   {"badArgument", "The arguments are not well-formed form encoding"});
    HttpResponse res = HttpResponse::text(200, std::move(body), kContentType);
    res.headers.push_back({"Cache-Control", "no-store"});
    return res;
  };
  r.add("GET", "/oai", handle);
  r.add("POST", "/oai", handle);
}

}  // namespace openem
