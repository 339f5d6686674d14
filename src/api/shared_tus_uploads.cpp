#include "api/shared_tus_uploads.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <system_error>

#include "api/upload_record.h"
#include "blob/hasher.h"
#include "blob/posix_file.h"
#include "core/ids.h"

namespace openem {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kReadBlock = 8 << 20;

void remove_file(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
}

AppendResult outcome(AppendResult::Outcome o, const UploadState& s, std::string message = "") {
  AppendResult r;
  r.outcome = o;
  r.record = upload_record_of(s);
  r.message = std::move(message);
  return r;
}

}  // namespace

UploadRecord upload_record_of(const UploadState& s) {
  UploadRecord r;
  r.id = s.id;
  r.dataset_id = s.dataset_id;
  r.path = s.path;
  r.filename = s.filename;
  r.owner = s.owner;
  r.metadata = s.metadata;
  r.length = s.length;
  r.offset = s.offset;
  r.state = parse_state(s.state).value_or(UploadRecord::State::kReceiving);
  r.expires = s.expires;
  r.sha256 = s.sha256;
  r.error = s.error;
  return r;
}

UploadState upload_state_of(const UploadRecord& r) {
  UploadState s;
  s.id = r.id;
  s.dataset_id = r.dataset_id;
  s.path = r.path;
  s.filename = r.filename;
  s.owner = r.owner;
  s.metadata = r.metadata;
  s.length = r.length;
  s.offset = r.offset;
  s.state = state_name(r.state);
  s.expires = r.expires;
  s.sha256 = r.sha256;
  s.error = r.error;
  return s;
}

// One PATCH on a shared upload: bytes into a local spool file, the part and the catalog's
// offset when it ends (see shared_tus_uploads.h).
class SharedAppendStream : public AppendStream {
 public:
  SharedAppendStream(SharedTusUploads& uploads, UploadState state, std::int64_t length,
                     std::optional<std::pair<std::string, std::string>> digest)
      : uploads_(uploads), state_(std::move(state)), length_(length), digest_(std::move(digest)),
        sha256_(Hasher::sha256()) {
    if (digest_) chunk_hasher_ = Hasher::create(digest_->first);
  }
  ~SharedAppendStream() override {
    if (fd_ >= 0) ::close(fd_);
    if (!spool_.empty()) remove_file(spool_);
  }

  void write(std::string_view bytes) override {
    if (bytes.empty()) return;
    if (done_) throw UploadGoneError("upload " + state_.id + ": this request already ended");
    if (written_ + static_cast<std::int64_t>(bytes.size()) > length_)
      throw std::runtime_error("more bytes than the request declared");
    if (fd_ < 0) {
      spool_ = uploads_.spool_path(state_.id, "chunk");
      fd_ = ::open(spool_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd_ < 0) throw UploadStorageError(BlobStatus::from_errno(errno, "cannot create " + spool_.string()));
    }
    if (BlobStatus s = write_all(fd_, bytes, spool_.string()); !s.is_ok()) {
      done_ = true;  // nothing of this chunk was acknowledged
      throw UploadStorageError(s);
    }
    written_ += static_cast<std::int64_t>(bytes.size());
    sha256_.update(bytes);
    if (chunk_hasher_) chunk_hasher_->update(bytes);
  }

  AppendResult finish(const UploadVerifier& verify) override {
    if (done_) return outcome(AppendResult::Outcome::kNotFound, state_, "upload " + state_.id + ": this request already ended");
    done_ = true;
    close_spool();
    if (state_.state != "receiving") {
      // Already verified: an empty PATCH at the end retries a lost answer or a failed commit.
      AppendResult result = outcome(AppendResult::Outcome::kAccepted, state_);
      if (state_.state == "committing") uploads_.commit(state_, result);
      result.record = upload_record_of(state_);
      return result;
    }
    if (written_ != length_) throw std::logic_error("AppendStream::finish before all declared bytes");
    if (digest_ && chunk_hasher_->finish() != digest_->second)
      return outcome(AppendResult::Outcome::kChunkChecksum, state_,
                     "Upload-Checksum does not match the " + std::to_string(length_) +
                         " bytes received; the chunk was discarded");
    const std::string sha = Hasher::hex(sha256_.finish());
    if (length_ > 0 && state_.offset == 0 && length_ == state_.length)
      return whole_file(verify, sha);  // the whole upload in one request: no parts needed
    if (length_ > 0 && !acknowledge(sha)) return conflict();
    if (state_.offset == state_.length) return uploads_.complete(state_, verify);
    return outcome(AppendResult::Outcome::kAccepted, state_);
  }

