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

// "oai:<repository>:<pid>", the pid's characters outside the scheme's set %-encoded.
std::string item_identifier(std::string_view repository, std::string_view pid);
// The pid an identifier names in this repository; nullopt for another repository's, a
// malformed one, or one that is not in canonical form.
std::optional<std::string> pid_of(std::string_view repository, std::string_view identifier);

// A value as one setSpec component: characters outside [A-Za-z0-9-_.!*'()] as ~XX.
std::string set_component(std::string_view value);
std::optional<std::string> value_of_set_component(std::string_view component);

// The kinds of sets and what they select among public datasets.
enum class SetKind { Instrument, Technique, Group, Status };
struct SetKindInfo {
  SetKind kind;
  const char* spec;   // "instrument"
  const char* name;   // "Instruments"
  const char* field;  // the dataset field it selects by ("" for status: every public dataset)
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

}  // namespace openem::oai
