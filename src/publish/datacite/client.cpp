#include "publish/datacite/client.h"

#include "core/json_fields.h"
#include "ingest/http_client.h"
#include "ingest/sha256.h"

namespace openem::datacite {
namespace json = boost::json;
namespace {

// The DOI in an MDS path keeps its '/', as upstream sends it; other reserved characters are
// encoded.
std::string mds_path(std::string_view doi) {
  std::string out;
  std::size_t start = 0;
  while (start <= doi.size()) {
    std::size_t slash = doi.find('/', start);
    if (slash == std::string_view::npos) slash = doi.size();
    out += (start ? "/" : "") + ingest::url_encode(doi.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Printable text of a response body, short enough for a record's lastError.
std::string excerpt(const std::string& body) {
  std::string out;
  for (char ch : body.substr(0, 300)) out.push_back(static_cast<unsigned char>(ch) < 0x20 ? ' ' : ch);
  return out;
}

class HttpTransport : public Transport {
 public:
  explicit HttpTransport(Endpoints e) : e_(std::move(e)), http_("http://unused") {
    http_.set_timeout_seconds(e_.timeout_seconds);
  }

  DeliveryResult send(const json::object& row) override {
    const std::string doi = json_string(row, "doi");
    if (json_string(row, "protocol") == "mds") {
      if (json_string(row, "change") == "hide") return request("DELETE", e_.mds_metadata + "/" + mds_path(doi), "", "");
      DeliveryResult r = request("PUT", e_.mds_metadata + "/" + mds_path(doi), "application/xml;charset=UTF-8", json_string(row, "xml"));
      if (r.kind != DeliveryResult::Kind::Done) return r;
      return request("PUT", e_.mds_doi + "/" + mds_path(doi), "text/plain;charset=UTF-8",
                     "doi=" + doi + "\nurl=" + json_string(row, "url") + "\n");
    }
    auto* doc = row.if_contains("document");
    std::string body = doc ? json::serialize(*doc) : std::string("{}");
    return request("PUT", e_.rest_dois + "/" + ingest::url_encode(doi), "application/vnd.api+json", body);
  }

 private:
  DeliveryResult request(const char* method, const std::string& url, const std::string& type, const std::string& body) {
    std::vector<std::string> headers{"Authorization: Basic " + ingest::base64_encode(e_.username + ":" + e_.password),
                                     "Accept: application/vnd.api+json, text/plain, application/xml"};
    if (!type.empty()) headers.push_back("Content-Type: " + type);
    const std::string what = std::string(method) + " " + url;
    try {
      auto res = http_.request(method, url, headers, body, !body.empty() || std::string(method) == "PUT");
      return classify(res.status, res.body, what);
    } catch (const ingest::NetworkError& ex) {
      return {DeliveryResult::Kind::Retry, ex.what()};
    }
  }

  Endpoints e_;
  ingest::HttpClient http_;
};

}  // namespace

DeliveryResult classify(long status, const std::string& body, const std::string& what) {
  if (status >= 200 && status < 300) return {DeliveryResult::Kind::Done, ""};
  std::string error = what + ": DataCite answered " + std::to_string(status) + (body.empty() ? "" : ": " + excerpt(body));
  if (status == 408 || status == 429 || status >= 500 || status < 100) return {DeliveryResult::Kind::Retry, error};
  return {DeliveryResult::Kind::Failed, error};
}

std::unique_ptr<Transport> http_transport(const Endpoints& endpoints) { return std::make_unique<HttpTransport>(endpoints); }

}  // namespace openem::datacite
