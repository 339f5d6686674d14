#include "api/tus_uploads.h"

#include <atomic>

#include "api/shared_tus_uploads.h"
#include "api/upload_record.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "blob/hasher.h"
#include "blob/posix_file.h"
#include "core/ids.h"

namespace openem {
namespace fs = std::filesystem;
namespace json = boost::json;


struct TusUploads::Entry {
  std::mutex mu;  // one request at a time per upload
  UploadRecord rec;
  std::atomic<bool> gone{false};  // terminated or expired while someone held the pointer
  // SHA-256 of the first `hashed` bytes of the part file; rebuilt from the file when it does
  // not match the offset (after a restart), so the state survives without being persisted.
  std::optional<Hasher> hasher;
  std::int64_t hashed = -1;
  std::uint64_t writer = 0;  // generation of the newest AppendStream; older ones may not write
  // For unfinished(), which must not wait for an upload's lock while a PATCH streams: the
  // record's fixed fields, copied at creation, and whether it is still receiving.
  std::string owner, dataset_id;
  std::int64_t length = 0;
  bool awaits_file_list = false;
  std::atomic<bool> finished{false};
  void summarise() {
    owner = rec.owner;
    dataset_id = rec.dataset_id;
    length = rec.length;
    awaits_file_list = has_metadata_key(rec.metadata, "awaitFileList");
    finished = rec.state != UploadRecord::State::kReceiving;
  }
};

namespace {

// Throws the error of a failed system call on `p` (errno) as an UploadStorageError.
[[noreturn]] void fail(const std::string& what, const fs::path& p) {
  throw UploadStorageError(BlobStatus::from_errno(errno, what + " " + p.string()));
}

void throw_if_failed(const BlobStatus& s) {
  if (!s.is_ok()) throw UploadStorageError(s);
}

std::int64_t size_on_disk(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_size : -1;
}

}  // namespace

TusUploads::TusUploads(BlobStore& blobs, std::int64_t ttl_seconds, std::function<std::int64_t()> clock, FileSystem& files)
    : blobs_(blobs), files_(files), ttl_(ttl_seconds), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return static_cast<std::int64_t>(::time(nullptr)); };
}

TusUploads::~TusUploads() = default;

void TusUploads::share_through(CatalogStore& catalog, std::shared_ptr<BlobStore> parts) {
  shared_ = std::make_unique<SharedTusUploads>(catalog, blobs_, std::move(parts), ttl_, clock_);
}

fs::path TusUploads::part_path(const std::string& id) const { return blobs_.staging_dir() / (id + ".part"); }
fs::path TusUploads::record_path(const std::string& id) const { return blobs_.staging_dir() / (id + ".json"); }

void TusUploads::save(const UploadRecord& rec, bool durable) {
  throw_if_failed(replace_file_atomically(record_path(rec.id), upload_record_json(rec), 0644, durable, files_));
}

void TusUploads::drop_files(const std::string& id) {
  std::error_code ec;
  fs::remove(part_path(id), ec);
  fs::remove(record_path(id), ec);
  fs::remove(blobs_.staging_dir() / (id + ".json.tmp"), ec);
}

std::shared_ptr<TusUploads::Entry> TusUploads::find(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second;
}

