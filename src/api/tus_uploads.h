#pragma once
// TusUploads: the state machine behind the tus endpoint, free of HTTP — partial uploads in
// the blob store's staging directory (<id>.part, the bytes; <id>.json, the record, replaced
// atomically), chunks streamed to disk (AppendStream), chunk checksums, the whole-file SHA-256
// computed while receiving, verification and commit into the BlobStore, termination and
// expiry. Thread-safe: requests on different uploads run in parallel; of one upload, only the
// newest PATCH writes.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "blob/blob_store.h"
#include "blob/file_system.h"

namespace openem {

struct UploadRecord {
  enum class State {
    kReceiving,   // bytes arriving; at offset == length the verification is (re)tried
    kCommitting,  // verified (sha256 set); moving into the blob store — redone after a crash
    kStored,      // verified and in the blob store
    kFailed,      // whole-file checksum mismatch; the bytes are gone, only the record stays
  };
  std::string id;
  std::string dataset_id, path, filename;
  std::string owner;     // user id of the creator
  std::string metadata;  // Upload-Metadata as sent, echoed by HEAD
  std::int64_t length = 0, offset = 0;
  State state = State::kReceiving;
  std::int64_t expires = 0;  // unix seconds
  std::string sha256;        // hex of the whole file, once known
  std::string error;         // why it failed
};

// What the catalog says about a completed file, asked once the last byte is in.
struct UploadVerdict {
  enum class Kind { kMatch, kMismatch, kNoChecksum } kind = Kind::kMatch;
  std::string message;
};
using UploadVerifier = std::function<UploadVerdict(const UploadRecord&, const std::string& sha256_hex)>;

struct AppendResult {
  enum class Outcome {
    kAccepted,          // chunk written (and, at the end, file verified and stored)
    kNotFound,          // unknown, terminated or expired
    kGone,              // failed earlier
    kOffsetConflict,    // Upload-Offset differs from ours
    kTooLong,           // chunk goes past Upload-Length
    kChunkChecksum,     // Upload-Checksum of the chunk does not match; chunk discarded
    kFileMismatch,      // last byte in, whole-file SHA-256 differs from the file list: failed
    kNoChecksum,        // last byte in, but no checksum registered; bytes kept, retry later
    kStoreError,        // the blob store refused the file (message says why)
  };
  Outcome outcome = Outcome::kAccepted;
  UploadRecord record;  // after the call
  std::string message;
  bool no_space = false;  // kStoreError because the disk is full
};

class TusUploads;

// An upload still receiving bytes, for quotas (api/quotas.h).
struct UnfinishedUpload {
  std::string owner;       // user id
  std::string dataset_id;
  std::int64_t length = 0;
  bool awaits_file_list = false;  // created with awaitFileList: its bytes are not registered yet
};

// Thrown when an upload's bytes or record cannot be written (disk full, I/O error) — by
// create, begin_append, AppendStream::write and finish. Nothing past the offset the upload
// reports afterwards was kept; the upload itself stays usable. status() says why
// (kNoSpace: the disk is full, HTTP 507).
class UploadStorageError : public std::runtime_error {
 public:
  explicit UploadStorageError(BlobStatus status) : std::runtime_error(status.message()), status_(std::move(status)) {}
  const BlobStatus& status() const { return status_; }

 private:
  BlobStatus status_;
};

// Thrown by AppendStream::write when the upload was superseded by a newer PATCH, terminated
// or expired while the stream was open: the request is answered 404 (docs/uploads.md).
class UploadGoneError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One PATCH in progress (TusUploads::begin_append): its bytes go to the part file and into the
// whole-file SHA-256 as they arrive, so a chunk of any size needs no memory. HEAD sees the
// offset grow while it runs. Only the newest stream of an upload may write: a PATCH that
// resumes after a dropped connection supersedes one still open, whose writes then fail.
//
// On a shared catalog (shared_tus_uploads.h) a PATCH's bytes go to a local spool file instead
// and become a part in the blob store when the request ends; the offset moves then, by a
// compare-and-set in the catalog, so of two PATCHes at one offset the second to end gets 409.
class AppendStream {
 public:
  virtual ~AppendStream();
  AppendStream(const AppendStream&) = delete;
  AppendStream& operator=(const AppendStream&) = delete;

