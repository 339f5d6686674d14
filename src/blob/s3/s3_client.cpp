#include "blob/s3/s3_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <random>
#include <thread>

#include "blob/hasher.h"
#include "blob/posix_file.h"
#include "blob/s3/s3_xml.h"
#include "core/backoff.h"

namespace openem {
namespace {

// Error answers are only read for their code and message.
constexpr std::size_t kErrorBodyCap = 64 << 10;
constexpr std::size_t kIdleHandles = 8;
constexpr char kEmptySha256Hex[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool is_md5_hex(std::string_view s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

// What curl's callbacks share during one attempt.
struct Transfer {
  const S3Body* body = nullptr;
  std::int64_t sent = 0;
  int read_errno = 0;  // -1: the file ended early
  S3Response* resp = nullptr;
  std::size_t cap = 0;
  bool overflow = false;
};

size_t read_body(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const S3Body& body = *t->body;
  std::int64_t want = std::min<std::int64_t>(static_cast<std::int64_t>(size * count), body.length - t->sent);
  if (want <= 0) return 0;
  if (body.fd < 0) {  // a body in memory (length == bytes.size())
    std::copy_n(body.bytes.data() + t->sent, want, buffer);
    t->sent += want;
    return static_cast<size_t>(want);
  }
  for (;;) {
    ssize_t got = ::pread(body.fd, buffer, static_cast<size_t>(want), body.offset + t->sent);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      t->read_errno = got < 0 ? errno : -1;
      return CURL_READFUNC_ABORT;
    }
    t->sent += got;
    return static_cast<size_t>(got);
  }
}

// curl rewinds the body when it has to send it again on the same attempt (a redirect, an
// authentication round).
int seek_body(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || offset > t->body->length) return CURL_SEEKFUNC_FAIL;
  t->sent = offset;
  return CURL_SEEKFUNC_OK;
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string& body = t->resp->body;
  if (body.size() + n > t->cap) {
    if (t->resp->ok()) {  // more than the caller can take: stop the transfer
      t->overflow = true;
      return 0;
    }
    body.append(data, std::min(n, t->cap - std::min(t->cap, body.size())));  // the rest of an error answer is skipped
    return n;
  }
  body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line = trim(std::string_view(data, size * count));
  if (line.substr(0, 5) == "HTTP/") {
    // A new status line (after "100 Continue", say): the headers before it belonged to another answer.
    t->resp->headers.clear();
    size_t space = line.find(' ');
    t->resp->status = space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->resp->headers[lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }
  return size * count;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

enum class Outcome { kAnswer, kRetry, kFail };

}  // namespace

std::string S3Response::header(const std::string& lower_case_name) const {
  auto it = headers.find(lower_case_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string s3_uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

S3Client::S3Client(S3Location where)
    : where_(std::move(where)), sigv4_("aws:amz:" + where_.region + ":s3") {
  init_curl_once();
}

S3Client::~S3Client() {
  for (void* h : pool_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* S3Client::acquire_handle() {
  {
    std::lock_guard lock(pool_mu_);
    if (!pool_.empty()) {
      void* h = pool_.back();
      pool_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void S3Client::release_handle(void* handle) {
  if (!handle) return;
  {
    std::lock_guard lock(pool_mu_);
    if (pool_.size() < kIdleHandles) {
      pool_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

std::string S3Client::url_for(const S3Request& req) const {
  std::string url = where_.endpoint + "/" + where_.bucket;
  if (!req.key.empty()) url += "/" + s3_uri_encode(req.key, true);
  // The query in SigV4's canonical form (encoded, sorted, "name=" for an empty value), which
  // is what libcurl signs.
  std::vector<std::string> params;
  for (const auto& [name, value] : req.query) params.push_back(s3_uri_encode(name, false) + "=" + s3_uri_encode(value, false));
  std::sort(params.begin(), params.end());
  for (size_t i = 0; i < params.size(); ++i) url += (i == 0 ? "?" : "&") + params[i];
  return url;
}

std::string S3Client::describe(const S3Response& resp) {
  std::string text = "HTTP " + std::to_string(resp.status);
  S3ErrorInfo error = parse_s3_error(resp.body);
  if (!error.code.empty()) text += " " + error.code;
  if (!error.message.empty()) text += " (" + error.message + ")";
  return text;
}

BlobStatus S3Client::digest_file(S3Body* body) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md5(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!md5 || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1) return BlobStatus::io_error("MD5 is not available");
  Hasher sha256 = Hasher::sha256();
  std::string block(std::min<std::int64_t>(body->length, 1 << 20), '\0');
  for (std::int64_t done = 0; done < body->length;) {
    size_t want = static_cast<size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(block.size()), body->length - done));
    ssize_t got = ::pread(body->fd, block.data(), want, body->offset + done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return BlobStatus::io_error("cannot read " + body->file_name + ": " + errno_text(errno));
    if (got == 0) return BlobStatus::io_error("cannot read " + body->file_name + ": it is shorter than expected");
    EVP_DigestUpdate(md5.get(), block.data(), static_cast<size_t>(got));
    sha256.update(std::string_view(block.data(), static_cast<size_t>(got)));
    done += got;
  }
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(md5.get(), raw, &n);
  body->md5.assign(reinterpret_cast<char*>(raw), n);
  body->sha256 = sha256.finish();
  return BlobStatus::ok();
}

void S3Client::digest_bytes(S3Body* body) {
  body->length = static_cast<std::int64_t>(body->bytes.size());  // what a PUT from memory sends
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(body->bytes.data(), body->bytes.size(), raw, &n, EVP_md5(), nullptr);
  body->md5.assign(reinterpret_cast<char*>(raw), n);
  body->sha256 = Hasher::digest("sha256", body->bytes);
}

BlobStatus S3Client::send(const S3Request& req, S3Response* resp, const std::string& what) {
  void* handle = acquire_handle();
  if (!handle) return BlobStatus::io_error(what + ": cannot create a libcurl handle");
  struct Release {
    S3Client* client;
    void* handle;
    ~Release() { client->release_handle(handle); }
  } release{this, handle};

  const std::string url = url_for(req);
  const int attempts = std::max(1, where_.tuning.max_attempts);
  thread_local std::minstd_rand jitter(std::random_device{}());
  for (int n = 1;; ++n) {
    *resp = S3Response{};
    std::string problem;
    BlobStatus s = attempt(handle, req, url, resp, &problem);
    if (!s.is_ok()) return BlobStatus::io_error(what + ": " + s.message());
    if (problem.empty()) return BlobStatus::ok();
    if (n >= attempts)
      return BlobStatus::io_error(what + ": " + problem + " after " + std::to_string(n) + " attempt" + (n == 1 ? "" : "s"));
    // Exponential backoff, jittered over the upper half of each delay: clients retrying together spread out.
    const std::int64_t delay =
        doubling_backoff(n, where_.tuning.retry_delay.count(), where_.tuning.max_retry_delay.count());
    const std::int64_t half = std::max<std::int64_t>(delay / 2, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(half + static_cast<std::int64_t>(jitter() % (half + 1))));
  }
}

// One try. Ok with an empty *transient for a final answer in *resp; ok with *transient saying
// what went wrong for a failure worth retrying; an error for one that is not (the file to send
// cannot be read, the answer is larger than allowed).
BlobStatus S3Client::attempt(void* handle, const S3Request& req, const std::string& url, S3Response* resp,
                             std::string* transient) const {
  CURL* h = static_cast<CURL*>(handle);
  curl_easy_reset(h);
  Transfer t;
  t.body = req.body;
  t.resp = resp;
  t.cap = std::max(req.max_body, kErrorBodyCap);
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4_.c_str());
  curl_easy_setopt(h, CURLOPT_USERNAME, where_.access_key_id.c_str());
  curl_easy_setopt(h, CURLOPT_PASSWORD, where_.secret_access_key.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(where_.tuning.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(where_.tuning.stall_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);

  // The payload's SHA-256 is signed (S3 refuses a body that does not match it); without a
  // body it is the empty string's.
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add = [&](const std::string& header) { headers.reset(curl_slist_append(headers.release(), header.c_str())); };
  add("x-amz-content-sha256: " + (req.body ? Hasher::hex(req.body->sha256) : std::string(kEmptySha256Hex)));
  if (req.body && !req.body->md5.empty()) add("Content-MD5: " + Hasher::base64(req.body->md5));
  if (!where_.session_token.empty()) add("x-amz-security-token: " + where_.session_token);
  for (const std::string& header : req.headers) add(header);

  if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    // A file range, or bytes in memory (whose length must then be theirs).
    if (req.body && (req.body->fd >= 0 || req.body->length == static_cast<std::int64_t>(req.body->bytes.size()))) {
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body->length));
      curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
      curl_easy_setopt(h, CURLOPT_READDATA, &t);
      curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_body);
      curl_easy_setopt(h, CURLOPT_SEEKDATA, &t);
    } else {
      return BlobStatus::io_error("a PUT needs a file body, or bytes with their length");
    }
  } else if (req.method == "POST") {
    // An explicit type: libcurl's default for POST (a form) would be wrong and unsigned.
    add("Content-Type: application/xml");
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    std::string_view bytes = req.body ? req.body->bytes : std::string_view();
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(bytes.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, bytes.data() ? bytes.data() : "");
  } else if (req.method == "DELETE") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
  } else if (req.method != "GET") {
    return BlobStatus::io_error("unsupported method " + req.method);
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  CURLcode rc = curl_easy_perform(h);
  if (t.read_errno != 0)
    return BlobStatus::io_error("cannot read " + (req.body ? req.body->file_name : std::string("the body")) + ": " +
                                (t.read_errno < 0 ? std::string("it is shorter than expected") : errno_text(t.read_errno)));
  if (t.overflow)
    return BlobStatus::io_error("the answer is larger than the " + std::to_string(req.max_body) + " bytes expected");
  if (rc != CURLE_OK) {
    *transient = curl_easy_strerror(rc);
    if (error_buffer[0] != '\0') *transient += std::string(" (") + std::string(trim(error_buffer)) + ")";
    return BlobStatus::ok();
  }

  const long status = resp->status;
  if (status >= 500 || status == 429) {
    *transient = describe(*resp);
    return BlobStatus::ok();
  }
  S3ErrorInfo error = parse_s3_error(resp->body);
  if (status == 400 && error.code == "RequestTimeout") {
    *transient = describe(*resp);
    return BlobStatus::ok();
  }
  // CompleteMultipartUpload may fail after its 200 has been sent: the error is in the body.
  if (resp->ok() && req.method == "POST" && !error.code.empty()) {
    *transient = describe(*resp);
    return BlobStatus::ok();
  }
  if (resp->ok() && req.expect_md5_etag && req.body) {
    std::string etag = unquote(resp->header("etag"));
    std::string sent = Hasher::hex(req.body->md5);
    if (is_md5_hex(etag) && lower(etag) != sent) {
      *transient = "the server stored MD5 " + lower(etag) + " for a body with MD5 " + sent + " (damaged on the way)";
      return BlobStatus::ok();
    }
  }
  return BlobStatus::ok();
}

}  // namespace openem
