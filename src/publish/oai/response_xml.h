#pragma once
// The XML of OAI-PMH 2.0 responses (§3.2, OAI-PMH.xsd): the envelope with responseDate and the
// request echo, errors, record headers and resumption tokens. The verbs' content is put
// together by publish/oai/provider.h. Every value is escaped. Pure functions; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "publish/oai/arguments.h"

namespace openem::oai {

// Up to and including the <request> element. `echo` is null for badVerb and badArgument, whose
// request element carries no attributes (§3.6); otherwise every argument becomes an attribute.
std::string envelope_start(std::string_view response_date, const ArgumentList* echo, std::string_view base_url);
inline constexpr std::string_view kEnvelopeEnd = "</OAI-PMH>\n";

// A whole error response.
std::string error_document(std::string_view response_date, const ArgumentList* echo, std::string_view base_url,
                           const Error& error);

// <header> of a record: a tombstone's has status="deleted" and no setSpec.
std::string record_header(std::string_view identifier, std::string_view datestamp,
                          const std::vector<std::string>& set_specs, bool deleted);

// <resumptionToken>; an empty token ends a list. expiration "" leaves the attribute out.
std::string resumption_token_element(std::string_view token, std::string_view expiration,
                                     std::int64_t complete_list_size, std::int64_t cursor);

}  // namespace openem::oai