  void abort() noexcept override {
    if (done_) return;
    done_ = true;
    close_spool();
    // tus: the bytes received count — unless the chunk promised a digest, which can no longer
    // be checked.
    if (digest_ || written_ == 0 || state_.state != "receiving") return;
    try {
      if (!acknowledge(Hasher::hex(sha256_.finish())))
        spdlog::info("event=upload_partial_chunk_superseded id={} offset={}", state_.id, state_.offset);
    } catch (const std::exception& e) {
      spdlog::warn("event=upload_partial_chunk_lost id={} error=\"{}\"", state_.id, e.what());
    }
  }

 private:
  void close_spool() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool acknowledge(const std::string& sha) {
    bool ok = uploads_.acknowledge(state_, spool_, written_, sha);
    spool_.clear();  // consumed (or removed)
    return ok;
  }

  AppendResult conflict() {
    auto now = upload_states::get(uploads_.catalog_, state_.id);
    if (!now) return outcome(AppendResult::Outcome::kNotFound, state_, "upload " + state_.id + " does not exist or has expired");
    return outcome(AppendResult::Outcome::kOffsetConflict, *now,
                   "another request wrote at offset " + std::to_string(state_.offset) +
                       " first; the upload's offset is now " + std::to_string(now->offset));
  }

  // The whole file in this request: verified from the spool and stored from it.
  AppendResult whole_file(const UploadVerifier& verify, const std::string& sha) {
    UploadState next = state_;
    next.offset = next.length;
    next.sha256 = sha;
    UploadVerdict verdict = verify(upload_record_of(next), sha);
    if (verdict.kind == UploadVerdict::Kind::kNoChecksum) {
      // Kept for the empty PATCH after the registration: the bytes become a part.
      if (!acknowledge(sha)) return conflict();
      return outcome(AppendResult::Outcome::kNoChecksum, state_, verdict.message);
    }
    if (verdict.kind == UploadVerdict::Kind::kMismatch) {
      next.state = "failed";
      next.error = verdict.message;
      if (!upload_states::compare_and_set(uploads_.catalog_, next)) return conflict();
      return outcome(AppendResult::Outcome::kFileMismatch, next, verdict.message);
    }
    // Committing first: a termination or another request that came meanwhile wins (this one
    // answers as they left it), and none can come between here and the stored state.
    next.state = "committing";
    if (!upload_states::compare_and_set(uploads_.catalog_, next)) return conflict();
    if (BlobStatus s = uploads_.blobs_.put(state_.dataset_id, state_.path, spool_); !s.is_ok()) {
      // The upload goes back to receiving: nothing was acknowledged, the client sends the file again.
      UploadState back = next;
      back.state = "receiving";
      back.offset = state_.offset;
      back.sha256 = state_.sha256;
      upload_states::compare_and_set(uploads_.catalog_, back);
      AppendResult r = outcome(AppendResult::Outcome::kStoreError, state_, s.message());
      r.no_space = s.is_no_space();
      return r;
    }
    spool_.clear();  // consumed by put
    next.state = "stored";
    upload_states::compare_and_set(uploads_.catalog_, next);  // committing is this request's alone
    state_ = next;
    return outcome(AppendResult::Outcome::kAccepted, state_);
  }

  SharedTusUploads& uploads_;
  UploadState state_;  // as read when the request began
  const std::int64_t length_;
  const std::optional<std::pair<std::string, std::string>> digest_;
  std::optional<Hasher> chunk_hasher_;
  Hasher sha256_;  // of this chunk
  fs::path spool_;
  int fd_ = -1;
  std::int64_t written_ = 0;
  bool done_ = false;
};

SharedTusUploads::SharedTusUploads(CatalogStore& catalog, BlobStore& blobs, std::shared_ptr<BlobStore> parts,
                                   std::int64_t ttl_seconds, std::function<std::int64_t()> clock)
    : catalog_(catalog), blobs_(blobs), parts_(std::move(parts)), ttl_(ttl_seconds), clock_(std::move(clock)) {}

fs::path SharedTusUploads::spool_path(const std::string& id, const std::string& what) const {
  return blobs_.staging_dir() / (id + "." + uuid_v4() + "." + what);
}

void SharedTusUploads::recover() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(blobs_.staging_dir(), ec)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".chunk" || ext == ".assembled") remove_file(e.path());
  }
}

