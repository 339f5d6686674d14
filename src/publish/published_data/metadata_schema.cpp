#include "publish/published_data/metadata_schema.h"

#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace openem {
namespace json = boost::json;
namespace {

// DataCite's mandatory properties (kernel-4: Identifier — the DOI itself —, Creator, Title —
// the record's own title —, Publisher, PublicationYear, ResourceType), in the shape of DataCite's
// JSON attributes, plus the shape of the optional ones openem writes into the XML.
constexpr const char* kBuiltIn = R"json({
  "metadataSchema": {
    "type": "object",
    "required": ["creators", "publisher", "publicationYear", "resourceType"],
    "properties": {
      "creators": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/person"}},
      "contributors": {"type": "array", "items": {"allOf": [{"$ref": "#/definitions/person"},
                       {"type": "object", "required": ["contributorType"]}]}},
      "publisher": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}},
      "publicationYear": {"type": "integer", "minimum": 1000, "maximum": 9999},
      "resourceType": {"type": "string", "minLength": 1},
      "subjects": {"type": "array", "items": {"type": "object", "required": ["subject"]}},
      "dates": {"type": "array", "items": {"type": "object", "required": ["date", "dateType"]}},
      "relatedIdentifiers": {"type": "array", "items": {"type": "object",
                             "required": ["relatedIdentifier", "relatedIdentifierType", "relationType"]}},
      "fundingReferences": {"type": "array", "items": {"type": "object", "required": ["funderName"]}},
      "rightsList": {"type": "array", "items": {"type": "object"}},
      "descriptions": {"type": "array", "items": {"type": "object", "required": ["description"]}},
      "sizes": {"type": "array", "items": {"type": "string"}},
      "formats": {"type": "array", "items": {"type": "string"}},
      "language": {"type": "string"},
      "landingPage": {"type": "string"}
    },
    "definitions": {
      "person": {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "minLength": 1},
        "nameType": {"enum": ["Personal", "Organizational"]},
        "givenName": {"type": "string"}, "familyName": {"type": "string"},
        "nameIdentifiers": {"type": "array", "items": {"type": "object", "required": ["nameIdentifier", "nameIdentifierScheme"]}},
        "affiliation": {"type": "array", "items": {"type": "object", "required": ["name"]}}}}
    }
  },
  "uiSchema": {"type": "VerticalLayout", "elements": [
    {"type": "Control", "scope": "#/properties/creators"},
    {"type": "Control", "scope": "#/properties/publisher"},
    {"type": "Control", "scope": "#/properties/publicationYear"},
    {"type": "Control", "scope": "#/properties/resourceType"},
    {"type": "Control", "scope": "#/properties/contributors"},
    {"type": "Control", "scope": "#/properties/fundingReferences"},
    {"type": "Control", "scope": "#/properties/relatedIdentifiers"}]}
})json";

std::string read_text(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("PUBLISHED_DATA_CONFIG_FILE: cannot read " + file);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string path_of(const std::vector<std::string>& context) {
  std::string out = "metadata";
  for (const auto& c : context) {
    if (c == "<root>") continue;
    if (c.size() >= 2 && c.front() == '[' && c.back() == ']') {
      std::string inner = c.substr(1, c.size() - 2);
      if (!inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos) out += c;
      else {
        if (inner.size() >= 2 && inner.front() == '"') inner = inner.substr(1, inner.size() - 2);
        out += "." + inner;
      }
    } else {
      out += "." + c;
    }
  }
  return out;
}

}  // namespace

std::shared_ptr<const PublishedDataConfig> PublishedDataConfig::load(const std::string& file) {
  std::string text = file.empty() ? std::string(kBuiltIn) : read_text(file);
  const std::string origin = file.empty() ? "built-in published data configuration" : file;
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) throw std::runtime_error(origin + ": not a JSON object");
  auto* schema = v.as_object().if_contains("metadataSchema");
  if (!schema || !schema->is_object()) throw std::runtime_error(origin + ": no metadataSchema object");
  auto config = std::make_shared<PublishedDataConfig>();
  config->document_ = v.as_object();
  json::value schema_doc = *schema;
  schema_doc.as_object().erase("$id");  // resolve references inside the document, never fetch
  config->schema_ = std::make_shared<valijson::Schema>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::BoostJsonAdapter adapter(schema_doc);
    parser.populateSchema(adapter, *config->schema_);
  } catch (const std::exception& e) {
    throw std::runtime_error(origin + ": metadataSchema does not parse: " + e.what());
  }
  return config;
}

std::vector<std::string> PublishedDataConfig::problems(const json::value& metadata) const {
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  json::value target = metadata.is_null() ? json::value(json::object()) : metadata;
  valijson::adapters::BoostJsonAdapter adapter(target);
  std::vector<std::string> out;
  if (validator.validate(*schema_, adapter, &results)) return out;
  std::set<std::string> seen;
  std::vector<std::string> wrappers;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    std::string m = path_of(e.context) + ": " + e.description;
    if (!seen.insert(m).second) continue;
    bool wrapper = e.description.starts_with("Failed to validate");
    (wrapper ? wrappers : out).push_back(std::move(m));
  }
  return out.empty() ? wrappers : out;
}

}  // namespace openem
