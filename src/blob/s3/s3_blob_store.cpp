// S3BlobStore: BlobStore on an S3 bucket. S3 has no directories and no atomic rename, so
// the filesystem store's rules are kept by checks: a path whose ancestor is a stored file, or
// that is itself the directory of stored files, is refused (kIoError, as the filesystem
// store refuses it); a replaced object is seen by open readers as a change (If-Match) rather
// than silently mixing two versions. Each put is one PUT (atomic on S3) or a multipart upload
// that becomes visible only when completed, so a failed put never leaves a partial object.
#include "blob/s3/s3_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <system_error>
#include <utility>

#include "blob/blob_path.h"
#include "blob/posix_file.h"
#include "blob/s3/s3_client.h"
#include "blob/s3/s3_object.h"
#include "blob/s3/s3_presign.h"
#include "blob/s3/s3_xml.h"
#include "core/time.h"

namespace openem {
namespace fs = std::filesystem;
namespace {

// A descriptor closed at the end of its scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::int64_t millis_to_ns(std::optional<Millis> ms) { return ms ? *ms * 1000000 : 0; }

class S3BlobStore : public BlobStore {
 public:
  S3BlobStore(const S3Location& where, fs::path staging)
      : client_(std::make_shared<S3Client>(where)), staging_(std::move(staging)),
        datasets_(where.prefix.empty() ? "datasets/" : where.prefix + "/datasets/") {}

  BlobStatus init() {
    std::error_code ec;
    fs::create_directories(staging_, ec);
    if (ec) return BlobStatus::io_error("cannot create " + staging_.string() + ": " + ec.message());
    // An unreachable endpoint, a missing bucket or wrong credentials show at start, not at
    // the first upload.
    S3Request req;
    req.method = "HEAD";
    S3Response resp;
    const std::string what = "cannot open the S3 blob store " + client_->location().display() + " at " +
                             client_->location().endpoint;
    if (BlobStatus s = client_->send(req, &resp, what); !s.is_ok()) return s;
    if (resp.status == 404) return BlobStatus::io_error(what + ": the bucket does not exist (HTTP 404)");
    if (resp.status == 403) return BlobStatus::io_error(what + ": access denied (HTTP 403; check the credentials)");
    if (!resp.ok()) return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
    return BlobStatus::ok();
  }

  const fs::path& staging_dir() const override { return staging_; }

