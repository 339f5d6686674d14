#include "blob/s3/s3_xml.h"

#include <pugixml.hpp>

#include <charconv>

namespace openem {
namespace {

bool load(std::string_view body, pugi::xml_document* doc) {
  return doc->load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8).status ==
         pugi::status_ok;
}

// Messages go into one-line errors: control characters become spaces, long ones are cut.
std::string one_line(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  if (s.size() > max) out += "...";
  return out;
}

std::string escape_xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

S3ErrorInfo parse_s3_error(std::string_view body) {
  pugi::xml_document doc;
  if (!load(body, &doc)) return {};
  pugi::xml_node error = doc.child("Error");
  if (!error) return {};
  return {one_line(error.child_value("Code"), 100), one_line(error.child_value("Message"), 200)};
}

bool parse_list_page(std::string_view body, S3ListPage* out, std::string* error) {
  *out = S3ListPage{};
  pugi::xml_document doc;
  if (!load(body, &doc)) {
    *error = "the listing is not XML";
    return false;
  }
  pugi::xml_node result = doc.child("ListBucketResult");
  if (!result) {
    *error = "the listing is not a ListBucketResult";
    return false;
  }
  for (pugi::xml_node contents : result.children("Contents")) {
    S3ListEntry entry;
    pugi::xml_node key = contents.child("Key");
    entry.key = key.child_value();
    if (!key || entry.key.empty()) {
      *error = "a listed object has no key";
      return false;
    }
    std::string_view size = contents.child_value("Size");
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), entry.size);
    if (ec != std::errc() || end != size.data() + size.size() || entry.size < 0) {
      *error = "the listed object '" + one_line(entry.key, 200) + "' has a bad size '" + one_line(size, 40) + "'";
      return false;
    }
    entry.last_modified = contents.child_value("LastModified");
    out->entries.push_back(std::move(entry));
  }
  out->truncated = std::string_view(result.child_value("IsTruncated")) == "true";
  out->next_token = result.child_value("NextContinuationToken");
  if (out->truncated && out->next_token.empty()) {
    *error = "a truncated listing has no NextContinuationToken";
    return false;
  }
  return true;
}

std::string parse_upload_id(std::string_view body) {
  pugi::xml_document doc;
  if (!load(body, &doc)) return {};
  return doc.child("InitiateMultipartUploadResult").child_value("UploadId");
}

std::string complete_multipart_body(const std::vector<std::string>& part_etags) {
  std::string xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (std::size_t i = 0; i < part_etags.size(); ++i)
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + escape_xml(part_etags[i]) +
           "</ETag></Part>";
  xml += "</CompleteMultipartUpload>";
  return xml;
}

}  // namespace openem
