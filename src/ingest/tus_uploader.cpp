#include "ingest/tus_uploader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "ingest/path_safety.h"
#include "ingest/sha256.h"

namespace openem::ingest {
namespace {

const std::string kTus = "Tus-Resumable: 1.0.0";

class FileReader {
 public:
  explicit FileReader(const LocalFile& f) : name_(f.path) {
    fd_ = ::open(f.source.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(printable(name_) + ": cannot open: " + std::strerror(errno));
  }
  ~FileReader() { ::close(fd_); }
  std::size_t read_at(char* buf, std::size_t n, std::uint64_t offset) {
    std::size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, buf + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw std::runtime_error(printable(name_) + ": read error: " + std::strerror(errno));
      if (r == 0) throw std::runtime_error(printable(name_) + ": changed while being ingested (file got shorter)");
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

 private:
  std::string name_;
  int fd_;
};

}  // namespace

std::string download_target(const std::string& pid, const std::string& path) {
  std::string out = "/api/v3/Datasets/" + url_encode(pid) + "/files";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out += "/" + url_encode(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

TusUploader::TusUploader(ScicatClient& client, std::string pid, std::uint64_t chunk_bytes)
    : client_(client), pid_(std::move(pid)), chunk_bytes_(chunk_bytes) {}

bool TusUploader::server_supports_uploads() {
  HttpResponse r = client_.call("OPTIONS", "/api/v3/uploads", {}, {200, 204, 404, 405, 403, 401}, {kTus});
  return r.status / 100 == 2 && !r.header("tus-version").empty();
}

bool TusUploader::stored_on_server(const std::string& path) {
  HttpResponse r = client_.call("HEAD", download_target(pid_, path), {}, {200, 404});
  return r.status == 200;
}

std::string TusUploader::absolute(const std::string& location) const {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  const std::string& origin = client_.http().origin();
  std::size_t host_end = origin.find('/', origin.find("://") + 3);
  return (host_end == std::string::npos ? origin : origin.substr(0, host_end)) + location;
}

TusUploader::ServerUpload TusUploader::create(const LocalFile& f, std::string& url) {
  std::string metadata = "datasetId " + base64_encode(pid_) + ",path " + base64_encode(f.path);
  std::size_t slash = f.path.rfind('/');
  metadata += ",filename " + base64_encode(slash == std::string::npos ? f.path : f.path.substr(slash + 1));
  metadata += ",awaitFileList";  // the file list comes after the upload; confirm() then verifies
  HttpResponse r = client_.call("POST", "/api/v3/uploads", {}, {201},
                                {kTus, "Upload-Length: " + std::to_string(f.size), "Upload-Metadata: " + metadata});
  std::string loc = r.header("location");
  if (loc.empty()) throw std::runtime_error(printable(f.path) + ": upload creation answered without a Location");
  url = absolute(loc);
  return {0, r.header("openem-upload-state")};
}

TusUploader::ServerUpload TusUploader::probe(const std::string& url) {
  HttpResponse r = client_.call("HEAD", url, {}, {200, 204, 404, 410, 403}, {kTus});
  if (r.status == 404 || r.status == 410 || r.status == 403) return {};
  std::string off = r.header("upload-offset");
  if (off.empty()) return {};
  return {std::stoll(off), r.header("openem-upload-state")};
}

bool TusUploader::confirm(const std::string& path, const std::string& url, std::uint64_t size) {
  HttpResponse r;
  with_retries(client_.retry_seconds(), [&] {
    r = client_.call("PATCH", url, {}, {204, 409, 460, 410, 404, 403},
                     {kTus, "Content-Type: application/offset+octet-stream", "Upload-Offset: " + std::to_string(size)});
  });
  if (r.status == 204) return true;
  if (r.status == 404 || r.status == 410 || r.status == 403) return false;
  // The server holds fewer bytes than the client sent (it lost unsynced ones in a crash).
  if (r.status == 409 && !r.header("upload-offset").empty() && r.header("upload-offset") != std::to_string(size))
    return false;
  throw std::runtime_error(printable(path) + ": the server did not store the file: " + error_message(r) +
                           (r.status == 460 ? " (the file changed after it was uploaded; run ingest again)" : ""));
}

UploadOutcome TusUploader::upload(const LocalFile& f, std::string& url,
                                  const std::function<void(const std::string&)>& on_created,
                                  const std::function<void(std::uint64_t)>& on_bytes) {
  FileReader reader(f);
  // The digest covers the bytes sent; after a resume or a dropped PATCH it goes on from the
  // server's offset (the server holds exactly those bytes): from the checkpoint taken at the
  // last acknowledged offset, or from the start when the server holds less than that.
  Sha256 sha;
  std::uint64_t hashed = 0;
  Sha256 acked_sha;
  std::uint64_t acked = 0;
  std::vector<char> buffer;
  auto hash_prefix = [&](std::uint64_t upto) {
    if (hashed > upto) {
      if (acked <= upto) {
        sha = acked_sha;
        hashed = acked;
      } else {
        sha.finish_raw();  // resets
        hashed = 0;
      }
    }
    if (hashed < upto) buffer.resize(4 << 20);
    while (hashed < upto) {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), upto - hashed));
      sha.update(buffer.data(), reader.read_at(buffer.data(), n, hashed));
      hashed += n;
    }
  };
  ServerUpload at;
  int recreated = 0;
  int conflicts = 0;
  for (;;) {
    if (at.offset < 0) {
      // Where are we? Resume an existing upload, or start a new one.
      if (!url.empty()) with_retries(client_.retry_seconds(), [&] { at = probe(url); });
      if (at.offset < 0) {
        if (++recreated > 3) throw std::runtime_error(printable(f.path) + ": the server keeps discarding the upload");
        with_retries(client_.retry_seconds(), [&] { at = create(f, url); });
        on_created(url);
      } else if (at.offset > 0) {
        on_bytes(static_cast<std::uint64_t>(at.offset));  // bytes the server already has
      }
    }
    std::uint64_t off = static_cast<std::uint64_t>(at.offset);
    hash_prefix(off);
    if (acked != off) {  // a checkpoint at each offset the server confirmed
      acked_sha = sha;
      acked = off;
    }
    if (off >= f.size) {
      // All bytes are there. "stored" and "awaiting-checksum" are final for this step; a file
      // verified but not stored yet (a store error earlier) is retried with an empty PATCH.
      if (at.state == "verified" || at.state == "receiving") {
        if (!confirm(f.path, url, f.size)) {
          at = {};
          continue;
        }
        at.state = "stored";
      }
      // Only an explicit "stored" counts; anything else is confirmed after the registration.
      return {sha.finish_hex(), at.state == "stored"};
    }
    std::uint64_t n = std::min<std::uint64_t>(chunk_bytes_, f.size - off);
    // The chunk is read from the file while it is sent, and hashed on the way. No per-chunk
    // Upload-Checksum: that would need the digest before sending, i.e. a second read; the
    // server checks the whole file against the registered SHA-256 before it keeps it.
    HttpClient::BodySource source = [&](char* buf, std::size_t max) {
      std::size_t got = reader.read_at(buf, max, hashed);
      sha.update(buf, got);
      hashed += got;
      return got;
    };
    HttpResponse r;
    try {
      client_.http().set_bearer_token(client_.auth().token());
      r = client_.http().request("PATCH", url,
                                 {kTus, "Content-Type: application/offset+octet-stream",
                                  "Upload-Offset: " + std::to_string(off)},
                                 n, source);
    } catch (const NetworkError&) {
      // The connection dropped mid-chunk: ask the server where it stands.
      if (url.empty()) throw;
      with_retries(client_.retry_seconds(), [&] { at = probe(url); });
      if (at.offset >= 0 && static_cast<std::uint64_t>(at.offset) > off) on_bytes(static_cast<std::uint64_t>(at.offset) - off);
      continue;
    }
    if (r.status == 204) {
      std::string next = r.header("upload-offset");
      std::int64_t new_off = next.empty() ? static_cast<std::int64_t>(off + n) : std::stoll(next);
      if (new_off > at.offset) on_bytes(static_cast<std::uint64_t>(new_off - at.offset));
      at = {new_off, r.header("openem-upload-state")};
      conflicts = 0;
      continue;
    }
    if (r.status == 460) {
      // No chunk checksums are sent, so this is the whole-file check against a file list
      // registered earlier: the bytes read now differ from what was hashed then.
      url.clear();
      throw std::runtime_error(printable(f.path) + ": the server rejected the file: " + error_message(r) +
                               " (the file changed after it was hashed; run ingest again)");
    }
    if (r.status == 409 || r.status == 404 || r.status == 410) {
      if (++conflicts > 5)
        throw std::runtime_error(printable(f.path) + ": upload refused: " + std::to_string(r.status) + " " +
                                 error_message(r));
      if (r.status != 409) url.clear();
      at = {};
      continue;
    }
    at = {};  // from here on, ask the server where it stands before the next chunk
    if (r.status == 401 && client_.auth().can_relogin()) {
      client_.auth().set_token(ScicatClient::login(client_.http().origin(), client_.auth().username(),
                                                   client_.auth().password()).token);
      continue;
    }
    if ((r.status == 502 || r.status == 503 || r.status == 504) && ++conflicts <= 5) continue;
    throw std::runtime_error(printable(f.path) + ": upload refused: " + std::to_string(r.status) + " " + error_message(r));
  }
}

}  // namespace openem::ingest