UploadRecord SharedTusUploads::create(UploadRecord proto) {
  UploadState s = upload_state_of(proto);
  s.id = uuid_v4();
  s.offset = 0;
  s.state = "receiving";
  s.expires = now() + ttl_;
  s.sha256.clear();
  s.error.clear();
  upload_states::insert(catalog_, s);
  return upload_record_of(s);
}

std::optional<UploadRecord> SharedTusUploads::get(const std::string& id) {
  auto s = upload_states::get(catalog_, id);
  if (!s || s->expires < now()) return std::nullopt;
  return upload_record_of(*s);
}

std::vector<UnfinishedUpload> SharedTusUploads::unfinished() {
  std::vector<UnfinishedUpload> out;
  const std::int64_t t = now();
  for (const UploadState& s : upload_states::receiving(catalog_))
    if (s.expires >= t) out.push_back({s.owner, s.dataset_id, s.length, has_metadata_key(s.metadata, "awaitFileList")});
  return out;
}

AppendResult SharedTusUploads::begin_append(const std::string& id, std::int64_t offset, std::int64_t length,
                                            const std::optional<std::pair<std::string, std::string>>& chunk_digest,
                                            std::unique_ptr<AppendStream>* out) {
  auto s = upload_states::get(catalog_, id);
  if (!s || s->expires < now()) return {AppendResult::Outcome::kNotFound, {}, "upload " + id + " does not exist or has expired"};
  if (s->state == "failed") return outcome(AppendResult::Outcome::kGone, *s, s->error);
  const bool confirm = s->state != "receiving";  // verified already: only an empty PATCH at the end
  if (confirm ? !(offset == s->length && length == 0) : offset != s->offset)
    return outcome(AppendResult::Outcome::kOffsetConflict, *s,
                   "Upload-Offset " + std::to_string(offset) + " does not match the upload's offset " +
                       std::to_string(s->offset));
  if (!confirm && length > s->length - s->offset)
    return outcome(AppendResult::Outcome::kTooLong, *s,
                   "the chunk of " + std::to_string(length) + " bytes at offset " + std::to_string(offset) +
                       " goes past Upload-Length " + std::to_string(s->length));
  AppendResult result = outcome(AppendResult::Outcome::kAccepted, *s);
  *out = std::make_unique<SharedAppendStream>(*this, std::move(*s), length, chunk_digest);
  return result;
}

bool SharedTusUploads::acknowledge(UploadState& state, const fs::path& spool, std::int64_t length,
                                   const std::string& sha256) {
  const std::string name = std::to_string(state.offset) + "-" + uuid_v4();
  if (BlobStatus s = parts_->put(state.id, name, spool); !s.is_ok()) {
    remove_file(spool);
    throw UploadStorageError(s);
  }
  UploadState next = state;
  next.parts.push_back({state.offset, length, name, sha256});
  next.offset += length;
  next.expires = now() + ttl_;
  if (!upload_states::compare_and_set(catalog_, next)) {
    parts_->remove(state.id, name);  // never acknowledged
    return false;
  }
  state = std::move(next);
  return true;
}

