#include "publish/citation.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/json_fields.h"

namespace openem {
namespace json = boost::json;
namespace {

bool is_name(const std::string& s) { return !s.empty() && s.find('@') == std::string::npos; }

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

// A line of a line-based format: no line breaks from the data.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

// BibTeX field text: braces balanced by escaping them, TeX specials escaped.
std::string bibtex_escape(const std::string& s) {
  std::string out;
  for (char c : one_line(s)) {
    if (c == '{' || c == '}' || c == '&' || c == '%' || c == '$' || c == '#' || c == '_') out += '\\';
    if (c == '\\') {
      out += "\\textbackslash{}";
      continue;
    }
    out += c;
  }
  return out;
}

// A YAML double-quoted scalar.
std::string yaml_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}

}  // namespace

CitationData citation_of(const json::object& ds, const std::string& url, const std::string& publisher) {
  CitationData c;
  c.id = json_string(ds, "pid");
  for (const char* k : {"owner", "principalInvestigator", "investigator"}) {
    std::string n = json_string(ds, k);
    if (is_name(n) && std::find(c.creators.begin(), c.creators.end(), n) == c.creators.end()) c.creators.push_back(n);
  }
  c.title = json_string(ds, "datasetName").empty() ? c.id : json_string(ds, "datasetName");
  std::string published;
  if (auto* lc = ds.if_contains("datasetlifecycle"); lc && lc->is_object()) published = json_string(lc->get_object(), "publishedOn");
  std::string when = !published.empty() && ds.contains("isPublished") ? published : json_string(ds, "creationTime");
  c.date = when.substr(0, std::min<std::size_t>(10, when.size()));
  c.year = when.substr(0, std::min<std::size_t>(4, when.size()));
  c.publisher = publisher;
  c.url = url;
  c.license = json_string(ds, "license");
  return c;
}

std::string citation_text(const CitationData& c) {
  std::string who = c.creators.empty() ? c.publisher : join(c.creators, ", ");
  std::string link = c.doi.empty() ? c.url : "https://doi.org/" + c.doi;
  return one_line(who + " (" + c.year + "). " + c.title + " [Data set]. " + c.publisher + ". " + link);
}

std::string citation_bibtex(const CitationData& c) {
  std::string key;
  for (char ch : c.id)
    if (std::isalnum(static_cast<unsigned char>(ch))) key += ch;
  std::string out = "@misc{" + (key.empty() ? std::string("dataset") : key) + ",\n";
  if (!c.creators.empty()) {
    std::vector<std::string> authors;
    for (const auto& a : c.creators) authors.push_back("{" + bibtex_escape(a) + "}");
    out += "  author = {" + join(authors, " and ") + "},\n";
  }
  out += "  title = {" + bibtex_escape(c.title) + "},\n";
  out += "  year = {" + bibtex_escape(c.year) + "},\n";
  out += "  publisher = {" + bibtex_escape(c.publisher) + "},\n";
  if (!c.doi.empty()) out += "  doi = {" + bibtex_escape(c.doi) + "},\n";
  out += "  url = {" + one_line(c.url) + "},\n";  // URLs are taken verbatim (url package); they hold no braces
  out += "  note = {Data set}\n}\n";
  return out;
}

std::string citation_ris(const CitationData& c) {
  std::string out = "TY  - DATA\r\n";
  for (const auto& a : c.creators) out += "AU  - " + one_line(a) + "\r\n";
  out += "TI  - " + one_line(c.title) + "\r\n";
  out += "PY  - " + one_line(c.year) + "\r\n";
  if (!c.date.empty()) out += "DA  - " + one_line(c.date) + "\r\n";
  out += "PB  - " + one_line(c.publisher) + "\r\n";
  if (!c.doi.empty()) out += "DO  - " + one_line(c.doi) + "\r\n";
  out += "UR  - " + one_line(c.url) + "\r\n";
  out += "ER  - \r\n";
  return out;
}

std::string citation_cff(const CitationData& c) {
  std::string out = "cff-version: 1.2.0\nmessage: \"If you use this dataset, please cite it as below.\"\ntype: dataset\n";
  out += "title: " + yaml_quote(c.title) + "\nauthors:\n";
  if (c.creators.empty()) out += "  - name: " + yaml_quote(c.publisher) + "\n";
  for (const auto& a : c.creators) out += "  - name: " + yaml_quote(a) + "\n";
  if (!c.date.empty()) out += "date-released: " + yaml_quote(c.date) + "\n";
  if (!c.doi.empty()) out += "doi: " + yaml_quote(c.doi) + "\n";
  out += "url: " + yaml_quote(c.url) + "\n";
  if (!c.license.empty()) out += "license: " + yaml_quote(c.license) + "\n";
  return out;
}

}  // namespace openem
