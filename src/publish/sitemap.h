#pragma once
// Sitemaps (sitemaps.org protocol 0.9) of the public catalog: an index that names pages of at
// most kSitemapUrls URLs, each URL with its exact lastmod (the document's updatedAt, a W3C
// datetime). Pure functions; thread-safe.
#include <string>
#include <utility>
#include <vector>

namespace openem {

inline constexpr std::size_t kSitemapUrls = 50000;

// (loc, lastmod) pairs; an empty lastmod is left out.
std::string sitemap_index(const std::vector<std::pair<std::string, std::string>>& sitemaps);
std::string sitemap_urlset(const std::vector<std::pair<std::string, std::string>>& urls);

}  // namespace openem