void TusUploads::recover() {
  if (shared_) return shared_->recover();
  const fs::path& dir = blobs_.staging_dir();
  std::int64_t now = clock_();
  std::map<std::string, std::shared_ptr<Entry>> loaded;
  std::vector<fs::path> stray;
  for (const auto& e : fs::directory_iterator(dir)) {
    fs::path p = e.path();
    std::string name = p.filename().string();
    if (p.extension() != ".json") {
      // .part files are matched with their records below; anything else is a leftover.
      if (p.extension() != ".part") stray.push_back(p);
      continue;
    }
    std::ifstream in(p, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto rec = parse_upload_record(text);
    std::string id = p.stem().string();
    if (!rec || rec->id != id) {
      spdlog::warn("event=upload_record_unreadable file=\"{}\"", p.string());
      drop_files(id);
      continue;
    }
    if (rec->expires < now) {
      drop_files(id);
      continue;
    }
    fs::path part = part_path(id);
    std::int64_t have = size_on_disk(part);
    if (rec->state == UploadRecord::State::kReceiving) {
      if (have < 0) {  // the bytes are gone: nothing to resume
        spdlog::warn("event=upload_part_missing id={}", id);
        drop_files(id);
        continue;
      }
      if (have > rec->offset) {
        // Bytes of a chunk that was never acknowledged.
        if (::truncate(part.c_str(), rec->offset) != 0) fail("cannot truncate", part);
      } else if (have < rec->offset) {
        spdlog::warn("event=upload_part_short id={} recorded={} on_disk={}", id, rec->offset, have);
        rec->offset = have;
        rec->sha256.clear();
        save(*rec);
      }
    }
    auto entry = std::make_shared<Entry>();
    entry->rec = *rec;
    if (rec->state == UploadRecord::State::kCommitting) {
      AppendResult r;
      if (have >= 0) {
        commit(*entry, r);
      } else {
        BlobInfo info;
        bool stored = blobs_.stat(rec->dataset_id, rec->path, &info).is_ok() && info.size == rec->length;
        entry->rec.state = stored ? UploadRecord::State::kStored : UploadRecord::State::kFailed;
        if (!stored) entry->rec.error = "the upload was lost while being stored; upload the file again";
        save(entry->rec);
      }
    } else if (rec->state != UploadRecord::State::kReceiving && have >= 0) {
      std::error_code ec;
      fs::remove(part, ec);
    }
    entry->summarise();
    loaded[id] = entry;
  }
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".part" && !loaded.count(e.path().stem().string())) stray.push_back(e.path());
  for (const auto& p : stray) {
    std::error_code ec;
    fs::remove(p, ec);
  }
  std::lock_guard lock(mu_);
  entries_ = std::move(loaded);
  last_expire_ = now;
}

UploadRecord TusUploads::create(UploadRecord proto) {
  if (shared_) return shared_->create(std::move(proto));
  UploadRecord rec = std::move(proto);
  rec.id = uuid_v4();
  rec.offset = 0;
  rec.state = UploadRecord::State::kReceiving;
  rec.expires = clock_() + ttl_;
  rec.sha256.clear();
  rec.error.clear();
  fs::path part = part_path(rec.id);
  int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", part);
  ::close(fd);
  // Not synced: a process crash keeps it (the OS has it); after a power cut the client's HEAD
  // gets 404 and it simply creates the upload again.
  try {
    save(rec, /*durable=*/false);
  } catch (const UploadStorageError&) {
    drop_files(rec.id);
    throw;
  }
  auto entry = std::make_shared<Entry>();
  entry->rec = rec;
  entry->summarise();
  entry->hasher = Hasher::sha256();
  entry->hashed = 0;
  std::lock_guard lock(mu_);
  entries_[rec.id] = entry;
  return rec;
}

std::vector<UnfinishedUpload> TusUploads::unfinished() {
  if (shared_) return shared_->unfinished();
  std::vector<UnfinishedUpload> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, e] : entries_)
    if (!e->finished && !e->gone) out.push_back({e->owner, e->dataset_id, e->length, e->awaits_file_list});
  return out;
}

std::optional<UploadRecord> TusUploads::get(const std::string& id) {
  if (shared_) return shared_->get(id);
  auto e = find(id);
  if (!e) return std::nullopt;
  std::lock_guard lock(e->mu);
  if (e->gone || e->rec.expires < clock_()) return std::nullopt;
  return e->rec;
}

namespace {
// While a chunk without a digest streams in, its progress is written to the record every this
// many bytes, so that a crash of the server loses at most that much of a long PATCH.
constexpr std::int64_t kProgressSaveBytes = 64 << 20;
// Written bytes are handed to the disk in batches of this size while a chunk streams in.
constexpr std::int64_t kWritebackBytes = 4 << 20;

std::string offset_mismatch(std::int64_t offset, const UploadRecord& rec) {
  return "Upload-Offset " + std::to_string(offset) + " does not match the upload's offset " + std::to_string(rec.offset);
}
}  // namespace

struct AppendStream::Impl {
  TusUploads* uploads = nullptr;
  std::shared_ptr<TusUploads::Entry> entry;
  std::uint64_t generation = 0;
  int fd = -1;
  fs::path part;
  std::int64_t start = 0, length = 0, written = 0, saved = 0, flushed = 0;
  std::optional<std::pair<std::string, std::string>> digest;
  std::optional<Hasher> chunk_hasher;
  bool done = false;

