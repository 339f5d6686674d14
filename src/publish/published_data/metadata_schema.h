#pragma once
// PublishedDataConfig: the v4 published-data configuration upstream reads from
// PUBLISHED_DATA_CONFIG_FILE — {metadataSchema, uiSchema}: the JSON Schema a record's `metadata`
// must meet before it is published or registered, and the JSONForms layout of the editor
// (served at GET /api/v4/publisheddata/config). Without a file, a built-in schema asks for
// DataCite's mandatory properties. Immutable after load; thread-safe.
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace valijson {
class Schema;
}

namespace openem {

class PublishedDataConfig {
 public:
  // `file` "" → the built-in configuration. Throws std::runtime_error with the reason when the
  // file cannot be read, is not JSON, or its metadataSchema does not parse.
  static std::shared_ptr<const PublishedDataConfig> load(const std::string& file);

  const boost::json::object& document() const { return document_; }
  // "metadata.creators[0].name: ..." for each problem; empty when `metadata` is acceptable.
  std::vector<std::string> problems(const boost::json::value& metadata) const;

 private:
  boost::json::object document_;
  std::shared_ptr<valijson::Schema> schema_;
};

}  // namespace openem
