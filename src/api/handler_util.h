#pragma once
// Small helpers every handler uses: body parsing with limits, the caller's name for
// createdBy/updatedBy, required query parameters. Pure functions; thread-safe.
#include <boost/json.hpp>

#include <string>

#include "core/principal.h"
#include "http/message.h"

namespace openem {

// The body as a JSON object; ApiError 400 for malformed JSON, a non-object, or nesting
// deeper than 64 levels.
boost::json::object body_object(const HttpRequest& req);
boost::json::value body_value(const HttpRequest& req);

// The name recorded in createdBy/updatedBy ("anonymous" when not logged in).
std::string actor(const Principal& p);

// Stamps createdBy/createdAt (if `creating`) and updatedBy/updatedAt on doc.
void stamp(boost::json::object& doc, const Principal& p, bool creating);

// A string field of a JSON object, or "" when absent or not a string (core/json_fields.h's
// json_string under the name the API code has always used).
std::string str_field(const boost::json::object& o, std::string_view key);

}  // namespace openem
