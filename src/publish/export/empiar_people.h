#pragma once
// The people and publications of an EMPIAR deposition (part of empiar_export.h): the entry's
// authors, corresponding author and principal investigator, and its citations, from what the
// catalog knows — OSC-EM `organizational.authors` (with roles), the published-data records
// that include the dataset (creators, DOI, title, year, abstract), the dataset's proposal
// (PI and proposer with their e-mails) and, last, the dataset's own PI and contact e-mail.
// Pure; thread-safe.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "publish/export/export_problem.h"
#include "publish/export/export_subject.h"

namespace openem {

struct EmpiarPerson {
  std::string given, family, email, orcid, organization, country, role;
  std::string from;  // the source naming the person, for messages: "organizational.authors", "the proposal P-1", ...
};

struct EmpiarPeople {
  std::vector<EmpiarPerson> authors;  // the entry's authors in order; empty when nobody is known
  EmpiarPerson corresponding, investigator;
};

// Authors: OSC-EM's if it names any, else the first published-data record's person creators,
// else the proposal's proposer and PI, else the dataset's PI. Corresponding author: OSC-EM's
// "corresponding" role, else the proposal's proposer, else the first author with an e-mail,
// else the dataset's PI and contact e-mail (published-data creators carry no e-mail).
// Principal investigator: OSC-EM's "principal investigator" role, else the proposal's PI, else
// the dataset's principalInvestigator, else the corresponding author. Both are added to the authors when missing there (EMPIAR wants
// every person in the author list), and details one source lacks (e-mail, ORCID iD,
// organization) are taken from another source naming the same person.
EmpiarPeople empiar_people(const ExportSubject& subject);

// An EMPIAR author entry: {"name": "('Family', 'GI')", "order_id": n, "author_orcid": ...}.
boost::json::object empiar_author(const EmpiarPerson& person, std::size_t order);

// One citation per published-data record, oldest first: its creators (else the entry's
// authors), title, DOI (when it fits EMPIAR's pattern), publication year, abstract as details,
// publisher; a data publication is a non-journal citation, and "published" once its DOI is
// registered. Without a record: the entry's title and authors, unpublished. What the depositor
// must still give is added to `problems` as a warning.
boost::json::array empiar_citations(const ExportSubject& subject, const std::string& entry_title,
                                    const boost::json::array& entry_authors, std::vector<ExportProblem>& problems);

// Text for EMPIAR's name patterns, which refuse digits and !"£$%^&*().
std::string empiar_name_safe(std::string_view s);
// "Carlos F." → "CF": EMPIAR wants given names as capital initials.
std::string empiar_initials(std::string_view given);
// "https://orcid.org/0000-0002-1825-0097" → "0000-0002-1825-0097"; "" when not an ORCID iD.
std::string empiar_bare_orcid(const std::string& orcid);

}  // namespace openem
