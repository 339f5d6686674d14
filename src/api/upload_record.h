#pragma once
// The on-disk form of an upload's record (<id>.json in the staging directory): one JSON
// object, replaced atomically by TusUploads. Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

#include "api/tus_uploads.h"

namespace openem {

// A state's name in records ("receiving", "committing", "stored", "failed") and back.
const char* state_name(UploadRecord::State s);
std::optional<UploadRecord::State> parse_state(std::string_view s);

std::string upload_record_json(const UploadRecord& r);
// Whether tus Upload-Metadata ("key base64,key2 base64,flag") carries `key`.
bool has_metadata_key(std::string_view raw, std::string_view key);
// nullopt for anything but a complete record (a torn or foreign file).
std::optional<UploadRecord> parse_upload_record(std::string_view text);

}  // namespace openem
