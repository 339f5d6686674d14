#include "api/tus_uploads.h"

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
  bool gone = false;  // terminated or expired while someone held the pointer
  // SHA-256 of the first `hashed` bytes of the part file; rebuilt from the file when it does
  // not match the offset (after a restart), so the state survives without being persisted.
  std::optional<Hasher> hasher;
  std::int64_t hashed = -1;
};

namespace {

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

json::object to_json(const UploadRecord& r) {
  return {{"id", r.id},         {"datasetId", r.dataset_id}, {"path", r.path},     {"filename", r.filename},
          {"owner", r.owner},   {"metadata", r.metadata},    {"length", r.length}, {"offset", r.offset},
          {"state", state_name(r.state)}, {"expires", r.expires}, {"sha256", r.sha256}, {"error", r.error}};
}

std::optional<UploadRecord> from_json(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
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

[[noreturn]] void fail(const std::string& what, const fs::path& p) {
  throw std::runtime_error(what + " " + p.string() + ": " + std::strerror(errno));
}

void pwrite_all(int fd, std::string_view bytes, std::int64_t offset, const fs::path& p) {
  while (!bytes.empty()) {
    ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", p);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
}

std::int64_t size_on_disk(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_size : -1;
}

}  // namespace

TusUploads::TusUploads(BlobStore& blobs, std::int64_t ttl_seconds, std::function<std::int64_t()> clock)
    : blobs_(blobs), ttl_(ttl_seconds), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return static_cast<std::int64_t>(::time(nullptr)); };
}

fs::path TusUploads::part_path(const std::string& id) const { return blobs_.staging_dir() / (id + ".part"); }
fs::path TusUploads::record_path(const std::string& id) const { return blobs_.staging_dir() / (id + ".json"); }

void TusUploads::save(const UploadRecord& rec, bool durable) {
  write_file_atomically(record_path(rec.id), json::serialize(to_json(rec)), 0644, durable);
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
    auto rec = from_json(text);
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
  save(rec);  // fsyncs the directory, which makes the .part entry durable too
  auto entry = std::make_shared<Entry>();
  entry->rec = rec;
  entry->hasher = Hasher::sha256();
  entry->hashed = 0;
  std::lock_guard lock(mu_);
  entries_[rec.id] = entry;
  return rec;
}

std::optional<UploadRecord> TusUploads::get(const std::string& id) {
  auto e = find(id);
  if (!e) return std::nullopt;
  std::lock_guard lock(e->mu);
  if (e->gone || e->rec.expires < clock_()) return std::nullopt;
  return e->rec;
}

AppendResult TusUploads::append(const std::string& id, std::int64_t offset, std::string_view chunk,
                                const std::optional<std::pair<std::string, std::string>>& chunk_digest,
                                const UploadVerifier& verify) {
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
  if (rec.state != UploadRecord::State::kReceiving) {
    // Already verified: an empty PATCH at the end is a retry of a lost response (or of a
    // commit that failed); anything else is at the wrong offset.
    if (offset == rec.length && chunk.empty()) {
      if (rec.state == UploadRecord::State::kCommitting) commit(*e, result);
      result.record = rec;
      return result;
    }
    result.outcome = AppendResult::Outcome::kOffsetConflict;
    result.message = "Upload-Offset " + std::to_string(offset) + " does not match the upload's offset " + std::to_string(rec.offset);
    return result;
  }
  if (offset != rec.offset) {
    result.outcome = AppendResult::Outcome::kOffsetConflict;
    result.message = "Upload-Offset " + std::to_string(offset) + " does not match the upload's offset " + std::to_string(rec.offset);
    return result;
  }
  if (static_cast<std::int64_t>(chunk.size()) > rec.length - rec.offset) {
    result.outcome = AppendResult::Outcome::kTooLong;
    result.message = "the chunk of " + std::to_string(chunk.size()) + " bytes at offset " + std::to_string(offset) +
                     " goes past Upload-Length " + std::to_string(rec.length);
    return result;
  }
  if (chunk_digest && Hasher::digest(chunk_digest->first, chunk) != chunk_digest->second) {
    result.outcome = AppendResult::Outcome::kChunkChecksum;
    result.message = "Upload-Checksum does not match the " + std::to_string(chunk.size()) + " bytes received; the chunk was discarded";
    return result;
  }
  fs::path part = part_path(id);
  if (!chunk.empty()) {
    if (!e->hasher || e->hashed != rec.offset) {
      // After a restart (or an error) the digest state is rebuilt from the bytes on disk.
      e->hasher = Hasher::sha256();
      e->hashed = 0;
      std::ifstream in(part, std::ios::binary);
      std::string buf(1 << 20, '\0');
      while (e->hashed < rec.offset) {
        std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(rec.offset - e->hashed, static_cast<std::int64_t>(buf.size())));
        if (!in.read(buf.data(), static_cast<std::streamsize>(want))) {
          e->hasher.reset();
          throw std::runtime_error("cannot re-read " + part.string() + " to resume its checksum");
        }
        e->hasher->update(std::string_view(buf.data(), want));
        e->hashed += static_cast<std::int64_t>(want);
      }
    }
    int fd = ::open(part.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open", part);
    try {
      // Cut off whatever an interrupted request left beyond the acknowledged offset.
      if (::ftruncate(fd, rec.offset) != 0) fail("cannot truncate", part);
      pwrite_all(fd, chunk, rec.offset, part);  // synced once, when the file is complete
    } catch (...) {
      ::close(fd);
      e->hasher.reset();
      throw;
    }
    ::close(fd);
    e->hasher->update(chunk);
    e->hashed += static_cast<std::int64_t>(chunk.size());
    UploadRecord next = rec;
    next.offset += static_cast<std::int64_t>(chunk.size());
    next.expires = clock_() + ttl_;
    save(next, /*durable=*/false);  // the acknowledgement point: after this the bytes count
    rec = next;
  }
  if (rec.offset == rec.length) return complete(*e, verify);
  result.record = rec;
  return result;
}

AppendResult TusUploads::complete(Entry& e, const UploadVerifier& verify) {
  UploadRecord& rec = e.rec;
  AppendResult result;
  if (rec.sha256.empty()) {
    if (!e.hasher || e.hashed != rec.offset) {
      Hasher h = Hasher::sha256();
      std::ifstream in(part_path(rec.id), std::ios::binary);
      std::string buf(1 << 20, '\0');
      while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
        h.update(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
      e.hasher = std::move(h);
    }
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
      save(rec);
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
    return;
  }
  rec.state = UploadRecord::State::kStored;
  save(rec);
  result.outcome = AppendResult::Outcome::kAccepted;
}

bool TusUploads::remove(const std::string& id) {
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
