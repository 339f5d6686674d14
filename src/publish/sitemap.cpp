#include "publish/sitemap.h"

#include "publish/markup.h"

namespace openem {
namespace {

std::string entries(const char* element, const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out;
  out.reserve(items.size() * 120);
  for (const auto& [loc, lastmod] : items) {
    out += std::string("<") + element + "><loc>" + xml_escape(loc) + "</loc>";
    if (!lastmod.empty()) out += "<lastmod>" + xml_escape(lastmod) + "</lastmod>";
    out += std::string("</") + element + ">\n";
  }
  return out;
}

constexpr const char* kHeader = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr const char* kNamespace = "http://www.sitemaps.org/schemas/sitemap/0.9";

}  // namespace

std::string sitemap_index(const std::vector<std::pair<std::string, std::string>>& sitemaps) {
  return std::string(kHeader) + "<sitemapindex xmlns=\"" + kNamespace + "\">\n" + entries("sitemap", sitemaps) +
         "</sitemapindex>\n";
}

std::string sitemap_urlset(const std::vector<std::pair<std::string, std::string>>& urls) {
  return std::string(kHeader) + "<urlset xmlns=\"" + kNamespace + "\">\n" + entries("url", urls) + "</urlset>\n";
}

}  // namespace openem