fs::path SharedTusUploads::assemble(const UploadState& state, std::string* sha256) {
  const fs::path staged = spool_path(state.id, "assembled");
  int fd = ::open(staged.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw UploadStorageError(BlobStatus::from_errno(errno, "cannot create " + staged.string()));
  Hasher whole = Hasher::sha256();
  std::string block;
  auto fail = [&](BlobStatus s) {
    ::close(fd);
    remove_file(staged);
    throw UploadStorageError(std::move(s));
  };
  std::int64_t at = 0;
  for (const UploadPart& p : state.parts) {
    if (p.offset != at) fail(BlobStatus::io_error("upload " + state.id + ": its parts are not contiguous at " + std::to_string(at)));
    std::unique_ptr<BlobReader> r;
    if (BlobStatus s = parts_->open(state.id, p.name, &r); !s.is_ok())
      fail(BlobStatus::io_error("upload " + state.id + ": part " + p.name + ": " + s.message()));
    if (r->info().size != p.length)
      fail(BlobStatus::io_error("upload " + state.id + ": part " + p.name + " holds " + std::to_string(r->info().size) +
                                " bytes, " + std::to_string(p.length) + " were acknowledged"));
    Hasher part = Hasher::sha256();
    for (std::int64_t done = 0; done < p.length; done += static_cast<std::int64_t>(block.size())) {
      if (BlobStatus s = r->read(done, kReadBlock, &block); !s.is_ok()) fail(s);
      if (block.empty()) fail(BlobStatus::io_error("upload " + state.id + ": part " + p.name + " ended early"));
      if (BlobStatus s = write_all(fd, block, staged.string()); !s.is_ok()) fail(s);
      part.update(block);
      whole.update(block);
    }
    if (!p.sha256.empty() && Hasher::hex(part.finish()) != p.sha256)
      fail(BlobStatus::io_error("upload " + state.id + ": part " + p.name + " changed after it was acknowledged"));
    at += p.length;
  }
  if (at != state.length) fail(BlobStatus::io_error("upload " + state.id + ": its parts hold " + std::to_string(at) + " bytes"));
  if (::fsync(fd) != 0) fail(BlobStatus::from_errno(errno, "fsync of " + staged.string()));
  ::close(fd);
  *sha256 = Hasher::hex(whole.finish());
  return staged;
}

AppendResult SharedTusUploads::complete(UploadState& state, const UploadVerifier& verify) {
  std::string sha;
  fs::path staged = assemble(state, &sha);
  UploadState next = state;
  next.sha256 = sha;
  UploadVerdict verdict = verify(upload_record_of(next), sha);
  AppendResult result = outcome(AppendResult::Outcome::kAccepted, state);
  switch (verdict.kind) {
    case UploadVerdict::Kind::kNoChecksum:
      remove_file(staged);
      return outcome(AppendResult::Outcome::kNoChecksum, state, verdict.message);
    case UploadVerdict::Kind::kMismatch:
      remove_file(staged);
      next.state = "failed";
      next.error = verdict.message;
      next.parts.clear();
      if (upload_states::compare_and_set(catalog_, next)) {
        state = next;
        drop_parts(state.id);
      }
      return outcome(AppendResult::Outcome::kFileMismatch, state, verdict.message);
    case UploadVerdict::Kind::kMatch:
      break;
  }
  next.state = "committing";
  if (!upload_states::compare_and_set(catalog_, next)) {  // another request completes it
    remove_file(staged);
    auto now = upload_states::get(catalog_, state.id);
    return outcome(AppendResult::Outcome::kOffsetConflict, now ? *now : state,
                   "another request completed upload " + state.id + " first");
  }
  state = next;
  BlobStatus s = blobs_.put(state.dataset_id, state.path, staged);
  remove_file(staged);  // put consumed it, or it failed: the parts are still there
  if (!s.is_ok()) {
    spdlog::error("event=upload_commit_failed id={} error=\"{}\"", state.id, s.message());
    result = outcome(AppendResult::Outcome::kStoreError, state, s.message());
    result.no_space = s.is_no_space();
    return result;
  }
  next = state;
  next.state = "stored";
  next.parts.clear();
  if (upload_states::compare_and_set(catalog_, next)) {
    state = next;
    drop_parts(state.id);
  }
  return outcome(AppendResult::Outcome::kAccepted, state);
}

void SharedTusUploads::commit(UploadState& state, AppendResult& result) {
  // The parts again (a process killed mid-commit, or a put that failed): the file they give
  // must still be the one verified.
  std::string sha;
  fs::path staged = assemble(state, &sha);
  BlobStatus s = blobs_.put(state.dataset_id, state.path, staged);
  remove_file(staged);
  if (!s.is_ok() || sha != state.sha256) {
    result.outcome = AppendResult::Outcome::kStoreError;
    result.message = s.is_ok() ? "the parts of upload " + state.id + " no longer give the verified file" : s.message();
    result.no_space = s.is_no_space();
    return;
  }
  UploadState next = state;
  next.state = "stored";
  next.parts.clear();
  if (upload_states::compare_and_set(catalog_, next)) {
    state = next;
    drop_parts(state.id);
  }
  result.outcome = AppendResult::Outcome::kAccepted;
}

void SharedTusUploads::drop_parts(const std::string& id) {
  std::vector<BlobInfo> parts;
  if (!parts_->list(id, &parts).is_ok()) return;
  for (const BlobInfo& p : parts)
    if (BlobStatus s = parts_->remove(id, p.path); !s.is_ok() && !s.is_not_found())
      spdlog::warn("event=upload_part_not_removed id={} part={} error=\"{}\"", id, p.path, s.message());
}

bool SharedTusUploads::remove(const std::string& id) {
  if (!upload_states::remove_unless_committing(catalog_, id)) return false;
  drop_parts(id);
  return true;
}

int SharedTusUploads::expire() {
  int n = 0;
  for (const UploadState& s : upload_states::expired(catalog_, now(), 100))
    if (upload_states::remove(catalog_, s.id)) {
      drop_parts(s.id);
      ++n;
    }
  if (n > 0) spdlog::info("event=uploads_expired count={}", n);
  return n;
}

}  // namespace openem
