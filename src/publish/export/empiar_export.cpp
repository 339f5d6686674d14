#include "publish/export/empiar_export.h"

#include <boost/json.hpp>

#include <array>
#include <cctype>

#include "core/json_fields.h"
#include "publish/export/empiar_imagesets.h"
#include "publish/export/empiar_people.h"

namespace openem {
namespace {

namespace json = boost::json;

// The EMPIAR schema's country list (ISO 3166-1 alpha-2 as EMPIAR has it: FX and XK, no UK).
constexpr std::string_view kCountryCodes =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BR BS BT BV BW BY BZ CA CC "
    "CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR FX GA "
    "GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP "
    "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS "
    "MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS "
    "RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW "
    "TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

// English names of the countries EM facilities are most often in; others are given as codes.
constexpr std::array<std::pair<std::string_view, std::string_view>, 48> kCountryNames{{
    {"argentina", "AR"}, {"australia", "AU"}, {"austria", "AT"}, {"belgium", "BE"}, {"brazil", "BR"},
    {"canada", "CA"}, {"chile", "CL"}, {"china", "CN"}, {"croatia", "HR"}, {"czech republic", "CZ"},
    {"czechia", "CZ"}, {"denmark", "DK"}, {"estonia", "EE"}, {"finland", "FI"}, {"france", "FR"},
    {"germany", "DE"}, {"greece", "GR"}, {"hungary", "HU"}, {"iceland", "IS"}, {"india", "IN"},
    {"ireland", "IE"}, {"israel", "IL"}, {"italy", "IT"}, {"japan", "JP"}, {"korea", "KR"},
    {"south korea", "KR"}, {"latvia", "LV"}, {"lithuania", "LT"}, {"luxembourg", "LU"}, {"mexico", "MX"},
    {"netherlands", "NL"}, {"new zealand", "NZ"}, {"norway", "NO"}, {"poland", "PL"}, {"portugal", "PT"},
    {"singapore", "SG"}, {"slovakia", "SK"}, {"slovenia", "SI"}, {"south africa", "ZA"}, {"spain", "ES"},
    {"sweden", "SE"}, {"switzerland", "CH"}, {"taiwan", "TW"}, {"united kingdom", "GB"}, {"uk", "GB"},
    {"united states", "US"}, {"usa", "US"}, {"united states of america", "US"},
}};

class Builder {
 public:
  Builder(const ExportSubject& s, const EmpiarOptions& o, std::vector<ExportProblem>& p)
      : subject_(s), options_(o), problems_(p) {}

  json::object build() {
    json::object doc;
    std::string title = json_string(subject_.dataset, "datasetName");
    if (title.empty()) title = json_string(subject_.dataset, "title");
    if (title.size() < 10 || title.size() > 255) {
      error("datasetName", "title", "the title must be 10 to 255 characters (EMPIAR): \"" + title + "\"");
    }
    doc["title"] = title;
    std::string release = options_.release_date.empty() ? "HP" : options_.release_date;
    if (release != "RE" && release != "EP" && release != "HP" && release != "HO") {
      error("", "release_date", "must be RE, EP, HP or HO, not \"" + release + "\"");
    }
    doc["release_date"] = release;
    if (options_.release_date.empty()) fill_in("release_date", "HP (hold until the paper is published) was assumed");
    doc["experiment_type"] = options_.experiment_type.value_or(3);
    if (!options_.experiment_type) {
      fill_in("experiment_type", "3 (raw image data of an EMDB structure) was assumed");
      doc["cross_references"] = json::array();
      fill_in("cross_references", "the EMDB entry (EMD-NNNN) this data belongs to");
    }

    EmpiarPeople people = empiar_people(subject_);
    if (people.authors.empty()) {
      error("organizational.authors", "authors",
            "no author: the metadata has no authors, no published data or readable proposal names any, and the "
            "dataset has no PI");
      return doc;
    }
    json::array authors;
    for (std::size_t i = 0; i < people.authors.size(); ++i) authors.push_back(empiar_author(people.authors[i], i));
    doc["authors"] = authors;
    doc["corresponding_author"] = contact(people.corresponding, "corresponding_author");
    doc["principal_investigator"] = json::array{contact(people.investigator, "principal_investigator[0]")};
    doc["imagesets"] = empiar_imagesets(subject_, problems_);
    doc["citation"] = empiar_citations(subject_, title, authors, problems_);
    return doc;
  }

 private:
  void error(std::string source, std::string target, std::string message) {
    problems_.push_back({ExportProblem::Severity::kError, std::move(source), std::move(target), std::move(message)});
  }
  void fill_in(std::string target, std::string what) {
    problems_.push_back({ExportProblem::Severity::kWarning, "", std::move(target), "to fill in: " + std::move(what)});
  }

  // Errors name where the person came from (p.from), so the user knows what to correct.
  json::object contact(const EmpiarPerson& p, const std::string& target) {
    const std::string& source = p.from;
    std::string organization = p.organization.empty() ? options_.organization : p.organization;
    std::string country = iso_country_code(p.country.empty() ? options_.country : p.country);
    std::string who = p.given.empty() ? p.family : p.given + " " + p.family;
    if (organization.empty()) {
      error(source, target + ".organization", "unknown for " + who + ": give --organization");
    }
    if (country.empty()) {
      error(source, target + ".country",
            "unknown or not an ISO 3166 country (\"" + (p.country.empty() ? options_.country : p.country) +
                "\"): give --country");
    }
    if (p.email.empty()) error(source, target + ".email", "unknown: " + who + " has no e-mail in " + source);
    json::object c{{"first_name", empiar_name_safe(p.given).empty() ? empiar_initials(p.family) : empiar_name_safe(p.given)},
                   {"last_name", empiar_name_safe(p.family)},
                   {"organization", organization},
                   {"email", p.email},
                   {"country", country}};
    c["author_orcid"] = p.orcid.empty() ? json::value(nullptr) : json::value(p.orcid);
    return c;
  }

  const ExportSubject& subject_;
  const EmpiarOptions& options_;
  std::vector<ExportProblem>& problems_;
};

}  // namespace

std::string iso_country_code(const std::string& name_or_code) {
  std::string key;
  for (char c : name_or_code) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!key.empty() && key.back() == ' ') key.pop_back();
  while (!key.empty() && key.front() == ' ') key.erase(key.begin());
  if (key.size() == 2) {
    std::string code{static_cast<char>(std::toupper(static_cast<unsigned char>(key[0]))),
                     static_cast<char>(std::toupper(static_cast<unsigned char>(key[1])))};
    if (code == "UK") return "GB";
    for (std::size_t i = 0; i + 2 <= kCountryCodes.size(); i += 3) {
      if (kCountryCodes.substr(i, 2) == code) return code;
    }
    return "";
  }
  for (auto [name, code] : kCountryNames) {
    if (name == key) return std::string(code);
  }
  return "";
}

EmpiarResult empiar_deposition(const ExportSubject& subject, const EmpiarOptions& options) {
  EmpiarResult result;
  Builder builder(subject, options, result.problems);
  json::object document = builder.build();
  if (!has_errors(result.problems) || options.allow_incomplete) result.document = std::move(document);
  return result;
}

}  // namespace openem