  ~Impl() {
    if (fd >= 0) ::close(fd);
  }
  // Whether this stream may still write: not superseded, terminated or expired. Entry locked.
  bool current() const {
    return !done && !entry->gone && entry->writer == generation && entry->rec.expires >= uploads->clock_();
  }
  // Cuts the part file back to where this chunk started; the digest is rebuilt on the next
  // PATCH. Entry locked.
  void discard() {
    if (BlobStatus s = uploads->files_.truncate(fd, start, part.string()); !s.is_ok())
      spdlog::error("event=upload_truncate_failed id={} error=\"{}\"", entry->rec.id, s.message());
    entry->hasher.reset();
    entry->hashed = -1;
    entry->rec.offset = start;
  }
  // A write failed, perhaps torn: cuts the part file back to what this chunk wrote before it
  // (tus: received bytes count), or to the chunk's start when it promised a digest, which
  // can no longer be checked. Entry locked.
  void take_back_failed_write();
};

void AppendStream::Impl::take_back_failed_write() {
  std::int64_t received = start + written;  // what the writes before the failed one put there
  if (digest) {  // a chunk with a digest counts whole or not at all
    discard();
    return;
  }
  if (BlobStatus t = uploads->files_.truncate(fd, received, part.string()); !t.is_ok()) {
    spdlog::error("event=upload_truncate_failed id={} error=\"{}\"", entry->rec.id, t.message());
    discard();
    return;
  }
  entry->rec.offset = received;
  try {
    uploads->save(entry->rec, /*durable=*/false);
  } catch (const UploadStorageError& e) {  // the disk is failing: the record keeps an older offset
    spdlog::warn("event=upload_progress_not_saved id={} error=\"{}\"", entry->rec.id, e.what());
  }
}

AppendStream::AppendStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AppendStream::AppendStream() = default;
AppendStream::~AppendStream() = default;

void AppendStream::write(std::string_view bytes) {
  Impl& s = *impl_;
  if (bytes.empty()) return;
  std::lock_guard lock(s.entry->mu);
  UploadRecord& rec = s.entry->rec;
  if (!s.current()) throw UploadGoneError("upload " + rec.id + " was superseded by a newer PATCH, terminated or expired");
  if (s.written + static_cast<std::int64_t>(bytes.size()) > s.length)
    throw std::runtime_error("more bytes than the request declared");
  // Synced once, when the file is complete.
  if (BlobStatus w = s.uploads->files_.write_at(s.fd, bytes, s.start + s.written, s.part.string()); !w.is_ok()) {
    s.take_back_failed_write();
    s.done = true;
    throw UploadStorageError(w);
  }
  s.written += static_cast<std::int64_t>(bytes.size());
  if (s.start + s.written - s.flushed >= kWritebackBytes) {
    // Start writing the bytes to disk now, so the fsync once the file is complete finds
    // little left to do (it is on the path of the last PATCH's answer).
    ::sync_file_range(s.fd, s.flushed, s.start + s.written - s.flushed, SYNC_FILE_RANGE_WRITE);
    s.flushed = s.start + s.written;
  }
  s.entry->hasher->update(bytes);
  s.entry->hashed += static_cast<std::int64_t>(bytes.size());
  if (s.chunk_hasher) {
    s.chunk_hasher->update(bytes);
    return;  // the offset moves only once the chunk's digest is checked
  }
  rec.offset = s.start + s.written;
  if (rec.offset - s.saved >= kProgressSaveBytes) {
    rec.expires = s.uploads->clock_() + s.uploads->ttl_;
    s.uploads->save(rec, /*durable=*/false);
    s.saved = rec.offset;
  }
}

AppendResult AppendStream::finish(const UploadVerifier& verify) {
  Impl& s = *impl_;
  std::lock_guard lock(s.entry->mu);
  UploadRecord& rec = s.entry->rec;
  AppendResult result;
  if (!s.current()) {
    result.outcome = AppendResult::Outcome::kNotFound;
    result.message = "upload " + rec.id + " was superseded by a newer PATCH, terminated or expired";
    return result;
  }
  s.done = true;
  if (rec.state != UploadRecord::State::kReceiving) {
    // Already verified: an empty PATCH at the end retries a lost response or a failed commit.
    if (rec.state == UploadRecord::State::kCommitting) s.uploads->commit(*s.entry, result);
    result.record = rec;
    return result;
  }
  if (s.written != s.length) throw std::logic_error("AppendStream::finish before all declared bytes");
  if (s.digest && s.chunk_hasher->finish() != s.digest->second) {
    s.discard();
    result.outcome = AppendResult::Outcome::kChunkChecksum;
    result.message = "Upload-Checksum does not match the " + std::to_string(s.length) + " bytes received; the chunk was discarded";
    result.record = rec;
    return result;
  }
  if (s.length > 0) {
    rec.offset = s.start + s.written;
    rec.expires = s.uploads->clock_() + s.uploads->ttl_;
    try {
      s.uploads->save(rec, /*durable=*/false);  // the acknowledgement point: after this the bytes count
    } catch (const UploadStorageError&) {
      s.discard();  // not recorded, so not acknowledged: memory and disk agree on the old offset
      throw;
    }
  }
  if (rec.offset == rec.length) return s.uploads->complete(*s.entry, verify);
  result.record = rec;
  return result;
}

