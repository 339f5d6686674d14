#pragma once
// DatasetTarStream: a dataset's stored files as one tar archive, produced piece by piece in
// constant memory (one read buffer; the manifest grows by a line per file). The layout is a
// BagIt bag: <top>/bagit.txt, <top>/data/<path> for every file sorted by path, and
// <top>/manifest-sha256.txt ("<hex>  data/<path>", sha256sum format) hashed while streaming.
// Thread-compatible: one instance per response.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "blob/hasher.h"

namespace openem {

// The bag's top directory for a pid: bytes outside [A-Za-z0-9._-] become '_', and a leading
// '.' gets a '_' in front, so the name is one harmless path segment.
std::string tar_top_name(std::string_view pid);

class DatasetTarStream {
 public:
  DatasetTarStream(BlobStore& store, std::string pid, std::int64_t now_unix, std::size_t piece_bytes = 1 << 20);
  // Adds <top>/bag-info.txt with these "Label: value" lines (BagIt §2.2.2) after bagit.txt.
  // Archive bags record their dataset there; downloads carry none.
  void set_bag_info(std::string lines) { bag_info_ = std::move(lines); }
  // A file sent in the archive: its path under data/, size and sha256 (hex).
  struct SentFile {
    std::string path;
    std::int64_t size = 0;
    std::string sha256;
  };
  // One more payload file, data/<name>, made after every dataset file is sent from what was
  // sent (so it can list their checksums) and listed in the manifest like them: the RO-Crate
  // metadata of a download (RO-Crate 1.1 "Adding RO-Crate to BagIt": data/ is the crate root).
  // Left out when the dataset has a file of that name itself.
  using ClosingPayload = std::function<std::string(const std::vector<SentFile>&)>;
  void set_closing_payload(std::string name, ClosingPayload make) {
    closing_name_ = std::move(name);
    closing_make_ = std::move(make);
  }
  // Lists the dataset's files; call once before next().
  BlobStatus start();
  const std::vector<BlobInfo>& files() const { return files_; }

  // Replaces chunk with the next piece of the archive; false once the archive is complete
  // (chunk then holds the last piece, possibly empty). Throws std::runtime_error on a read
  // error: the archive cannot be completed and the transfer must be aborted.
  bool next(std::string& chunk);

 private:
  enum class Phase { kBagit, kFileHeader, kFileData, kManifest, kDone };
  void open_next_file(std::string& chunk);
  void append_closing_payload(std::string& chunk);

  BlobStore& store_;
  std::string pid_, top_;
  std::int64_t now_;
  std::size_t piece_;
  std::vector<BlobInfo> files_;
  std::size_t index_ = 0;
  Phase phase_ = Phase::kBagit;
  std::unique_ptr<BlobReader> reader_;
  std::int64_t offset_ = 0;
  Hasher hasher_ = Hasher::sha256();
  std::string manifest_;
  std::string bag_info_;
  std::vector<SentFile> sent_;
  std::string closing_name_;
  ClosingPayload closing_make_;
  std::string buffer_;
};

}  // namespace openem
