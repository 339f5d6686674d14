#pragma once
// Request-body validation in the style of SciCat's class-validator DTOs: each known field
// has a type and a required flag; unknown fields are refused ("property x should not
// exist"). Messages match upstream's wording because clients and tests compare them.
// Pure functions; thread-safe.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace openem {

enum class FieldType {
  String,
  NonEmptyString,
  StringArray,
  Date,     // ISO 8601 string
  Integer,
  Number,
  Boolean,
  Object,
  ObjectArray,
  Email,
  EmailList,  // one e-mail or several separated by ';' (upstream's CustomEmailList)
  Any,
};

struct FieldSpec {
  std::string name;
  FieldType type;
  bool required = false;
};

using DtoSpec = std::vector<FieldSpec>;

// Returns the validation messages (empty = valid). `partial` (PATCH) skips required checks.
// Fields listed in `ignored` are accepted and not checked (server-managed fields that
// clients echo back, such as createdAt).
std::vector<std::string> validate_dto(const boost::json::object& body, const DtoSpec& spec, bool partial,
                                      const std::vector<std::string>& ignored = {});

// The messages in class-validator's ValidationError shape, as upstream's isValid endpoints
// answer them (`reason`): [{property, constraints: {rule: message}, children: []}].
boost::json::array validation_reasons(const std::vector<std::string>& messages);

// Server-managed fields clients may echo back in updates; accepted and dropped.
const std::vector<std::string>& server_managed_fields();

}  // namespace openem