void AppendStream::abort() noexcept {
  Impl& s = *impl_;
  std::lock_guard lock(s.entry->mu);
  if (!s.current()) return;
  s.done = true;
  UploadRecord& rec = s.entry->rec;
  if (rec.state != UploadRecord::State::kReceiving) return;
  if (s.digest) s.discard();
  try {
    rec.expires = s.uploads->clock_() + s.uploads->ttl_;
    s.uploads->save(rec, /*durable=*/false);
  } catch (const std::exception& e) {
    spdlog::error("event=upload_progress_not_saved id={} error=\"{}\"", rec.id, e.what());
  }
}

void TusUploads::resume_digest(Entry& e) {
  const UploadRecord& rec = e.rec;
  if (e.hasher && e.hashed == rec.offset) return;
  e.hasher = Hasher::sha256();
  e.hashed = 0;
  std::ifstream in(part_path(rec.id), std::ios::binary);
  std::string buf(1 << 20, '\0');
  while (e.hashed < rec.offset) {
    std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(rec.offset - e.hashed, static_cast<std::int64_t>(buf.size())));
    if (!in.read(buf.data(), static_cast<std::streamsize>(want))) {
      e.hasher.reset();
      e.hashed = -1;
      throw UploadStorageError(BlobStatus::io_error("cannot re-read " + part_path(rec.id).string() + " to resume its checksum"));
    }
    e.hasher->update(std::string_view(buf.data(), want));
    e.hashed += static_cast<std::int64_t>(want);
  }
}

AppendResult TusUploads::begin_append(const std::string& id, std::int64_t offset, std::int64_t length,
                                      const std::optional<std::pair<std::string, std::string>>& chunk_digest,
                                      std::unique_ptr<AppendStream>* out) {
  if (shared_) return shared_->begin_append(id, offset, length, chunk_digest, out);
  AppendResult result;
  auto e = find(id);
  if (!e) return {AppendResult::Outcome::kNotFound, {}, "upload " + id + " does not exist or has expired"};
  std::lock_guard lock(e->mu);
  UploadRecord& rec = e->rec;
  result.record = rec;
  if (e->gone || rec.expires < clock_()) return {AppendResult::Outcome::kNotFound, {}, "upload " + id + " does not exist or has expired"};
  if (rec.state == UploadRecord::State::kFailed) {
    result.outcome = AppendResult::Outcome::kGone;
    result.message = rec.error;
    return result;
  }
  bool confirm = rec.state != UploadRecord::State::kReceiving;  // verified already: only an empty PATCH at the end
  if (confirm ? !(offset == rec.length && length == 0) : offset != rec.offset) {
    result.outcome = AppendResult::Outcome::kOffsetConflict;
    result.message = offset_mismatch(offset, rec);
    return result;
  }
  if (!confirm && length > rec.length - rec.offset) {
    result.outcome = AppendResult::Outcome::kTooLong;
    result.message = "the chunk of " + std::to_string(length) + " bytes at offset " + std::to_string(offset) +
                     " goes past Upload-Length " + std::to_string(rec.length);
    return result;
  }
  auto impl = std::make_unique<AppendStream::Impl>();
  impl->uploads = this;
  impl->entry = e;
  impl->part = part_path(id);
  impl->start = impl->saved = impl->flushed = rec.offset;
  impl->length = length;
  if (!confirm && length > 0) {
    resume_digest(*e);
    impl->fd = ::open(impl->part.c_str(), O_WRONLY | O_CLOEXEC);
    if (impl->fd < 0) fail("cannot open", impl->part);
    // Cut off whatever an interrupted request left beyond the acknowledged offset.
    throw_if_failed(files_.truncate(impl->fd, rec.offset, impl->part.string()));
    if (chunk_digest) {
      impl->digest = chunk_digest;
      impl->chunk_hasher = Hasher::create(chunk_digest->first);
    }
  }
  impl->generation = ++e->writer;  // an older stream of this upload may not write any more
  *out = std::unique_ptr<AppendStream>(new AppendStream(std::move(impl)));
  return result;
}

