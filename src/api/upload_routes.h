#pragma once
// Internal to the upload/download endpoints: the pieces register_upload_routes wires
// together, and small HTTP helpers they share. Thread-safe (stateless functions).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/app.h"
#include "api/tus_uploads.h"
#include "blob/blob_store.h"
#include "http/router.h"

namespace openem {

// tus 1.0.0 at /api/v3/uploads (docs/uploads.md).
void register_tus_routes(Router& r, App& app, std::shared_ptr<TusUploads> uploads);
// GET|HEAD /api/v3/Datasets/:pid/files/*path and GET /api/v3/Datasets/:pid/download.
void register_download_routes(Router& r, App& app, std::shared_ptr<BlobStore> blobs);

// A file of the dataset's file lists as far as uploads care.
struct RegisteredFile {
  std::optional<std::int64_t> size;
  std::string sha256;  // lowercase hex; empty when the block's chkAlg is not sha256
};
// Every entry for `path` in the dataset's origdatablocks.
std::vector<RegisteredFile> registered_files(App& app, const std::string& pid, const std::string& path);

// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date(std::int64_t unix_seconds);

}  // namespace openem
