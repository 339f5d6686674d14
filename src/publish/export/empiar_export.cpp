#include "publish/export/empiar_export.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

#include "core/json_path.h"
#include "core/units.h"
#include "publish/datacite/vocabulary.h"

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

std::string str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

std::optional<double> number_at(const json::object& root, std::string_view path, std::string_view unit = "") {
  const json::value* v = value_at_path(root, path);
  if (!v) return std::nullopt;
  std::string given;
  if (const json::object* q = v->if_object()) {
    given = str(*q, "unit");
    auto value = q->find("value");
    v = value == q->end() ? nullptr : &value->value();
  }
  if (!v || !v->is_number()) return std::nullopt;
  double d = v->to_number<double>();
  if (unit.empty() || given.empty()) return d;
  return UnitConverter::instance().convert(d, given, unit);
}

// Characters EMPIAR's name patterns refuse: digits and !"£$%^&*()
std::string name_safe(std::string_view s) {
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

// "Carlos F." → "CF": EMPIAR wants the given names as capital initials.
std::string initials(std::string_view given) {
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

std::string bare_orcid(const std::string& orcid) {
  std::string uri = datacite::orcid_uri(orcid);
  return uri.empty() ? "" : uri.substr(uri.rfind('/') + 1);
}

struct Person {
  std::string given, family, email, orcid, organization, country, role;
};

class Builder {
 public:
  Builder(const ExportSubject& s, const EmpiarOptions& o, std::vector<ExportProblem>& p)
      : subject_(s), options_(o), problems_(p) {}

  json::object build() {
    json::object doc;
    std::string title = str(subject_.dataset, "datasetName");
    if (title.empty()) title = str(subject_.dataset, "title");
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

    std::vector<Person> people = persons();
    if (people.empty()) {
      error("organizational.authors", "authors", "no author: the metadata has no authors and the dataset no PI");
      return doc;
    }
    json::array authors;
    for (std::size_t i = 0; i < people.size(); ++i) authors.push_back(author(people[i], i));
    doc["authors"] = authors;
    const Person& corresponding = pick(people, "corresponding");
    doc["corresponding_author"] = contact(corresponding, "corresponding_author");
    doc["principal_investigator"] = json::array{contact(pick(people, "principal investigator"), "principal_investigator[0]")};
    doc["imagesets"] = imagesets();
    // No paper yet: the entry's own title and authors, unpublished (Scipion's EMPIAR template).
    doc["citation"] = json::array{json::object{{"authors", authors},
                                               {"editors", json::array()},
                                               {"published", false},
                                               {"j_or_nj_citation", true},
                                               {"title", title}}};
    fill_in("citation[0]", "the paper's journal, volume, pages, year and DOI once it is out");
    return doc;
  }

 private:
  void error(std::string source, std::string target, std::string message) {
    problems_.push_back({ExportProblem::Severity::kError, std::move(source), std::move(target), std::move(message)});
  }
  void fill_in(std::string target, std::string what) {
    problems_.push_back({ExportProblem::Severity::kWarning, "", std::move(target), "to fill in: " + std::move(what)});
  }

  std::vector<Person> persons() {
    std::vector<Person> out;
    if (const json::value* authors = value_at_path(subject_.oscem, "organizational.authors"); authors && authors->is_array()) {
      for (const json::value& a : authors->get_array()) {
        const json::object* o = a.if_object();
        if (!o) continue;
        Person p;
        p.given = str(*o, "given_name").empty() ? str(*o, "first_name") : str(*o, "given_name");
        p.family = str(*o, "family_name").empty() ? str(*o, "name") : str(*o, "family_name");
        p.email = str(*o, "email");
        p.orcid = bare_orcid(str(*o, "orcid"));
        p.organization = str(*o, "name_org");
        p.country = str(*o, "country");
        p.role = str(*o, "role");
        if (!p.family.empty()) out.push_back(std::move(p));
      }
    }
    if (out.empty()) {  // the dataset's PI ("Given Family" or an e-mail address) and contact
      std::string pi = str(subject_.dataset, "principalInvestigator");
      if (pi.empty()) pi = str(subject_.dataset, "owner");
      Person p;
      auto space = pi.rfind(' ');
      if (pi.find('@') == std::string::npos && space != std::string::npos) {
        p.given = pi.substr(0, space);
        p.family = pi.substr(space + 1);
      } else if (pi.find('@') == std::string::npos) {
        p.family = pi;  // one word: all we know is a name
      }
      p.email = str(subject_.dataset, "contactEmail");
      if (p.email.empty()) p.email = str(subject_.dataset, "ownerEmail");
      if (p.email.empty() && pi.find('@') != std::string::npos) p.email = pi;
      p.orcid = bare_orcid(str(subject_.dataset, "orcidOfOwner"));
      if (!p.family.empty()) out.push_back(std::move(p));
    }
    return out;
  }

  static const Person& pick(const std::vector<Person>& people, std::string_view role) {
    for (const Person& p : people) {
      std::string r = p.role;
      std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
      if (r.find(role) != std::string::npos) return p;
    }
    return people.front();
  }

  json::object author(const Person& p, std::size_t order) {
    std::string given = initials(name_safe(p.given));
    if (given.empty()) given = initials(name_safe(p.family));
    json::object a{{"name", "('" + name_safe(p.family) + "', '" + given + "')"}, {"order_id", order}};
    a["author_orcid"] = p.orcid.empty() ? json::value(nullptr) : json::value(p.orcid);
    return a;
  }

  json::object contact(const Person& p, const std::string& target) {
    std::string organization = p.organization.empty() ? options_.organization : p.organization;
    std::string country = iso_country_code(p.country.empty() ? options_.country : p.country);
    if (organization.empty()) error("organizational.authors[].name_org", target + ".organization", "unknown: give --organization");
    if (country.empty()) {
      error("organizational.authors[].country", target + ".country",
            "unknown or not an ISO 3166 country (\"" + (p.country.empty() ? options_.country : p.country) +
                "\"): give --country");
    }
    if (p.email.empty()) error("organizational.authors[].email", target + ".email", "unknown: the person has no e-mail");
    json::object c{{"first_name", name_safe(p.given).empty() ? initials(p.family) : name_safe(p.given)},
                   {"last_name", name_safe(p.family)},
                   {"organization", organization},
                   {"email", p.email},
                   {"country", country}};
    c["author_orcid"] = p.orcid.empty() ? json::value(nullptr) : json::value(p.orcid);
    return c;
  }

  struct Group {
    std::string category, format, directory, extension;
    int count = 0;
    bool movies = false;
  };

  json::array imagesets() {
    const json::value* t = value_at_path(subject_.oscem, "acquisition.technique");
    std::string technique = t && t->is_string() ? std::string(t->get_string()) : "";
    bool tomography = technique == "subtomo" || technique == "cellular_tomo" || technique == "env_tomo";
    std::set<std::string> stacks_with_mdoc;  // "TS_01.mrc" when "TS_01.mrc.mdoc" is in the list
    for (const ExportFile& f : subject_.files) {
      if (f.path.size() > 5 && f.path.compare(f.path.size() - 5, 5, ".mdoc") == 0) {
        stacks_with_mdoc.insert(f.path.substr(0, f.path.size() - 5));
      }
    }
    std::map<std::string, Group> groups;  // by directory + kind
    for (const ExportFile& f : subject_.files) {
      auto slash = f.path.rfind('/');
      std::string directory = slash == std::string::npos ? "" : f.path.substr(0, slash);
      std::string name = slash == std::string::npos ? f.path : f.path.substr(slash + 1);
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      auto dot = lower.rfind('.');
      std::string ext = dot == std::string::npos ? "" : lower.substr(dot + 1);
      std::string format = ext == "eer" ? "T9" : (ext == "tif" || ext == "tiff") ? "T3" : ext == "mrc" || ext == "st" ? "T1"
                           : ext == "mrcs" ? "T2" : ext == "dm4" ? "T6" : ext == "dm3" ? "T5" : "";
      if (format.empty()) continue;  // metadata files (.mdoc, .xml, .dm) travel with their image set
      Group g;
      g.format = format;
      g.directory = directory;
      g.extension = ext;
      bool gain = lower.find("gain") != std::string::npos || lower.find("countref") != std::string::npos;
      if (gain) {
        g.category = "('OT', 'gain reference')";
      } else if (stacks_with_mdoc.count(f.path) || (tomography && (ext == "st" || ext == "mrc"))) {
        g.category = "('T9', '')";
      } else if (ext == "eer" || ext == "tif" || ext == "tiff" || ext == "mrcs" ||
                 lower.find("fractions") != std::string::npos) {
        g.category = "('T2', '')";
        g.movies = true;
      } else {
        g.category = "('T1', '')";
      }
      Group& slot = groups.try_emplace(directory + "\n" + g.category + "\n" + ext, g).first->second;
      ++slot.count;
    }
    if (groups.empty()) {
      error("files", "imagesets", "no image files (.eer, .tif, .mrc, .mrcs, .dm4) in the dataset");
      return {};
    }
    auto frames = number_at(subject_.oscem, "acquisition.frames_per_movie");
    auto pixel = number_at(subject_.oscem, "acquisition.pixel_size", "Å");
    auto width = number_at(subject_.oscem, "acquisition.image_size.width");
    auto height = number_at(subject_.oscem, "acquisition.image_size.height");
    json::array out;
    int index = 0;
    for (const auto& [key, g] : groups) {
      std::string target = "imagesets[" + std::to_string(index++) + "]";
      static const std::map<std::string, std::string> kNames = {
          {"('T1', '')", "micrographs"}, {"('T2', '')", "movies"}, {"('T9', '')", "tilt series"},
          {"('OT', 'gain reference')", "gain reference"}};
      std::string name = kNames.at(g.category) + " (" + g.extension + ")" +
                         (g.directory.empty() ? "" : " in " + g.directory);
      json::object set{{"name", name.substr(0, 200)},
                       {"directory", ("data/" + g.directory).substr(0, 200)},
                       {"category", g.category},
                       {"header_format", "('" + g.format + "', '')"},
                       {"data_format", "('" + g.format + "', '')"},
                       {"num_images_or_tilt_series", g.count}};
      if (g.movies && frames) {
        set["frames_per_image"] = static_cast<std::int64_t>(*frames);
        set["frame_range_min"] = 1;
        set["frame_range_max"] = static_cast<std::int64_t>(*frames);
      } else if (g.movies) {
        set["frames_per_image"] = 0;
        fill_in(target + ".frames_per_image", "frames per movie (not in the metadata; 0 written)");
      } else {
        set["frames_per_image"] = 1;
      }
      // The voxel type is in each file's header, which the catalog does not keep.
      set["voxel_type"] = g.extension == "eer" ? "('OT', 'EER ELECTRON EVENTS')" : "('OT', 'UNKNOWN')";
      fill_in(target + ".voxel_type", "the pixel data type of the " + g.extension + " files");
      if (pixel && g.category != "('OT', 'gain reference')") {
        set["pixel_width"] = *pixel;
        set["pixel_height"] = *pixel;
      }
      if (width && height) {
        set["image_width"] = static_cast<std::int64_t>(*width);
        set["image_height"] = static_cast<std::int64_t>(*height);
      }
      out.push_back(std::move(set));
    }
    return out;
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
