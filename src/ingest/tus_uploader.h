#pragma once
// TusUploader: sends one file to the server's tus 1.0.0 endpoint (/api/v3/uploads,
// docs/uploads.md): creation with datasetId/path metadata, PATCH chunks of up to 64 MiB read
// from the file as they are sent and hashed on the way, HEAD to find where to go on after a
// lost connection or a restart. The file may be uploaded before its file list is registered:
// the server then holds it "awaiting-checksum" until confirm() after the registration, when
// it verifies the whole file against the registered SHA-256 and stores it. One instance per
// thread: not thread-safe.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ingest/scicat_client.h"
#include "ingest/session_scan.h"

namespace openem::ingest {

// One PATCH carries up to this much, streamed from the file: large enough that the request
// overhead vanishes, small enough that progress moves and a dropped connection costs little
// (the server keeps what it received anyway).
inline constexpr std::uint64_t kTusChunkBytes = 64u << 20;

// What upload() leaves behind.
struct UploadOutcome {
  std::string sha256;   // hex SHA-256 of the file's bytes as the server received them
  bool stored = false;  // verified and stored; false: waits for the file list, then confirm()
};

class TusUploader {
 public:
  TusUploader(ScicatClient& client, std::string pid, std::uint64_t chunk_bytes = kTusChunkBytes);

  // True when the server offers tus uploads (OPTIONS /api/v3/uploads answers with Tus-Version).
  bool server_supports_uploads();

  // True when the server already stores `path` of the dataset (HEAD of its download URL).
  bool stored_on_server(const std::string& path);

  // Uploads `f`, computing its SHA-256 from the bytes it sends (and, when resuming, from the
  // local copy of those the server already has). `url` is the upload to resume ("" to create
  // one); on_created is called with a new upload's URL before any byte is sent, so the
  // caller can persist it. on_bytes gets each acknowledged chunk's size. Throws
  // std::runtime_error naming the file on a permanent failure (checksum mismatch, refusal),
  // NetworkError when retries ran out.
  UploadOutcome upload(const LocalFile& f, std::string& url, const std::function<void(const std::string&)>& on_created,
                       const std::function<void(std::uint64_t)>& on_bytes);

  // Asks the server to verify a complete upload against the registered file list and store
  // it (an empty PATCH at the end). True when stored; false when the upload is gone (expired
  // or unknown) or short of bytes: upload() again, which resumes or starts over. Throws std::runtime_error naming `path` on a checksum mismatch
  // or when the file list still has no checksum for it.
  bool confirm(const std::string& path, const std::string& url, std::uint64_t size);

 private:
  // Where an upload stands on the server: offset -1 when it is gone (404/410/403) and must be
  // created again; state is the OpenEM-Upload-State header.
  struct ServerUpload {
    std::int64_t offset = -1;
    std::string state;
  };
  ServerUpload create(const LocalFile& f, std::string& url);
  ServerUpload probe(const std::string& url);
  std::string absolute(const std::string& location) const;

  ScicatClient& client_;
  std::string pid_;
  std::uint64_t chunk_bytes_;
};

// "/api/v3/Datasets/<pid>/files/<path>" with the pid and each path segment percent-encoded.
std::string download_target(const std::string& pid, const std::string& path);

}  // namespace openem::ingest