  // Throws UploadGoneError when superseded, terminated or expired meanwhile;
  // UploadStorageError when the bytes cannot be written (the chunk is discarded);
  // std::runtime_error past the declared length.
  virtual void write(std::string_view bytes);
  // All declared bytes are in: checks the chunk digest, records the new offset and, at the
  // upload's length, verifies the whole file and commits it. Throws UploadStorageError when
  // the record cannot be written (the chunk is then discarded, as if never sent).
  virtual AppendResult finish(const UploadVerifier& verify);
  // The request ended before its last byte. The bytes received count (tus: the server keeps
  // them) unless the chunk promised a digest, which can no longer be checked: then they go.
  virtual void abort() noexcept;

 protected:
  AppendStream();  // for SharedAppendStream (defined where Impl is complete)

 private:
  friend class TusUploads;
  struct Impl;
  explicit AppendStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class SharedTusUploads;
class CatalogStore;

class TusUploads {
 public:
  // ttl_seconds: an upload expires this long after its creation or last accepted chunk.
  // clock: unix seconds; files: where bytes and records are written (both injected by tests).
  TusUploads(BlobStore& blobs, std::int64_t ttl_seconds, std::function<std::int64_t()> clock = {},
             FileSystem& files = posix_file_system());
  ~TusUploads();

  // From now on, uploads live in `catalog` (store/upload_states.h) and their acknowledged
  // bytes in `parts` (a blob store of its own, keyed by upload id), so that any process on
  // that catalog continues an upload another started (shared_tus_uploads.h). Call before
  // recover(), when the catalog is shared between processes.
  void share_through(CatalogStore& catalog, std::shared_ptr<BlobStore> parts);
  bool shared() const { return shared_ != nullptr; }

  // Loads the records in staging: drops expired uploads and stray files, cuts every .part
  // back to its recorded offset (bytes never acknowledged), finishes interrupted commits.
  // Call once at start-up before serving.
  void recover();

  // Registers a new upload; fills id, offset 0, state and expiry. Throws UploadStorageError
  // when the staging files cannot be written.
  UploadRecord create(UploadRecord proto);
  std::optional<UploadRecord> get(const std::string& id);
  // Uploads still receiving bytes (not stored, failed, terminated or expired).
  std::vector<UnfinishedUpload> unfinished();

  // Starts a PATCH of `length` bytes at `offset`. chunk_digest: (algorithm, raw digest) from
  // Upload-Checksum, already known to be a supported algorithm. On kAccepted *out is the
  // stream to write to; any other outcome says why, and nothing was written.
  AppendResult begin_append(const std::string& id, std::int64_t offset, std::int64_t length,
                            const std::optional<std::pair<std::string, std::string>>& chunk_digest,
                            std::unique_ptr<AppendStream>* out);

  // begin_append, write and finish for a chunk that is in memory. When the upload reaches
  // its length, verify decides.
  AppendResult append(const std::string& id, std::int64_t offset, std::string_view chunk,
                      const std::optional<std::pair<std::string, std::string>>& chunk_digest,
                      const UploadVerifier& verify);

  // Termination: removes the record and the bytes; false when unknown.
  bool remove(const std::string& id);

  // Removes uploads whose expiry has passed; returns how many. maybe_expire() does it at most
  // every `interval` seconds (cheap to call on every request).
  int expire();
  void maybe_expire(std::int64_t interval_seconds = 600);

  std::int64_t ttl() const { return ttl_; }

 private:
  friend class AppendStream;
  struct Entry;
  std::shared_ptr<Entry> find(const std::string& id);
  // Sidecar, atomically (rename). `durable` also fsyncs: needed when an upload is created,
  // fails or completes; per chunk a process crash cannot lose what was written (the OS has
  // it) and a power cut is caught by the whole-file checksum, so chunks skip the fsyncs.
  // Throws UploadStorageError; the previous record is then still in place.
  void save(const UploadRecord& rec, bool durable = true);
  void drop_files(const std::string& id);
  std::filesystem::path part_path(const std::string& id) const;
  std::filesystem::path record_path(const std::string& id) const;
  // Rebuilds the running whole-file digest from the part file when it does not stand at the
  // upload's offset (after a restart or a failed write). Call with the entry locked.
  void resume_digest(Entry& e);
  AppendResult complete(Entry& e, const UploadVerifier& verify);
  void commit(Entry& e, AppendResult& result);

  BlobStore& blobs_;
  FileSystem& files_;
  std::int64_t ttl_;
  std::function<std::int64_t()> clock_;
  std::mutex mu_;  // guards entries_
  std::map<std::string, std::shared_ptr<Entry>> entries_;
  std::atomic<std::int64_t> last_expire_{0};
  std::unique_ptr<SharedTusUploads> shared_;  // set: every call goes there
};

}  // namespace openem