  BlobStatus put(std::string_view pid, std::string_view path, const fs::path& staged) override {
    std::string key;
    if (auto s = locate(pid, path, &key); !s.is_ok()) return s;
    const std::string what = "cannot store '" + std::string(path) + "' at " + object_name(key);
    Fd file(::open(staged.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (file.get() < 0 || ::fstat(file.get(), &st) != 0)
      return BlobStatus::io_error(what + ": cannot open the staged file " + staged.string() + ": " + errno_text(errno));
    if (auto s = check_fits_the_tree(pid, path, what); !s.is_ok()) return s;
    S3Body body;
    body.fd = file.get();
    body.length = st.st_size;
    body.file_name = staged.string();
    BlobStatus s = st.st_size > client_->location().tuning.multipart_threshold ? put_multipart(key, body, what)
                                                                               : put_single(key, &body, what);
    if (!s.is_ok()) return s;
    // Stored: the staged copy has served its purpose. Failing to remove it changes nothing
    // about the stored object, so it is not an error.
    std::error_code ec;
    fs::remove(staged, ec);
    return BlobStatus::ok();
  }

  BlobStatus open(std::string_view pid, std::string_view path, std::unique_ptr<BlobReader>* out) override {
    std::string key;
    if (auto s = locate(pid, path, &key); !s.is_ok()) return s;
    S3ObjectHead head;
    if (auto s = head_object(key, path, "cannot open", &head); !s.is_ok()) return s;
    *out = make_s3_object_reader(client_, key, std::move(head));
    return BlobStatus::ok();
  }

  BlobStatus stat(std::string_view pid, std::string_view path, BlobInfo* out) override {
    std::string key;
    if (auto s = locate(pid, path, &key); !s.is_ok()) return s;
    S3ObjectHead head;
    if (auto s = head_object(key, path, "cannot stat", &head); !s.is_ok()) return s;
    *out = std::move(head.info);
    return BlobStatus::ok();
  }

  BlobStatus remove(std::string_view pid, std::string_view path) override {
    std::string key;
    if (auto s = locate(pid, path, &key); !s.is_ok()) return s;
    // DELETE of a missing key succeeds on S3; the interface wants not_found, as on disk.
    S3ObjectHead head;
    if (auto s = head_object(key, path, "cannot remove", &head); !s.is_ok()) return s;
    S3Request req;
    req.method = "DELETE";
    req.key = key;
    S3Response resp;
    const std::string what = "cannot remove '" + std::string(path) + "' at " + object_name(key);
    if (auto s = client_->send(req, &resp, what); !s.is_ok()) return s;
    if (resp.status == 404) return not_uploaded(path);
    if (!resp.ok()) return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
    return BlobStatus::ok();
  }

  BlobStatus list(std::string_view pid, std::vector<BlobInfo>* out) override {
    out->clear();
    const std::string prefix = datasets_ + pid_directory_name(pid) + "/";
    const std::string what = "cannot list the files of dataset " + std::string(pid) + " at " + object_name(prefix);
    std::vector<S3ListEntry> entries;
    if (auto s = list_keys(prefix, 0, &entries, what); !s.is_ok()) return s;
    for (S3ListEntry& e : entries) {
      std::string_view rel = std::string_view(e.key).substr(prefix.size());
      // Keys another tool wrote that no path names ("a//b", "dir/" markers) are not files here.
      if (!check_blob_path(rel).is_ok()) continue;
      out->push_back(BlobInfo{std::string(rel), e.size, millis_to_ns(parse_iso(e.last_modified))});
    }
    std::sort(out->begin(), out->end(), [](const BlobInfo& a, const BlobInfo& b) { return a.path < b.path; });
    return BlobStatus::ok();
  }

  // A presigned GET of the object, when presign= is set: the bytes go from the bucket to the
  // client, and S3 answers Range and If-None-Match itself. The response headers the API would
  // send (Content-Disposition, Content-Type) are signed into the URL.
  std::optional<std::string> direct_download_url(std::string_view pid, std::string_view path,
                                                 const DirectDownload& how) override {
    const S3Location& where = client_->location();
    std::string key;
    if (where.presign_seconds <= 0 || !locate(pid, path, &key).is_ok()) return std::nullopt;
    SigV4Presign p;
    p.scheme_and_host = where.public_endpoint.empty() ? where.endpoint : where.public_endpoint;
    p.path = "/" + where.bucket + "/" + s3_uri_encode(key, true);
    p.query = {{"response-content-disposition", how.content_disposition}, {"response-content-type", how.content_type}};
    p.region = where.region;
    p.access_key_id = where.access_key_id;
    p.secret_access_key = where.secret_access_key;
    p.session_token = where.session_token;
    p.now = std::time(nullptr);
    p.expires_seconds = where.presign_seconds;
    return sigv4_presigned_url(p);
  }

 private:
  BlobStatus locate(std::string_view pid, std::string_view path, std::string* key) const {
    if (pid.empty()) return BlobStatus::invalid_path("empty dataset pid");
    if (auto s = check_blob_path(path); !s.is_ok()) return s;
    *key = datasets_ + pid_directory_name(pid) + "/" + std::string(path);
    return BlobStatus::ok();
  }

  std::string object_name(const std::string& key) const { return "s3://" + client_->location().bucket + "/" + key; }

  static BlobStatus not_uploaded(std::string_view path) {
    return BlobStatus::not_found("file '" + std::string(path) + "' has not been uploaded");
  }

  // HEAD of a stored file: not_found when there is none.
  BlobStatus head_object(const std::string& key, std::string_view path, std::string_view verb, S3ObjectHead* out) {
    const std::string what = std::string(verb) + " '" + std::string(path) + "' at " + object_name(key);
    return s3_head_object(*client_, key, path, what, "file '" + std::string(path) + "' has not been uploaded", out);
  }

  // Every key under `prefix` (all pages, or the first `limit` keys when limit > 0).
  BlobStatus list_keys(const std::string& prefix, int limit, std::vector<S3ListEntry>* out, const std::string& what) {
    std::string token;
    for (;;) {
      S3Request req;
      req.query = {{"list-type", "2"}, {"prefix", prefix},
                   {"max-keys", std::to_string(limit > 0 ? limit : std::max(1, client_->location().tuning.list_page_size))}};
      if (!token.empty()) req.query.emplace_back("continuation-token", token);
      req.max_body = 16 << 20;
      S3Response resp;
      if (auto s = client_->send(req, &resp, what); !s.is_ok()) return s;
      if (!resp.ok()) return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
      S3ListPage page;
      std::string error;
      if (!parse_list_page(resp.body, &page, &error)) return BlobStatus::io_error(what + ": " + error);
      for (S3ListEntry& e : page.entries)
        if (e.key.size() > prefix.size() && e.key.compare(0, prefix.size(), prefix) == 0) out->push_back(std::move(e));
      if (!page.truncated || (limit > 0 && static_cast<int>(out->size()) >= limit)) return BlobStatus::ok();
      if (page.next_token == token) return BlobStatus::io_error(what + ": the listing does not advance");
      token = std::move(page.next_token);
    }
  }

  // On disk a file cannot sit where a directory is, nor the other way round; S3 would store
  // both keys, and the dataset could then never be downloaded as files. Checked before the
  // upload (a concurrent put of the other kind can still slip in between).
  BlobStatus check_fits_the_tree(std::string_view pid, std::string_view path, const std::string& what) {
    const std::string dataset = datasets_ + pid_directory_name(pid) + "/";
    for (size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
      std::string_view ancestor = path.substr(0, slash);
      S3ObjectHead head;
      BlobStatus s = head_object(dataset + std::string(ancestor), ancestor, "cannot check", &head);
      if (s.is_ok()) return BlobStatus::io_error(what + ": '" + std::string(ancestor) + "' is a file, not a directory");
      if (!s.is_not_found()) return BlobStatus::io_error(what + ": " + s.message());
    }
    std::vector<S3ListEntry> below;
    if (auto s = list_keys(dataset + std::string(path) + "/", 1, &below, what); !s.is_ok()) return s;
    if (!below.empty()) return BlobStatus::io_error(what + ": it is a directory of other files");
    return BlobStatus::ok();
  }

  BlobStatus put_single(const std::string& key, S3Body* body, const std::string& what) {
    if (auto s = S3Client::digest_file(body); !s.is_ok()) return BlobStatus::io_error(what + ": " + s.message());
    S3Request req;
    req.method = "PUT";
    req.key = key;
    req.body = body;
    req.expect_md5_etag = true;
    S3Response resp;
    if (BlobStatus s = client_->send(req, &resp, what); !s.is_ok()) {
      // A 2xx that failed is a body damaged on the way that the server kept anyway (it does
      // not check Content-MD5): better no object than a wrong one.
      if (resp.ok()) {
        S3Request del;
        del.method = "DELETE";
        del.key = key;
        S3Response ignored;
        if (client_->send(del, &ignored, what).is_ok() && ignored.ok())
          return BlobStatus::io_error(s.message() + "; the damaged copy was removed");
      }
      return s;
    }
    if (!resp.ok()) return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
    return BlobStatus::ok();
  }

  BlobStatus put_multipart(const std::string& key, const S3Body& whole, const std::string& what) {
    const std::int64_t size = whole.length;
    std::int64_t part_size = std::max(client_->location().tuning.part_size, kS3MinPartSize);
    if ((size + part_size - 1) / part_size > kS3MaxParts) part_size = (size + kS3MaxParts - 1) / kS3MaxParts;
    S3MultipartUpload upload(client_, key, what);  // aborted when it goes out of scope uncompleted
    if (auto s = upload.start(); !s.is_ok()) return s;
    for (std::int64_t offset = 0; offset < size; offset += part_size) {
      S3Body part;
      part.fd = whole.fd;
      part.offset = offset;
      part.length = std::min(part_size, size - offset);
      part.file_name = whole.file_name;
      if (auto s = upload.upload_part(&part); !s.is_ok()) return s;
    }
    return upload.complete();
  }

  std::shared_ptr<S3Client> client_;
  const fs::path staging_;
  const std::string datasets_;  // "<prefix>/datasets/"
};

}  // namespace

BlobStatus open_s3_blob_store(const S3Location& where, const fs::path& staging_dir, std::unique_ptr<BlobStore>* out) {
  auto store = std::make_unique<S3BlobStore>(where, staging_dir);
  if (auto s = store->init(); !s.is_ok()) return s;
  *out = std::move(store);
  return BlobStatus::ok();
}

}  // namespace openem
