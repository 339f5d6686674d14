#pragma once
// Escaping for the markup openem writes itself (landing pages, sitemaps, DataCite and OAI XML):
// every text that came from a document goes through one of these. Pure functions; thread-safe.
#include <string>
#include <string_view>

namespace openem {

// &, <, >, " and ' as entities; bytes that XML 1.0 forbids (C0 controls but tab, CR, LF, and
// U+FFFE/U+FFFF) dropped, so a title with a stray control character cannot break a document.
std::string xml_escape(std::string_view text);
// The same for HTML text and attribute values.
inline std::string html_escape(std::string_view text) { return xml_escape(text); }
// Text inside <script type="application/ld+json">: "</" and "<!--" cannot end the element.
std::string script_json_escape(std::string_view json);
// A path segment, percent-encoded (RFC 3986 unreserved kept): pids and DOIs contain '/'.
std::string url_segment(std::string_view s);

}  // namespace openem
