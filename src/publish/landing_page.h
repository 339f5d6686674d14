#pragma once
// The landing page of a public dataset (`/datasets/{pid}`): HTML readable without JavaScript —
// title, creators, abstract, citation, license, dates, instrument and key OSC-EM parameters with
// units, file summary and downloads, related data — with schema.org `Dataset` JSON-LD in its
// head for search engines. When the portal is built, the page is its index.html with this
// content inside <div id="app">, which the portal then enhances. Everything from a document is
// escaped (publish/markup.h). Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace openem {

struct LandingContext {
  std::string base_url;   // "https://data.example.org", no trailing '/'
  std::string site_name;  // the catalog's name (PUBLISHER / SITE)
  // The first files of the dataset's file lists (path, size) and how many there are in all.
  std::vector<std::pair<std::string, std::int64_t>> files;
  std::int64_t file_count = 0;
  // The published versions of the dataset's series (pid, versionNumber), oldest first; empty
  // when it has no other version.
  std::vector<std::pair<std::string, std::int64_t>> versions;
};

std::string dataset_url(const LandingContext& c, const std::string& pid);

// schema.org Dataset, as JSON.
boost::json::object dataset_jsonld(const boost::json::object& dataset, const LandingContext& c);

// The visible content (an <article>).
std::string landing_content(const boost::json::object& dataset, const LandingContext& c);

// A whole HTML page: `shell` is the portal's index.html (empty: a page of its own); the title,
// description, canonical link and JSON-LD go into its head, `content` into <div id="app">.
std::string html_page(const std::string& shell, const std::string& title, const std::string& description,
                      const std::string& canonical, const std::string& jsonld, const std::string& content);

}  // namespace openem
