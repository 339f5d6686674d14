#include "publish/datacite/vocabulary.h"

#include <algorithm>
#include <initializer_list>
#include <cctype>

#include "core/json_fields.h"

namespace openem::datacite {
namespace json = boost::json;
namespace {

bool in(std::initializer_list<std::string_view> list, std::string_view v) {
  return !v.empty() && std::find(list.begin(), list.end(), v) != list.end();
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string_view after_host(std::string_view v, std::string_view host) {
  for (std::string_view scheme : {"https://", "http://", ""})
    if (v.size() > scheme.size() + host.size() && v.compare(0, scheme.size(), scheme) == 0 &&
        v.compare(scheme.size(), host.size(), host) == 0)
      return v.substr(scheme.size() + host.size());
  return v;
}

json::array affiliations(const json::value* v) {
  json::array out;
  if (!v) return out;
  json::array items = v->is_array() ? v->get_array() : json::array{*v};
  for (const auto& a : items) {
    json::object entry;
    if (a.is_string()) {
      if (trim(a.get_string()).empty()) continue;
      entry["name"] = trim(a.get_string());
    } else if (a.is_object()) {
      const auto& o = a.get_object();
      std::string name = trim(json_string(o, "name"));
      if (name.empty()) continue;
      entry["name"] = name;
      std::string id = json_string(o, "affiliationIdentifier");
      if (id.empty()) id = json_string(o, "rorId");
      if (std::string ror = ror_uri(id); !ror.empty()) {
        entry["affiliationIdentifier"] = ror;
        entry["affiliationIdentifierScheme"] = "ROR";
        entry["schemeUri"] = "https://ror.org";
      } else if (!id.empty() && !json_string(o, "affiliationIdentifierScheme").empty()) {
        entry["affiliationIdentifier"] = id;
        entry["affiliationIdentifierScheme"] = json_string(o, "affiliationIdentifierScheme");
        if (!json_string(o, "schemeUri").empty()) entry["schemeUri"] = json_string(o, "schemeUri");
      }
    } else {
      continue;
    }
    out.emplace_back(std::move(entry));
  }
  return out;
}

json::array name_identifiers(const json::object& o) {
  json::array out;
  auto add_orcid = [&](const std::string& uri) {
    out.emplace_back(json::object{{"nameIdentifier", uri}, {"nameIdentifierScheme", "ORCID"}, {"schemeUri", "https://orcid.org"}});
  };
  if (std::string orcid = orcid_uri(json_string(o, "orcid")); !orcid.empty()) add_orcid(orcid);
  if (auto* ids = o.if_contains("nameIdentifiers"); ids && ids->is_array())
    for (const auto& x : ids->get_array()) {
      if (!x.is_object()) continue;
      std::string id = trim(json_string(x.get_object(), "nameIdentifier"));
      std::string scheme = json_string(x.get_object(), "nameIdentifierScheme");
      if (id.empty()) continue;
      if (std::string orcid = orcid_uri(id); !orcid.empty() && (scheme.empty() || scheme == "ORCID")) {
        bool seen = std::any_of(out.begin(), out.end(), [&](const json::value& e) {
          return e.get_object().at("nameIdentifier") == json::value(orcid);
        });
        if (!seen) add_orcid(orcid);
      } else if (std::string ror = ror_uri(id); !ror.empty() && (scheme.empty() || scheme == "ROR")) {
        out.emplace_back(json::object{{"nameIdentifier", ror}, {"nameIdentifierScheme", "ROR"}, {"schemeUri", "https://ror.org"}});
      } else if (!scheme.empty() && scheme != "ORCID" && scheme != "ROR") {
        json::object e{{"nameIdentifier", id}, {"nameIdentifierScheme", scheme}};
        if (!json_string(x.get_object(), "schemeUri").empty()) e["schemeUri"] = json_string(x.get_object(), "schemeUri");
        out.emplace_back(std::move(e));
      }  // an ORCID or ROR id that does not check out is left out rather than sent wrong
    }
  return out;
}

}  // namespace

bool is_contributor_type(std::string_view v) {
  return in({
      "ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor", "Editor",
      "HostingInstitution", "Other", "Producer", "ProjectLeader", "ProjectManager", "ProjectMember",
      "RegistrationAgency", "RegistrationAuthority", "RelatedPerson", "ResearchGroup", "RightsHolder",
      "Researcher", "Sponsor", "Supervisor", "Translator", "WorkPackageLeader"}, v);
}

bool is_date_type(std::string_view v) {
  return in({"Accepted", "Available", "Collected", "Copyrighted",
                                                      "Coverage", "Created",   "Issued",    "Other",
                                                      "Submitted", "Updated",  "Valid",     "Withdrawn"}, v);
}

bool is_relation_type(std::string_view v) {
  return in({
      "IsCitedBy", "Cites", "IsSupplementTo", "IsSupplementedBy", "IsContinuedBy", "Continues", "IsDescribedBy",
      "Describes", "HasMetadata", "IsMetadataFor", "HasVersion", "IsVersionOf", "IsNewVersionOf",
      "IsPreviousVersionOf", "IsPartOf", "HasPart", "IsPublishedIn", "IsReferencedBy", "References",
      "IsDocumentedBy", "Documents", "IsCompiledBy", "Compiles", "IsVariantFormOf", "IsOriginalFormOf",
      "IsIdenticalTo", "IsReviewedBy", "Reviews", "IsDerivedFrom", "IsSourceOf", "IsRequiredBy", "Requires",
      "IsObsoletedBy", "Obsoletes", "Collects", "IsCollectedBy", "HasTranslation", "IsTranslationOf", "Other"}, v);
}

bool is_related_identifier_type(std::string_view v) {
  return in({
      "ARK", "arXiv", "bibcode", "CSTR", "DOI", "EAN13", "EISSN", "Handle", "IGSN", "ISBN", "ISSN", "ISTC",
      "LISSN", "LSID", "PMID", "PURL", "RAiD", "RRID", "SWHID", "UPC", "URL", "URN", "w3id"}, v);
}

bool is_description_type(std::string_view v) {
  return in({"Abstract", "Methods", "SeriesInformation",
                                                     "TableOfContents", "TechnicalInfo", "Other"}, v);
}

bool is_funder_identifier_type(std::string_view v) {
  return in({"ISNI", "GRID", "ROR", "Crossref Funder ID", "Other"}, v);
}

std::string orcid_uri(std::string_view raw) {
  std::string v = trim(raw);
  std::string_view id = after_host(v, "orcid.org/");
  if (id.size() != 19) return "";
  std::string digits;
  for (std::size_t i = 0; i < id.size(); ++i) {
    char ch = id[i];
    if (i == 4 || i == 9 || i == 14) {
      if (ch != '-') return "";
    } else if (std::isdigit(static_cast<unsigned char>(ch)) || (i == 18 && ch == 'X')) {
      digits.push_back(ch);
    } else {
      return "";
    }
  }
  // ISO 7064 11,2 check digit, as ORCID defines it.
  int total = 0;
  for (std::size_t i = 0; i + 1 < digits.size(); ++i) total = (total + (digits[i] - '0')) * 2;
  int check = (12 - total % 11) % 11;
  char expected = check == 10 ? 'X' : static_cast<char>('0' + check);
  if (digits.back() != expected) return "";
  return "https://orcid.org/" + std::string(id);
}

std::string ror_uri(std::string_view raw) {
  std::string v = trim(raw);
  std::string_view id = after_host(v, "ror.org/");
  // ROR ids: "0" + 6 characters of Crockford base32 + 2 check digits.
  if (id.size() != 9 || id[0] != '0') return "";
  for (char ch : id)
    if (!(std::isdigit(static_cast<unsigned char>(ch)) || (ch >= 'a' && ch <= 'z'))) return "";
  return "https://ror.org/" + std::string(id);
}

std::string bare_doi(std::string_view raw) {
  std::string v = trim(raw);
  std::string_view d = v;
  for (std::string_view p : {"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"})
    if (d.compare(0, p.size(), p) == 0) {
      d.remove_prefix(p.size());
      break;
    }
  auto slash = d.find('/');
  if (d.compare(0, 3, "10.") != 0 || slash == std::string_view::npos || slash + 1 >= d.size()) return "";
  return std::string(d);
}

std::optional<json::object> person(const json::value& v, bool contributor) {
  json::object out;
  if (v.is_string()) {
    std::string name = trim(v.get_string());
    if (name.empty()) return std::nullopt;
    out["name"] = name;
    if (contributor) out["contributorType"] = "Other";
    return out;
  }
  if (!v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  std::string given = trim(json_string(o, "givenName")), family = trim(json_string(o, "familyName"));
  std::string name = trim(json_string(o, "name"));
  if (name.empty() && !family.empty()) name = given.empty() ? family : family + ", " + given;
  if (name.empty()) return std::nullopt;
  out["name"] = name;
  std::string type = json_string(o, "nameType");
  if (type == "Personal" || type == "Organizational") out["nameType"] = type;
  if (!given.empty()) out["givenName"] = given;
  if (!family.empty()) out["familyName"] = family;
  if (auto ids = name_identifiers(o); !ids.empty()) {
    out["nameIdentifiers"] = std::move(ids);
    if (!out.contains("nameType") && out["nameIdentifiers"].as_array()[0].as_object()["nameIdentifierScheme"] == "ORCID")
      out["nameType"] = "Personal";
  }
  if (auto aff = affiliations(o.if_contains("affiliation")); !aff.empty()) out["affiliation"] = std::move(aff);
  if (contributor) {
    std::string ct = json_string(o, "contributorType");
    out["contributorType"] = is_contributor_type(ct) ? ct : "Other";
  }
  return out;
}

std::optional<json::object> rights(std::string_view raw) {
  std::string license = trim(raw);
  if (license.empty()) return std::nullopt;
  std::string_view id = after_host(license, "spdx.org/licenses/");
  std::string spdx(id);
  if (spdx.size() > 5 && spdx.compare(spdx.size() - 5, 5, ".html") == 0) spdx.resize(spdx.size() - 5);
  // SPDX ids are versioned ("CC-BY-4.0", "GPL-3.0-only") but for a few; an spdx.org URL names one in any case.
  bool from_url = id.size() != license.size();
  bool spdx_like = !spdx.empty() && spdx.size() <= 64 &&
                   std::all_of(spdx.begin(), spdx.end(), [](char ch) {
                     return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' || ch == '+';
                   }) &&
                   (from_url || in({"MIT", "ISC", "Zlib", "Unlicense", "BlueOak-1.0.0"}, spdx) ||
                    std::any_of(spdx.begin(), spdx.end(), [](char ch) { return ch == '-' || ch == '.'; }));
  if (!spdx_like) return json::object{{"rights", license}};
  return json::object{{"rights", spdx},
                      {"rightsUri", "https://spdx.org/licenses/" + spdx + ".html"},
                      {"rightsIdentifier", spdx},
                      {"rightsIdentifierScheme", "SPDX"},
                      {"schemeUri", "https://spdx.org/licenses/"}};
}

}  // namespace openem::datacite
