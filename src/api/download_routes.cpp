// Downloads of uploaded files: one file with ETag / conditional / Range support, or the whole
// dataset as a streamed tar (BagIt layout with a sha256 manifest; its data/ folder is an
// RO-Crate whose ro-crate-metadata.json comes last, listing the files as sent). Both stream their bodies
// (HttpResponse::stream) so memory stays constant whatever the file size. Access is that of
// the dataset itself (404 unknown, 403 not readable). When the blob store hands out direct URLs
// (S3 with presign=), a file download is a 307 redirect to one instead.
#include <boost/json.hpp>

#include <charconv>
#include <ctime>

#include "api/dataset_service.h"
#include "api/publishing/published_data_service.h"
#include "api/upload_routes.h"
#include "blob/blob_path.h"
#include "blob/dataset_tar.h"
#include "core/error.h"
#include "publish/export/ro_crate.h"

namespace openem {
namespace {

constexpr std::size_t kPiece = 1 << 20;

std::string hex(std::int64_t v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, 16);
  return std::string(buf, end);
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

// If-None-Match: "*" or a list of (possibly weak) ETags.
bool none_match(const std::string& header, const std::string& etag) {
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string::npos) comma = header.size();
    std::string tag = trim(std::string_view(header).substr(pos, comma - pos));
    if (tag == "*" || tag == etag || (tag.rfind("W/", 0) == 0 && tag.substr(2) == etag)) return true;
    pos = comma + 1;
  }
  return false;
}

struct ByteRange {
  std::int64_t first = 0, last = 0;  // inclusive
};
enum class RangeKind { kNone, kOne, kUnsatisfiable };

