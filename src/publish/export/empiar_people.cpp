#include "publish/export/empiar_people.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/json_fields.h"
#include "core/json_path.h"
#include "publish/datacite/vocabulary.h"

namespace openem {
namespace {

namespace json = boost::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Two sources name the same person: the same e-mail, or the same family name with no
// contradicting first initial ("A. Lovelace" and "Ada Lovelace").
bool same_person(const EmpiarPerson& a, const EmpiarPerson& b) {
  if (!a.email.empty() && !b.email.empty() && lower(a.email) == lower(b.email)) return true;
  if (a.family.empty() || lower(a.family) != lower(b.family)) return false;
  std::string ia = empiar_initials(a.given), ib = empiar_initials(b.given);
  return ia.empty() || ib.empty() || ia[0] == ib[0];
}

// What `p` lacks, from another source naming the same person.
void complete_from(EmpiarPerson& p, const EmpiarPerson& other) {
  for (auto [mine, theirs] : {std::pair{&p.given, &other.given}, std::pair{&p.email, &other.email},
                              std::pair{&p.orcid, &other.orcid}, std::pair{&p.organization, &other.organization},
                              std::pair{&p.country, &other.country}}) {
    if (mine->empty()) *mine = *theirs;
  }
}

// "Lovelace, Ada" (DataCite's order) or "Ada Lovelace" → given and family names.
void split_name(const std::string& name, EmpiarPerson& p) {
  std::string n = trim(name);
  if (auto comma = n.find(','); comma != std::string::npos) {
    p.family = trim(std::string_view(n).substr(0, comma));
    p.given = trim(std::string_view(n).substr(comma + 1));
  } else if (auto space = n.rfind(' '); space != std::string::npos) {
    p.given = trim(std::string_view(n).substr(0, space));
    p.family = n.substr(space + 1);
  } else {
    p.family = n;
  }
}

std::vector<EmpiarPerson> oscem_authors(const json::object& oscem) {
  std::vector<EmpiarPerson> out;
  const json::value* authors = value_at_path(oscem, "organizational.authors");
  if (!authors || !authors->is_array()) return out;
  for (const json::value& a : authors->get_array()) {
    const json::object* o = a.if_object();
    if (!o) continue;
    EmpiarPerson p;
    p.given = json_string(*o, "given_name").empty() ? json_string(*o, "first_name") : json_string(*o, "given_name");
    p.family = json_string(*o, "family_name").empty() ? json_string(*o, "name") : json_string(*o, "family_name");
    p.email = json_string(*o, "email");
    p.orcid = empiar_bare_orcid(json_string(*o, "orcid"));
    p.organization = json_string(*o, "name_org");
    p.country = json_string(*o, "country");
    p.role = json_string(*o, "role");
    p.from = "organizational.authors";
    if (!p.family.empty()) out.push_back(std::move(p));
  }
  return out;
}

const json::object& metadata_of(const json::object& record) {
  static const json::object kNone;
  const json::value* m = record.if_contains("metadata");
  return m && m->is_object() ? m->get_object() : kNone;
}

// The people among a published-data record's creators (v4 metadata.creators, or v3 creator
// names); organizations are left out, EMPIAR's author names are people's.
std::vector<EmpiarPerson> record_creators(const json::object& record) {
  std::vector<EmpiarPerson> out;
  const std::string from = "the published data " + json_string(record, "doi");
  const json::value* creators = metadata_of(record).if_contains("creators");
  if (creators && creators->is_array()) {
    for (const json::value& c : creators->get_array()) {
      const json::object* o = c.if_object();
      if (!o || json_string(*o, "nameType") == "Organizational") continue;
      EmpiarPerson p;
      p.given = json_string(*o, "givenName");
      p.family = json_string(*o, "familyName");
      if (p.family.empty()) split_name(json_string(*o, "name"), p);
      if (const json::value* ids = o->if_contains("nameIdentifiers"); ids && ids->is_array()) {
        for (const json::value& id : ids->get_array()) {
          if (id.is_object() && lower(json_string(id.get_object(), "nameIdentifierScheme")) == "orcid") {
            p.orcid = empiar_bare_orcid(json_string(id.get_object(), "nameIdentifier"));
          }
        }
      }
      if (const json::value* aff = o->if_contains("affiliation"); aff && aff->is_array() && !aff->get_array().empty()) {
        const json::value& first = aff->get_array().front();
        p.organization = first.is_string() ? std::string(first.get_string())
                         : first.is_object() ? json_string(first.get_object(), "name")
                                             : "";
      }
      p.from = from;
      if (!p.family.empty()) out.push_back(std::move(p));
    }
  } else if (const json::value* names = record.if_contains("creator"); names && names->is_array()) {
    for (const json::value& n : names->get_array()) {
      EmpiarPerson p;
      if (n.is_string()) split_name(std::string(n.get_string()), p);
      p.from = from;
      if (!p.family.empty()) out.push_back(std::move(p));
    }
  }
  return out;
}

// The records oldest first (then by DOI), so the first citation is the first publication.
std::vector<const json::object*> records_in_order(const ExportSubject& subject) {
  std::vector<const json::object*> out;
  for (const json::object& r : subject.published_data) out.push_back(&r);
  std::stable_sort(out.begin(), out.end(), [](const json::object* a, const json::object* b) {
    std::string ta = json_string(*a, "createdAt"), tb = json_string(*b, "createdAt");  // ISO 8601 UTC sorts as text
    return ta != tb ? ta < tb : json_string(*a, "doi") < json_string(*b, "doi");
  });
  return out;
}

EmpiarPerson proposal_person(const json::object& proposal, const std::string& prefix) {
  EmpiarPerson p;
  p.given = trim(json_string(proposal, prefix + "firstname"));
  p.family = trim(json_string(proposal, prefix + "lastname"));
  p.email = trim(json_string(proposal, prefix + "email"));
  p.from = "the proposal " + json_string(proposal, "proposalId");
  return p;
}

// The dataset's PI ("Given Family" or an e-mail address) and its contact e-mail.
EmpiarPerson dataset_person(const json::object& dataset) {
  std::string pi = json_string(dataset, "principalInvestigator");
  if (pi.empty()) pi = json_string(dataset, "owner");
  EmpiarPerson p;
  if (pi.find('@') == std::string::npos) split_name(pi, p);
  p.email = json_string(dataset, "contactEmail");
  if (p.email.empty()) p.email = json_string(dataset, "ownerEmail");
  if (p.email.empty() && pi.find('@') != std::string::npos) p.email = pi;
  p.orcid = empiar_bare_orcid(json_string(dataset, "orcidOfOwner"));
  p.from = "the dataset's principalInvestigator";
  return p;
}

const EmpiarPerson* with_role(const std::vector<EmpiarPerson>& people, std::string_view role) {
  for (const EmpiarPerson& p : people) {
    std::string r = lower(p.role);
    if (r.find(role) != std::string::npos || (role == "principal investigator" && r == "pi")) return &p;
  }
  return nullptr;
}

// EMPIAR's DOI pattern (empiar_deposition.schema.json, citation.doi), max 80 characters.
bool empiar_doi(const std::string& doi) {
  static const std::regex kDoi("^10.[0-9]{4,9}/[-._;()/:A-z0-9]+$");
  return doi.size() <= 80 && std::regex_match(doi, kDoi);
}

// At most `bytes` bytes of UTF-8 text, never cutting a character in two.
std::string utf8_prefix(const std::string& s, std::size_t bytes) {
  if (s.size() <= bytes) return s;
  std::size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace

std::string empiar_name_safe(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isdigit(c) || std::string_view("!\"$%^&*()").find(static_cast<char>(c)) != std::string_view::npos) continue;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA3) {  // £
      ++i;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

std::string empiar_initials(std::string_view given) {
  std::string out;
  bool start = true;
  for (char c : given) {
    if (c == ' ' || c == '-' || c == '.') {
      start = true;
    } else if (start && std::isalpha(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      start = false;
    } else {
      start = false;
    }
  }
  return out;
}

std::string empiar_bare_orcid(const std::string& orcid) {
  std::string uri = datacite::orcid_uri(orcid);
  return uri.empty() ? "" : uri.substr(uri.rfind('/') + 1);
}

EmpiarPeople empiar_people(const ExportSubject& subject) {
  EmpiarPeople people;
  std::vector<EmpiarPerson> oscem = oscem_authors(subject.oscem);
  std::vector<EmpiarPerson> creators;
  for (const json::object* record : records_in_order(subject)) {
    creators = record_creators(*record);
    if (!creators.empty()) break;
  }
  EmpiarPerson proposer = proposal_person(subject.proposal, "");
  EmpiarPerson pi = proposal_person(subject.proposal, "pi_");
  EmpiarPerson dataset_pi = dataset_person(subject.dataset);

  if (!oscem.empty()) {
    people.authors = oscem;
  } else if (!creators.empty()) {
    people.authors = creators;
  } else if (!proposer.family.empty() || !pi.family.empty()) {
    if (!proposer.family.empty()) people.authors.push_back(proposer);
    if (!pi.family.empty() && (proposer.family.empty() || !same_person(proposer, pi))) people.authors.push_back(pi);
  } else if (!dataset_pi.family.empty()) {
    people.authors.push_back(dataset_pi);
  }
  if (people.authors.empty()) return people;

  std::vector<EmpiarPerson> known = oscem;
  known.insert(known.end(), creators.begin(), creators.end());
  for (const EmpiarPerson* p : {&proposer, &pi, &dataset_pi}) {
    if (!p->family.empty()) known.push_back(*p);
  }
  auto completed = [&](EmpiarPerson p) {
    for (const EmpiarPerson& k : known) {
      if (same_person(p, k)) complete_from(p, k);
    }
    return p;
  };
  for (EmpiarPerson& a : people.authors) a = completed(a);

  const EmpiarPerson* corresponding = with_role(people.authors, "corresponding");
  auto with_email = std::find_if(people.authors.begin(), people.authors.end(),
                                 [](const EmpiarPerson& a) { return !a.email.empty(); });
  if (corresponding) {
    people.corresponding = *corresponding;
  } else if (!proposer.family.empty()) {
    people.corresponding = completed(proposer);
  } else if (with_email != people.authors.end()) {
    people.corresponding = *with_email;
  } else if (!dataset_pi.family.empty() && !dataset_pi.email.empty()) {
    people.corresponding = completed(dataset_pi);  // creators carry no e-mail: the dataset's contact
  } else {
    people.corresponding = people.authors.front();
  }
  const EmpiarPerson* investigator = with_role(people.authors, "principal investigator");
  people.investigator = investigator              ? *investigator
                        : !pi.family.empty()         ? completed(pi)
                        : !dataset_pi.family.empty() ? completed(dataset_pi)  // the catalog's own PI field
                                                     : people.corresponding;
  for (const EmpiarPerson* p : {&people.corresponding, &people.investigator}) {
    bool listed = std::any_of(people.authors.begin(), people.authors.end(),
                              [&](const EmpiarPerson& a) { return same_person(a, *p); });
    if (!listed) people.authors.push_back(*p);
  }
  return people;
}

json::object empiar_author(const EmpiarPerson& p, std::size_t order) {
  std::string given = empiar_initials(empiar_name_safe(p.given));
  if (given.empty()) given = empiar_initials(empiar_name_safe(p.family));
  json::object a{{"name", "('" + empiar_name_safe(p.family) + "', '" + given + "')"}, {"order_id", order}};
  a["author_orcid"] = p.orcid.empty() ? json::value(nullptr) : json::value(p.orcid);
  return a;
}

json::array empiar_citations(const ExportSubject& subject, const std::string& entry_title,
                             const json::array& entry_authors, std::vector<ExportProblem>& problems) {
  auto fill_in = [&](std::string source, std::string target, std::string what) {
    problems.push_back({ExportProblem::Severity::kWarning, std::move(source), std::move(target), "to fill in: " + what});
  };
  json::array out;
  for (const json::object* record : records_in_order(subject)) {
    std::string target = "citation[" + std::to_string(out.size()) + "]";
    std::string doi = json_string(*record, "doi");
    std::string source = "publisheddata " + doi;
    const json::object& m = metadata_of(*record);
    std::vector<EmpiarPerson> creators = record_creators(*record);
    json::array authors;
    for (std::size_t i = 0; i < creators.size(); ++i) authors.push_back(empiar_author(creators[i], i));
    if (authors.empty()) authors = entry_authors;
    std::string title = json_string(*record, "title");
    std::string status = json_string(*record, "status");
    bool registered = status == "registered" || status == "amended";
    // The data publication itself: not a journal article; published once its DOI resolves.
    json::object c{{"authors", authors},
                   {"editors", json::array()},
                   {"published", registered},
                   {"j_or_nj_citation", false},
                   {"title", title.empty() ? entry_title : title}};
    if (empiar_doi(doi)) {
      c["doi"] = doi;
    } else if (!doi.empty()) {
      fill_in(source, target + ".doi", "\"" + doi + "\" does not fit EMPIAR's DOI pattern; not written");
    }
    std::string year = json_text(m, "publicationYear");
    if (year.empty()) year = json_text(*record, "publicationYear");
    int y = 0;
    try {
      y = year.empty() ? 0 : std::stoi(year);
    } catch (const std::exception&) {
    }
    if (y >= 1000 && y <= 9999) c["year"] = y;
    std::string abstract = json_string(*record, "abstract");
    if (!abstract.empty()) c["details"] = utf8_prefix(abstract, 65535);
    std::string publisher = json_string(m, "publisher");
    if (const json::value* p = m.if_contains("publisher"); p && p->is_object()) publisher = json_string(p->get_object(), "name");
    if (!publisher.empty() && publisher.size() <= 80) c["publisher"] = publisher;
    if (!registered) {
      fill_in(source, target + ".published",
              "the DOI " + doi + " is not registered yet (status " + (status.empty() ? "unknown" : status) +
                  "): \"published\" is false until it is");
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) {
    // No publication yet: the entry's own title and authors, unpublished (Scipion's EMPIAR template).
    out.push_back(json::object{{"authors", entry_authors},
                               {"editors", json::array()},
                               {"published", false},
                               {"j_or_nj_citation", true},
                               {"title", entry_title}});
    fill_in("", "citation[0]", "the paper's journal, volume, pages, year and DOI once it is out");
  } else {
    fill_in("", "citation", "the paper (journal, volume, pages, year, DOI) once it is out; the data publication is cited");
  }
  return out;
}

}  // namespace openem