AppendResult TusUploads::append(const std::string& id, std::int64_t offset, std::string_view chunk,
                                const std::optional<std::pair<std::string, std::string>>& chunk_digest,
                                const UploadVerifier& verify) {
  std::unique_ptr<AppendStream> stream;
  AppendResult begun = begin_append(id, offset, static_cast<std::int64_t>(chunk.size()), chunk_digest, &stream);
  if (begun.outcome != AppendResult::Outcome::kAccepted) return begun;
  stream->write(chunk);
  return stream->finish(verify);
}

AppendResult TusUploads::complete(Entry& e, const UploadVerifier& verify) {
  UploadRecord& rec = e.rec;
  AppendResult result;
  if (rec.sha256.empty()) {
    resume_digest(e);
    rec.sha256 = Hasher::hex(e.hasher->finish());
    e.hasher.reset();
    e.hashed = -1;
  }
  UploadVerdict verdict = verify(rec, rec.sha256);
  switch (verdict.kind) {
    case UploadVerdict::Kind::kNoChecksum:
      save(rec);
      result.outcome = AppendResult::Outcome::kNoChecksum;
      result.message = verdict.message;
      break;
    case UploadVerdict::Kind::kMismatch: {
      rec.state = UploadRecord::State::kFailed;
      e.finished = true;
      rec.error = verdict.message;
      save(rec);
      std::error_code ec;
      fs::remove(part_path(rec.id), ec);
      result.outcome = AppendResult::Outcome::kFileMismatch;
      result.message = verdict.message;
      break;
    }
    case UploadVerdict::Kind::kMatch:
      rec.state = UploadRecord::State::kCommitting;
      try {
        save(rec);
      } catch (const UploadStorageError&) {
        rec.state = UploadRecord::State::kReceiving;  // all bytes are in: an empty PATCH at the end retries
        throw;
      }
      commit(e, result);
      break;
  }
  result.record = rec;
  return result;
}

void TusUploads::commit(Entry& e, AppendResult& result) {
  UploadRecord& rec = e.rec;
  BlobStatus s = blobs_.put(rec.dataset_id, rec.path, part_path(rec.id));
  if (!s.is_ok()) {
    spdlog::error("event=upload_commit_failed id={} error=\"{}\"", rec.id, s.message());
    result.outcome = AppendResult::Outcome::kStoreError;
    result.message = s.message();
    result.no_space = s.is_no_space();
    return;
  }
  rec.state = UploadRecord::State::kStored;
  e.finished = true;
  // The file itself is durable now (put synced it and its directory); this record only
  // answers HEAD, and after a restart recovery finds the stored blob instead (the record on
  // disk still says committing), so a failure to write it is no failure of the upload.
  try {
    save(rec, /*durable=*/false);
  } catch (const UploadStorageError& err) {
    spdlog::warn("event=upload_record_not_saved id={} error=\"{}\"", rec.id, err.what());
  }
  result.outcome = AppendResult::Outcome::kAccepted;
}

bool TusUploads::remove(const std::string& id) {
  if (shared_) return shared_->remove(id);
  auto e = find(id);
  if (!e) return false;
  {
    std::lock_guard lock(e->mu);
    if (e->gone) return false;
    e->gone = true;
    drop_files(id);
  }
  std::lock_guard lock(mu_);
  entries_.erase(id);
  return true;
}

int TusUploads::expire() {
  if (shared_) return shared_->expire();
  std::int64_t now = clock_();
  std::vector<std::pair<std::string, std::shared_ptr<Entry>>> all;
  {
    std::lock_guard lock(mu_);
    all.assign(entries_.begin(), entries_.end());
  }
  int n = 0;
  for (auto& [id, e] : all) {
    {
      std::lock_guard lock(e->mu);
      if (e->gone || e->rec.expires >= now) continue;
      e->gone = true;
      drop_files(id);
    }
    std::lock_guard lock(mu_);
    entries_.erase(id);
    ++n;
  }
  if (n > 0) spdlog::info("event=uploads_expired count={}", n);
  return n;
}

void TusUploads::maybe_expire(std::int64_t interval_seconds) {
  std::int64_t now = clock_();
  std::int64_t last = last_expire_.load();
  if (now - last < interval_seconds) return;
  if (!last_expire_.compare_exchange_strong(last, now)) return;  // another thread does it
  expire();
}

}  // namespace openem
