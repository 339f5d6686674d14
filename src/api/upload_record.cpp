#include "api/upload_record.h"

#include <boost/json.hpp>

namespace openem {
namespace json = boost::json;
const char* state_name(UploadRecord::State s) {
  switch (s) {
    case UploadRecord::State::kReceiving: return "receiving";
    case UploadRecord::State::kCommitting: return "committing";
    case UploadRecord::State::kStored: return "stored";
    case UploadRecord::State::kFailed: return "failed";
  }
  return "receiving";
}

std::optional<UploadRecord::State> parse_state(std::string_view s) {
  for (auto st : {UploadRecord::State::kReceiving, UploadRecord::State::kCommitting, UploadRecord::State::kStored,
                  UploadRecord::State::kFailed})
    if (s == state_name(st)) return st;
  return std::nullopt;
}

std::string upload_record_json(const UploadRecord& r) {
  return json::serialize(json::object{{"id", r.id},         {"datasetId", r.dataset_id}, {"path", r.path},
                                      {"filename", r.filename}, {"owner", r.owner},   {"metadata", r.metadata},
                                      {"length", r.length},     {"offset", r.offset}, {"state", state_name(r.state)},
                                      {"expires", r.expires},   {"sha256", r.sha256}, {"error", r.error}});
}

std::optional<UploadRecord> parse_upload_record(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  UploadRecord r;
  try {
    r.id = json::value_to<std::string>(o.at("id"));
    r.dataset_id = json::value_to<std::string>(o.at("datasetId"));
    r.path = json::value_to<std::string>(o.at("path"));
    r.filename = json::value_to<std::string>(o.at("filename"));
    r.owner = json::value_to<std::string>(o.at("owner"));
    r.metadata = json::value_to<std::string>(o.at("metadata"));
    r.length = o.at("length").to_number<std::int64_t>();
    r.offset = o.at("offset").to_number<std::int64_t>();
    r.expires = o.at("expires").to_number<std::int64_t>();
    r.sha256 = json::value_to<std::string>(o.at("sha256"));
    r.error = json::value_to<std::string>(o.at("error"));
    auto st = parse_state(json::value_to<std::string>(o.at("state")));
    if (!st) return std::nullopt;
    r.state = *st;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return r;
}

bool has_metadata_key(std::string_view raw, std::string_view key) {
  while (!raw.empty()) {
    auto comma = raw.find(',');
    std::string_view pair = raw.substr(0, comma);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.substr(0, pair.find(' ')) == key) return true;
    if (comma == std::string_view::npos) break;
    raw.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace openem
