#pragma once
// Names in openem's OAI-PMH: item identifiers in the oai-identifier scheme
// ("oai:<repositoryIdentifier>:<pid>", guidelines-oai-identifier, validated by
// oai-identifier.xsd) and setSpecs for the catalog's sets — `instrument:<id>`,
// `technique:<name>`, `group:<ownerGroup>` (the facility), `status:published` — with their
// values encoded into the characters a setSpec may hold. Both encodings are one-to-one: an
// identifier or setSpec that is not the canonical form of a value names nothing. Pure
// functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace openem::oai {

// A domain-name-like repository identifier ("data.facility.org"), as the scheme requires.
bool valid_repository_identifier(std::string_view s);

// The two kinds of items: public datasets, and published-data records (SciCat's OAI provider
// serves the latter; openem serves both).
enum class ItemKind { Dataset = 0, PublishedData = 1 };
struct ItemRef {
  ItemKind kind = ItemKind::Dataset;
  std::string id;  // the pid, or the DOI
  bool operator==(const ItemRef&) const = default;
};

// "oai:<repository>:<pid>" for a dataset and "oai:<repository>:doi:<DOI>" for a published-data
// record, the id's characters outside the scheme's set %-encoded — and the ':' of a pid that
// itself begins with "doi:", so that the two kinds never share an identifier.
std::string item_identifier(std::string_view repository, const ItemRef& item);
// The item an identifier names in this repository; nullopt for another repository's, a
// malformed one, or one that is not in canonical form.
std::optional<ItemRef> item_of(std::string_view repository, std::string_view identifier);

// A value as one setSpec component: characters outside [A-Za-z0-9-_.!*'()] as ~XX.
std::string set_component(std::string_view value);
std::optional<std::string> value_of_set_component(std::string_view component);

// The kinds of sets and what they select. Instrument, technique and group sets hold datasets
// only; the status sets are `status:published` (every public dataset) and one per state of a
// readable published-data record (`status:public`, `status:registered`, `status:amended`).
enum class SetKind { Instrument, Technique, Group, Status };
struct SetKindInfo {
  SetKind kind;
  const char* spec;   // "instrument"
  const char* name;   // "Instruments"
  const char* field;  // the dataset field it selects by ("" for status)
};
const SetKindInfo* set_kinds(std::size_t& count);

// A parsed setSpec: the kind, and the value ("" for the kind as a whole: every dataset with
// some value). nullopt for a setSpec that names no set of ours.
struct SetSelection {
  const SetKindInfo* kind = nullptr;
  std::string value;
};
std::optional<SetSelection> parse_set(std::string_view spec);
inline constexpr const char* kPublishedStatus = "published";
// The published-data states a status set may name, with the set's name.
struct RecordStatusSet {
  const char* status;
  const char* name;
};
inline constexpr RecordStatusSet kRecordStatusSets[] = {
    {"public", "Published data: public, DOI reserved"},
    {"registered", "Published data: DOI registered"},
    {"amended", "Published data: amended after registration"},
};

}  // namespace openem::oai
