#include "extract/oscem_validator.h"

#include <boost/json.hpp>
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "extract/extract_error.h"
#include "extract/file_io.h"
#include "extract/oscem_schemas.h"

namespace openem::extract {
namespace {

std::string schema_text(Technique t, const std::optional<std::filesystem::path>& dir, std::string& origin) {
  std::string name(technique_name(t));
  if (dir) {
    auto p = *dir / name / "jsonschema" / ("oscem_schemas_" + name + ".schema.json");
    origin = p.string();
    return read_file_capped(p, 16u << 20);
  }
  origin = "embedded OSC-EM " + std::string(kOscemSchemaVersion) + " " + name + " schema";
  auto s = embedded_oscem_schema(t);
  if (s.empty())
    throw ExtractError(origin, 0, "not built into this binary; configure with OPENEM_OSCEM_SCHEMA_DIR or pass a schema folder");
  return std::string(s);
}

std::shared_ptr<const valijson::Schema> load_schema(Technique t, const std::optional<std::filesystem::path>& dir) {
  static std::mutex mu;
  static std::map<std::pair<Technique, std::string>, std::shared_ptr<const valijson::Schema>> cache;
  std::lock_guard lock(mu);
  auto key = std::make_pair(t, dir ? dir->string() : std::string());
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::string origin;
  std::string text = schema_text(t, dir, origin);
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) throw ExtractError(origin, 0, "schema is not a JSON object: " + ec.message());
  // The published $id is an absolute URI; with it valijson would try to fetch "#/$defs/..."
  // relative to w3id.org instead of resolving it inside this document.
  v.as_object().erase("$id");
  auto schema = std::make_shared<valijson::Schema>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::BoostJsonAdapter adapter(v);
    parser.populateSchema(adapter, *schema);
  } catch (const std::exception& e) {
    throw ExtractError(origin, 0, std::string("schema does not parse: ") + e.what());
  }
  cache[key] = schema;
  return schema;
}

std::string json_path(const std::vector<std::string>& context) {
  std::string out;
  for (const auto& c : context) {
    if (c == "<root>") continue;
    if (c.size() >= 2 && c.front() == '[' && c.back() == ']') {
      std::string inner = c.substr(1, c.size() - 2);
      bool index = !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
      if (index) out += c;
      else {
        if (!inner.empty() && inner.front() == '"' && inner.back() == '"') inner = inner.substr(1, inner.size() - 2);
        if (!out.empty()) out += '.';
        out += inner;
      }
    } else {
      if (!out.empty()) out += '.';
      out += c;
    }
  }
  return out;
}

// Parent nodes repeat every child failure in general words; keep the specific reasons.
bool is_wrapper_message(const std::string& m) {
  return m.starts_with("Failed to validate against schema associated with property") ||
         m.starts_with("Failed to validate item #") || m.starts_with("Failed to validate against child schema");
}

}  // namespace

std::vector<ValidationIssue> validate_oscem(const boost::json::value& doc, Technique t,
                                            const std::optional<std::filesystem::path>& schema_dir) {
  if (t == Technique::kAuto) t = Technique::kGeneral;
  auto schema = load_schema(t, schema_dir);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::BoostJsonAdapter target(doc);
  std::vector<ValidationIssue> out;
  if (validator.validate(*schema, target, &results)) return out;
  std::set<std::pair<std::string, std::string>> seen;
  valijson::ValidationResults::Error e;
  std::vector<ValidationIssue> wrappers;
  while (results.popError(e)) {
    ValidationIssue issue{json_path(e.context), e.description};
    if (!seen.insert({issue.path, issue.message}).second) continue;
    if (is_wrapper_message(issue.message)) wrappers.push_back(std::move(issue));
    else out.push_back(std::move(issue));
  }
  if (out.empty()) out = std::move(wrappers);
  return out;
}

}  // namespace openem::extract
