// The kernel-4 XML form of DataCite JSON attributes (publish/datacite_metadata.h). The
// attributes come from the builders there, which have already enforced the vocabularies; this
// only writes them, escaped, in the schema's element and attribute names (JSON "schemeUri" is
// XML "schemeURI").
#include <boost/json.hpp>

#include "publish/datacite_metadata.h"
#include "core/json_fields.h"
#include "publish/markup.h"

namespace openem {
namespace json = boost::json;
namespace {

const json::array& list(const json::object& o, std::string_view k) {
  static const json::array empty;
  auto* v = o.if_contains(k);
  return v && v->is_array() ? v->get_array() : empty;
}

// ` name="value"` for each (JSON key, XML attribute) the object has.
std::string attributes(const json::object& o, std::initializer_list<std::pair<const char*, const char*>> names) {
  std::string out;
  for (const auto& [key, attr] : names)
    if (std::string v = json_text(o, key); !v.empty()) out += std::string(" ") + attr + "=\"" + xml_escape(v) + "\"";
  return out;
}

class Writer {
 public:
  void line(int depth, const std::string& text) { out_ += std::string(2 * depth, ' ') + text + "\n"; }
  void element(int depth, const char* name, const std::string& attrs, const std::string& text) {
    line(depth, std::string("<") + name + attrs + ">" + xml_escape(text) + "</" + name + ">");
  }
  std::string& text() { return out_; }

