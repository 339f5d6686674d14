#pragma once
// Internal to the upload/download endpoints: the pieces register_upload_routes wires
// together, and small HTTP helpers they share. Thread-safe (stateless functions).
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/app.h"
#include "api/tus_uploads.h"
#include "blob/blob_store.h"
#include "http/router.h"

namespace openem {

// GET|HEAD /api/v3/Datasets/:pid/files/*path and GET /api/v3/Datasets/:pid/download.
void register_download_routes(Router& r, App& app, std::shared_ptr<BlobStore> blobs);

// A file of the dataset's file lists as far as uploads care.
struct RegisteredFile {
  std::optional<std::int64_t> size;
  std::string sha256;  // lowercase hex; empty when the block's chkAlg is not sha256
};
// The files of datasets' origdatablocks by path, read once per dataset and kept until the
// next write to the catalog: an upload asks twice per file, and parsing a dataset's lists of
// 20,000 files for each would make an upload quadratic. Thread-safe.
class RegisteredFiles {
 public:
  using FileIndex = std::unordered_map<std::string, std::vector<RegisteredFile>>;
  explicit RegisteredFiles(App& app) : app_(app) {}
  // Every entry for `path` in the dataset's origdatablocks.
  std::vector<RegisteredFile> of(const std::string& pid, const std::string& path);

 private:
  static constexpr std::size_t kMaxDatasets = 64;
  App& app_;
  std::mutex mu_;
  std::unordered_map<std::string, std::pair<std::uint64_t, std::shared_ptr<const FileIndex>>> entries_;
};

// tus 1.0.0 at /api/v3/uploads (docs/uploads.md).
void register_tus_routes(Router& r, App& app, std::shared_ptr<TusUploads> uploads,
                         std::shared_ptr<RegisteredFiles> files);

// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date(std::int64_t unix_seconds);

}  // namespace openem
