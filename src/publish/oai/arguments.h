#pragma once
// The arguments of an OAI-PMH 2.0 request (GET query or POST application/x-www-form-urlencoded
// body) and their validation against the protocol (§3.1, §3.6): which verb, which arguments
// each verb takes, required and exclusive ones, repeats, and the from/until datestamps at the
// day or seconds granularity. What fails here is badVerb or badArgument, the two errors whose
// response echoes no argument: every value a valid request carries is then safe to echo in
// the response's <request> element (it fits the attribute types of OAI-PMH.xsd). Pure
// functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/time.h"

namespace openem::oai {

enum class Verb { Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords, GetRecord };
const char* verb_name(Verb v);

// An OAI-PMH error condition (§3.6): its code ("badArgument", ...) and a text for people.
struct Error {
  std::string code;
  std::string message;
};

using ArgumentList = std::vector<std::pair<std::string, std::string>>;

// Splits form-encoded text ("a=1&b=x+y%21") into decoded (name, value) pairs in order; empty
// pieces are skipped, a piece without '=' has an empty value. nullopt for a malformed
// percent escape or a decoded NUL.
std::optional<ArgumentList> parse_form(std::string_view text);

// A from/until value: the instant it starts and whether it was given as a day.
struct Datestamp {
  Millis start = 0;
  bool day = false;
  // The end of the time it names, exclusive: the next day or the next second.
  Millis end() const { return start + (day ? 86'400'000 : 1'000); }
};
// "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ", a real date and time; nullopt otherwise.
std::optional<Datestamp> parse_datestamp(std::string_view text);
// The seconds-granularity form of an iso_utc time: "2026-01-02T03:04:05Z".
std::string datestamp_text(std::string_view iso);

struct Request {
  Verb verb = Verb::Identify;
  std::string identifier, metadata_prefix, set, resumption_token;
  std::optional<Datestamp> from, until;
  std::string from_text, until_text;  // as given
  ArgumentList arguments;             // every argument as given, verb first: the <request> echo
};

// The request, or badVerb / badArgument.
std::variant<Request, Error> validate(const ArgumentList& args);

// The syntax of metadataPrefix and setSpec values (OAI-PMH.xsd's patterns).
bool valid_metadata_prefix(std::string_view s);
bool valid_set_spec(std::string_view s);

}  // namespace openem::oai