 private:
  std::string out_;
};

void person(Writer& w, const json::object& p, bool contributor) {
  const char* tag = contributor ? "contributor" : "creator";
  const char* name = contributor ? "contributorName" : "creatorName";
  w.line(2, std::string("<") + tag + (contributor ? attributes(p, {{"contributorType", "contributorType"}}) : "") + ">");
  w.element(3, name, attributes(p, {{"nameType", "nameType"}}), json_text(p, "name"));
  if (std::string g = json_text(p, "givenName"); !g.empty()) w.element(3, "givenName", "", g);
  if (std::string f = json_text(p, "familyName"); !f.empty()) w.element(3, "familyName", "", f);
  for (const auto& id : list(p, "nameIdentifiers"))
    if (id.is_object())
      w.element(3, "nameIdentifier",
                attributes(id.get_object(), {{"nameIdentifierScheme", "nameIdentifierScheme"}, {"schemeUri", "schemeURI"}}),
                json_text(id.get_object(), "nameIdentifier"));
  for (const auto& a : list(p, "affiliation"))
    if (a.is_object())
      w.element(3, "affiliation",
                attributes(a.get_object(), {{"affiliationIdentifier", "affiliationIdentifier"},
                                            {"affiliationIdentifierScheme", "affiliationIdentifierScheme"},
                                            {"schemeUri", "schemeURI"}}),
                json_text(a.get_object(), "name"));
  w.line(2, std::string("</") + tag + ">");
}

// <wrapper><item ...>text</item>...</wrapper> for a list of objects (or strings).
template <typename Fn>
void wrapped(Writer& w, const json::object& a, const char* key, const char* wrapper, Fn item) {
  const auto& items = list(a, key);
  if (items.empty()) return;
  w.line(1, std::string("<") + wrapper + ">");
  for (const auto& x : items) item(x);
  w.line(1, std::string("</") + wrapper + ">");
}

}  // namespace

std::string datacite_xml(const json::object& a) {
  Writer w;
  w.text() = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<resource xmlns=\"http://datacite.org/schema/kernel-4\" "
             "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
             "xsi:schemaLocation=\"http://datacite.org/schema/kernel-4 "
             "https://schema.datacite.org/meta/kernel-4/metadata.xsd\">\n";
  if (std::string doi = json_text(a, "doi"); !doi.empty()) w.element(1, "identifier", " identifierType=\"DOI\"", doi);
  else w.element(1, "identifier", " identifierType=\"URL\"", json_text(a, "url"));
  wrapped(w, a, "creators", "creators", [&](const json::value& p) {
    if (p.is_object()) person(w, p.get_object(), false);
  });
  wrapped(w, a, "titles", "titles", [&](const json::value& t) {
    if (t.is_object()) w.element(2, "title", attributes(t.get_object(), {{"titleType", "titleType"}, {"lang", "xml:lang"}}), json_text(t.get_object(), "title"));
  });
  json::object publisher;
  if (auto* p = a.if_contains("publisher"); p && p->is_object()) publisher = p->get_object();
  w.element(1, "publisher",
            attributes(publisher, {{"publisherIdentifier", "publisherIdentifier"},
                                   {"publisherIdentifierScheme", "publisherIdentifierScheme"},
                                   {"schemeUri", "schemeURI"}}),
            json_text(publisher, "name"));
  w.element(1, "publicationYear", "", json_text(a, "publicationYear"));
  json::object types;
  if (auto* t = a.if_contains("types"); t && t->is_object()) types = t->get_object();
  w.element(1, "resourceType", " resourceTypeGeneral=\"Dataset\"", json_text(types, "resourceType"));
  wrapped(w, a, "subjects", "subjects", [&](const json::value& s) {
    if (s.is_object())
      w.element(2, "subject",
                attributes(s.get_object(), {{"subjectScheme", "subjectScheme"}, {"schemeUri", "schemeURI"},
                                            {"valueUri", "valueURI"}, {"classificationCode", "classificationCode"}}),
                json_text(s.get_object(), "subject"));
  });
  wrapped(w, a, "contributors", "contributors", [&](const json::value& p) {
    if (p.is_object()) person(w, p.get_object(), true);
  });
  wrapped(w, a, "dates", "dates", [&](const json::value& d) {
    if (d.is_object())
      w.element(2, "date", attributes(d.get_object(), {{"dateType", "dateType"}, {"dateInformation", "dateInformation"}}),
                json_text(d.get_object(), "date"));
  });
  if (std::string lang = json_text(a, "language"); !lang.empty()) w.element(1, "language", "", lang);
  wrapped(w, a, "relatedIdentifiers", "relatedIdentifiers", [&](const json::value& r) {
    if (r.is_object())
      w.element(2, "relatedIdentifier",
                attributes(r.get_object(), {{"relatedIdentifierType", "relatedIdentifierType"}, {"relationType", "relationType"}}),
                json_text(r.get_object(), "relatedIdentifier"));
  });
  wrapped(w, a, "sizes", "sizes", [&](const json::value& s) {
    if (s.is_string()) w.element(2, "size", "", std::string(s.get_string()));
  });
  wrapped(w, a, "formats", "formats", [&](const json::value& f) {
    if (f.is_string()) w.element(2, "format", "", std::string(f.get_string()));
  });
  if (std::string v = json_text(a, "version"); !v.empty()) w.element(1, "version", "", v);
  wrapped(w, a, "rightsList", "rightsList", [&](const json::value& r) {
    if (r.is_object())
      w.element(2, "rights",
                attributes(r.get_object(), {{"rightsUri", "rightsURI"}, {"rightsIdentifier", "rightsIdentifier"},
                                            {"rightsIdentifierScheme", "rightsIdentifierScheme"}, {"schemeUri", "schemeURI"}}),
                json_text(r.get_object(), "rights"));
  });
  wrapped(w, a, "descriptions", "descriptions", [&](const json::value& d) {
    if (d.is_object())
      w.element(2, "description", attributes(d.get_object(), {{"descriptionType", "descriptionType"}}),
                json_text(d.get_object(), "description"));
  });
  wrapped(w, a, "geoLocations", "geoLocations", [&](const json::value& g) {
    if (!g.is_object()) return;
    const auto& o = g.get_object();
    w.line(2, "<geoLocation>");
    if (std::string place = json_text(o, "geoLocationPlace"); !place.empty()) w.element(3, "geoLocationPlace", "", place);
    if (auto* p = o.if_contains("geoLocationPoint"); p && p->is_object()) {
      w.line(3, "<geoLocationPoint>");
      w.element(4, "pointLongitude", "", json_text(p->get_object(), "pointLongitude"));
      w.element(4, "pointLatitude", "", json_text(p->get_object(), "pointLatitude"));
      w.line(3, "</geoLocationPoint>");
    }
    w.line(2, "</geoLocation>");
  });
  wrapped(w, a, "fundingReferences", "fundingReferences", [&](const json::value& f) {
    if (!f.is_object()) return;
    const auto& o = f.get_object();
    w.line(2, "<fundingReference>");
    w.element(3, "funderName", "", json_text(o, "funderName"));
    if (std::string id = json_text(o, "funderIdentifier"); !id.empty())
      w.element(3, "funderIdentifier", attributes(o, {{"funderIdentifierType", "funderIdentifierType"}}), id);
    if (std::string n = json_text(o, "awardNumber"); !n.empty()) w.element(3, "awardNumber", attributes(o, {{"awardUri", "awardURI"}}), n);
    if (std::string t = json_text(o, "awardTitle"); !t.empty()) w.element(3, "awardTitle", "", t);
    w.line(2, "</fundingReference>");
  });
  w.text() += "</resource>\n";
  return std::move(w.text());
}

}  // namespace openem