std::optional<std::int64_t> number(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// One "bytes=a-b | a- | -n" range. Several ranges or a malformed header are ignored (the
// whole file is sent), as RFC 9110 allows.
RangeKind parse_range(const std::string& header, std::int64_t size, ByteRange& out) {
  std::string h = trim(header);
  if (h.rfind("bytes=", 0) != 0 || h.find(',') != std::string::npos) return RangeKind::kNone;
  std::string spec = trim(std::string_view(h).substr(6));
  size_t dash = spec.find('-');
  if (dash == std::string::npos) return RangeKind::kNone;
  auto a = number(trim(std::string_view(spec).substr(0, dash)));
  auto b = number(trim(std::string_view(spec).substr(dash + 1)));
  if (!a && !b) return RangeKind::kNone;
  if (!a) {  // suffix: the last n bytes
    if (*b == 0) return RangeKind::kUnsatisfiable;
    out = {std::max<std::int64_t>(0, size - *b), size - 1};
  } else {
    if (b && *b < *a) return RangeKind::kNone;
    if (*a >= size) return RangeKind::kUnsatisfiable;
    out = {*a, b ? std::min(*b, size - 1) : size - 1};
  }
  if (size == 0) return RangeKind::kUnsatisfiable;
  return RangeKind::kOne;
}

std::string content_disposition(const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  std::string ascii, encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') encoded += static_cast<char>(c);
    else encoded += std::string("%") + kHex[c >> 4] + kHex[c & 15];
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

HttpResponse file_response(App& app, BlobStore& blobs, HttpRequest& req) {
  const std::string& pid = req.param("pid");
  const std::string& path = req.param("path");
  dataset_access(app).get_readable(app.authenticate(req), pid);  // 404 / 403 as the dataset
  if (BlobStatus s = check_blob_path(path); !s.is_ok()) throw ApiError::bad_request(s.message());
  if (auto direct = blobs.direct_download_url(pid, path, {content_disposition(path), "application/octet-stream"})) {
    // The store serves the bytes itself (an S3 presigned URL): a temporary redirect, after
    // the access check above, once the file is known to be there.
    BlobInfo info;
    BlobStatus s = blobs.stat(pid, path, &info);
    if (s.is_not_found()) throw ApiError::not_found("File '" + path + "' of dataset " + pid + " has not been uploaded");
    if (!s.is_ok()) throw std::runtime_error(s.message());
    HttpResponse res;
    res.status = 307;
    // The URL is a credential until it expires: no cache keeps it.
    res.headers = {{"Location", *direct}, {"Cache-Control", "private, no-store"}};
    return res;
  }
  std::unique_ptr<BlobReader> opened;
  BlobStatus s = blobs.open(pid, path, &opened);
  if (s.is_not_found()) throw ApiError::not_found("File '" + path + "' of dataset " + pid + " has not been uploaded");
  if (!s.is_ok()) throw std::runtime_error(s.message());
  std::shared_ptr<BlobReader> reader(std::move(opened));
  const BlobInfo& info = reader->info();
  // Size and modification time change whenever the file is replaced: a cheap strong validator.
  std::string etag = "\"" + hex(info.size) + "-" + hex(info.mtime_ns) + "\"";

  HttpResponse res;
  res.content_type = "application/octet-stream";
  res.headers = {{"ETag", etag},
                 {"Last-Modified", http_date(info.mtime_ns / 1000000000)},
                 {"Accept-Ranges", "bytes"},
                 {"Cache-Control", "private, no-cache"},
                 {"Content-Disposition", content_disposition(path)}};
  if (auto inm = req.header("if-none-match"); inm && none_match(*inm, etag)) {
    res.status = 304;
    return res;
  }
  std::int64_t first = 0, last = info.size - 1;
  auto range = req.header("range");
  if (auto if_range = req.header("if-range"); range && if_range && trim(*if_range) != etag) range.reset();
  if (range) {
    ByteRange br;
    switch (parse_range(*range, info.size, br)) {
      case RangeKind::kNone:
        break;
      case RangeKind::kUnsatisfiable:
        res = HttpResponse::error(416, "Range " + *range + " is outside the file's " + std::to_string(info.size) + " bytes");
        res.headers.push_back({"Content-Range", "bytes */" + std::to_string(info.size)});
        res.headers.push_back({"ETag", etag});
        return res;
      case RangeKind::kOne:
        first = br.first;
        last = br.last;
        res.status = 206;
        res.headers.push_back({"Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                                    std::to_string(info.size)});
        break;
    }
  }
  auto stream = std::make_shared<BodyStream>();
  stream->length = last - first + 1;
  auto offset = std::make_shared<std::int64_t>(first);
  stream->next = [reader, offset, end = last + 1](std::string& piece) {
    std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(end - *offset, kPiece));
    if (want == 0) return false;
    BlobStatus st = reader->read(*offset, want, &piece);
    if (!st.is_ok()) throw std::runtime_error(st.message());
    if (piece.size() != want) throw std::runtime_error("file '" + reader->info().path + "' shrank while being sent");
    *offset += static_cast<std::int64_t>(want);
    return *offset < end;
  };
  res.stream = std::move(stream);
  return res;
}

HttpResponse tar_response(App& app, BlobStore& blobs, HttpRequest& req) {
  const std::string& pid = req.param("pid");
  boost::json::object dataset = dataset_access(app).get_readable(app.authenticate(req), pid);
  auto tar = std::make_shared<DatasetTarStream>(blobs, pid, static_cast<std::int64_t>(std::time(nullptr)), kPiece);
  // The bag's payload is an RO-Crate (docs/export.md): its metadata lists the files as sent.
  RoCrateContext crate{public_base_url(app, req), app.config().site_name, ""};
  tar->set_closing_payload("ro-crate-metadata.json",
                           [dataset = std::move(dataset), crate](const std::vector<DatasetTarStream::SentFile>& sent) {
                             ExportSubject subject;
                             subject.dataset = dataset;
                             if (const auto* sm = dataset.if_contains("scientificMetadata"); sm && sm->is_object()) {
                               subject.oscem = sm->get_object();
                             }
                             for (const auto& f : sent) subject.files.push_back({f.path, f.size, f.sha256});
                             return boost::json::serialize(ro_crate_metadata(subject, crate)) + "\n";
                           });
  if (BlobStatus s = tar->start(); !s.is_ok()) throw std::runtime_error(s.message());
  HttpResponse res;
  res.content_type = "application/x-tar";
  res.headers = {{"Content-Disposition", "attachment; filename=\"" + tar_top_name(pid) + ".tar\""},
                 {"Cache-Control", "private, no-cache"},
                 {"X-Openem-File-Count", std::to_string(tar->files().size())}};
  auto stream = std::make_shared<BodyStream>();
  stream->next = [tar](std::string& piece) { return tar->next(piece); };
  res.stream = std::move(stream);
  return res;
}

}  // namespace

void register_download_routes(Router& r, App& app, std::shared_ptr<BlobStore> blobs) {
  for (const char* base : {"/api/v3/Datasets", "/api/v4/datasets"}) {
    r.add("GET", std::string(base) + "/:pid/files/*path",
          [&app, blobs](HttpRequest& req) { return file_response(app, *blobs, req); });
    r.add("GET", std::string(base) + "/:pid/download",
          [&app, blobs](HttpRequest& req) { return tar_response(app, *blobs, req); });
  }
}

}  // namespace openem
