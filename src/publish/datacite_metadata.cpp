#include "publish/datacite_metadata.h"

#include <boost/json.hpp>

#include "core/time.h"
#include "publish/markup.h"

namespace openem {
namespace json = boost::json;
namespace {

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string title_of(const DataCiteSubject& s) {
  if (s.published_data)
    if (auto t = str(*s.published_data, "title"); !t.empty()) return t;
  if (auto t = str(s.dataset, "datasetName"); !t.empty()) return t;
  return str(s.dataset, "pid");
}

std::vector<std::string> creators_of(const DataCiteSubject& s) {
  std::vector<std::string> out;
  if (s.published_data)
    if (auto* c = s.published_data->if_contains("creator"); c && c->is_array())
      for (const auto& x : c->get_array())
        if (x.is_string() && !x.get_string().empty()) out.emplace_back(x.get_string());
  if (out.empty())
    for (const char* k : {"principalInvestigator", "owner"})
      if (auto v = str(s.dataset, k); !v.empty()) {
        out.push_back(v);
        break;
      }
  if (out.empty()) out.emplace_back(":unav");  // DataCite's code for "unavailable"
  return out;
}

std::string year_of(const DataCiteSubject& s) {
  if (s.published_data)
    if (auto* y = s.published_data->if_contains("publicationYear"); y && y->is_number())
      return std::to_string(y->to_number<std::int64_t>());
  std::string when = str(s.dataset, "creationTime");
  if (when.size() >= 4) return when.substr(0, 4);
  return now_iso().substr(0, 4);
}

}  // namespace

std::string datacite_kernel4_xml(const DataCiteSubject& s) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<resource xmlns=\"http://datacite.org/schema/kernel-4\" "
                  "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                  "xsi:schemaLocation=\"http://datacite.org/schema/kernel-4 "
                  "http://schema.datacite.org/meta/kernel-4/metadata.xsd\">\n";
  if (!s.doi.empty()) x += "  <identifier identifierType=\"DOI\">" + xml_escape(s.doi) + "</identifier>\n";
  else x += "  <identifier identifierType=\"URL\">" + xml_escape(s.landing_url) + "</identifier>\n";
  x += "  <creators>\n";
  for (const auto& c : creators_of(s))
    x += "    <creator><creatorName>" + xml_escape(c) + "</creatorName></creator>\n";
  x += "  </creators>\n  <titles>\n    <title>" + xml_escape(title_of(s)) + "</title>\n  </titles>\n";
  x += "  <publisher>" + xml_escape(s.publisher.empty() ? ":unav" : s.publisher) + "</publisher>\n";
  x += "  <publicationYear>" + year_of(s) + "</publicationYear>\n";
  x += "  <resourceType resourceTypeGeneral=\"Dataset\">" + xml_escape(str(s.dataset, "type")) + "</resourceType>\n";
  x += "</resource>\n";
  return x;
}

json::object datacite_attributes(const DataCiteSubject& s) {
  json::array creators;
  for (const auto& c : creators_of(s)) creators.emplace_back(json::object{{"name", c}});
  json::object a{{"creators", std::move(creators)},
                 {"titles", json::array{json::object{{"title", title_of(s)}}}},
                 {"publisher", s.publisher.empty() ? ":unav" : s.publisher},
                 {"publicationYear", year_of(s)},
                 {"types", json::object{{"resourceTypeGeneral", "Dataset"}, {"resourceType", str(s.dataset, "type")}}},
                 {"url", s.landing_url}};
  if (!s.doi.empty()) a["doi"] = s.doi;
  return a;
}

}  // namespace openem
