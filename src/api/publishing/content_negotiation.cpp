#include "api/publishing/content_negotiation.h"

#include <algorithm>

namespace openem {
namespace {

struct FormatName {
  const char* query;  // ?format=
  const char* mime;   // Accept / Content-Type
  LandingFormat format;
};
constexpr FormatName kFormats[] = {
    {"html", "text/html", LandingFormat::Html},
    {"jsonld", "application/ld+json", LandingFormat::JsonLd},
    {"datacite-xml", "application/vnd.datacite.datacite+xml", LandingFormat::DataCiteXml},
    {"datacite-json", "application/vnd.datacite.datacite+json", LandingFormat::DataCiteJson},
    {"citation", "text/x-bibliography", LandingFormat::Citation},
    {"bibtex", "application/x-bibtex", LandingFormat::BibTex},
    {"ris", "application/x-research-info-systems", LandingFormat::Ris},
    {"cff", "application/x-cff+yaml", LandingFormat::Cff},
};

}  // namespace

std::optional<LandingFormat> requested_landing_format(const HttpRequest& req) {
  if (auto f = req.query_param("format")) {
    for (const auto& n : kFormats)
      if (*f == n.query) return n.format;
    return std::nullopt;
  }
  std::string accept = req.header("accept").value_or("text/html");
  std::size_t pos = 0;
  while (pos <= accept.size()) {
    std::size_t comma = accept.find(',', pos);
    if (comma == std::string::npos) comma = accept.size();
    std::string type = accept.substr(pos, comma - pos);
    type = type.substr(0, type.find(';'));
    type.erase(0, type.find_first_not_of(" \t"));
    type.erase(type.find_last_not_of(" \t") + 1);
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
    if (type == "*/*" || type == "text/*" || type == "application/xhtml+xml") return LandingFormat::Html;
    if (type == "application/x-cff" || type == "text/x-cff") return LandingFormat::Cff;
    for (const auto& n : kFormats)
      if (type == n.mime) return n.format;
    pos = comma + 1;
  }
  return std::nullopt;
}

const char* landing_mime(LandingFormat f) {
  for (const auto& n : kFormats)
    if (n.format == f) return n.mime;
  return "text/html";
}

std::string landing_formats_offered() {
  std::string offered;
  for (const auto& n : kFormats) offered += (offered.empty() ? "" : ", ") + std::string(n.mime);
  return offered;
}

HttpResponse with_landing_type(HttpResponse res, const std::string& type) {
  res.content_type = type;
  res.headers.push_back({"Vary", "Accept"});
  return res;
}

}  // namespace openem
