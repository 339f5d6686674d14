#pragma once
// SharedTusUploads: tus uploads that any API process on one shared catalog continues — the
// upload's record in the catalog (store/upload_states.h), its acknowledged bytes as parts in
// a blob store of their own (`parts`, keyed by upload id: S3 objects when the files are on
// S3). TusUploads delegates to it once share_through() was called; the HTTP side is unchanged.
//
// A PATCH streams into a local spool file (and the running digests). When it ends, the spool
// becomes one part object, and then the catalog's offset moves by a compare-and-set: that is
// the acknowledgement. A process killed before it loses only the unacknowledged chunk; of two
// PATCHes at one offset (on one process or two) the first to end wins and the other gets 409,
// its part removed. At the last byte the parts are read back in order into a staged file, each
// checked against the SHA-256 recorded when it was acknowledged, while the whole-file SHA-256
// is computed; the catalog's checksum decides and the blob store takes the file. An upload
// sent in one PATCH skips the parts: its spool is verified and stored directly.
// Thread-safe (its state is the catalog's).
#include <functional>
#include <memory>

#include "api/tus_uploads.h"
#include "store/catalog_store.h"
#include "store/upload_states.h"

namespace openem {

class SharedTusUploads {
 public:
  SharedTusUploads(CatalogStore& catalog, BlobStore& blobs, std::shared_ptr<BlobStore> parts, std::int64_t ttl_seconds,
                   std::function<std::int64_t()> clock);

  // Removes spool files a killed process left in the staging directory.
  void recover();
  UploadRecord create(UploadRecord proto);
  std::optional<UploadRecord> get(const std::string& id);
  std::vector<UnfinishedUpload> unfinished();
  AppendResult begin_append(const std::string& id, std::int64_t offset, std::int64_t length,
                            const std::optional<std::pair<std::string, std::string>>& chunk_digest,
                            std::unique_ptr<AppendStream>* out);
  bool remove(const std::string& id);
  int expire();

 private:
  friend class SharedAppendStream;
  std::int64_t now() const { return clock_(); }
  // Makes the bytes [state.offset, +length) of `spool` (sha256 hex) a part and moves the
  // offset; false when another request moved it first (the part is then removed).
  bool acknowledge(UploadState& state, const std::filesystem::path& spool, std::int64_t length,
                   const std::string& sha256);
  // All bytes are in: verify, store, record (state.offset == state.length).
  AppendResult complete(UploadState& state, const UploadVerifier& verify);
  // Verified (committing): the parts into the blob store, then stored.
  void commit(UploadState& state, AppendResult& result);
  // The parts read back in order into a new staged file; its SHA-256 (hex) in *sha256.
  std::filesystem::path assemble(const UploadState& state, std::string* sha256);
  void drop_parts(const std::string& id);
  std::filesystem::path spool_path(const std::string& id, const std::string& what) const;

  CatalogStore& catalog_;
  BlobStore& blobs_;
  std::shared_ptr<BlobStore> parts_;
  std::int64_t ttl_;
  std::function<std::int64_t()> clock_;
};

// UploadRecord <-> the catalog's UploadState (parts and version aside).
UploadRecord upload_record_of(const UploadState& s);
UploadState upload_state_of(const UploadRecord& r);

}  // namespace openem
