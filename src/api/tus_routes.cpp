// tus 1.0.0 resumable uploads (https://tus.io/protocols/resumable-upload) at /api/v3/uploads,
// with the creation, termination, checksum and expiration extensions. The HTTP side only:
// headers, authentication and rights, and the mapping of TusUploads outcomes to statuses.
// The contract for clients is docs/uploads.md.
#include <boost/json.hpp>
#include <strings.h>

#include <charconv>

#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "api/quotas.h"
#include "api/store_error_response.h"
#include "api/upload_routes.h"
#include "blob/blob_path.h"
#include "blob/hasher.h"
#include "core/error.h"
#include "store/store_errors.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr std::int64_t kMaxUploadSize = 1LL << 40;  // 1 TiB, advertised as Tus-Max-Size
const char* kBase = "/api/v3/uploads";

void add_tus_headers(HttpResponse& res) {
  res.headers.push_back({"Tus-Resumable", "1.0.0"});
  res.headers.push_back({"Access-Control-Expose-Headers",
                         "Location, Upload-Offset, Upload-Length, Upload-Metadata, Upload-Expires, Tus-Resumable, "
                         "Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, OpenEM-Upload-State"});
}

HttpResponse tus_error(int status, const std::string& message) {
  const char* reason = status == 460 ? "Checksum Mismatch" : status == 410 ? "Gone" : status_reason(status);
  HttpResponse res = HttpResponse::json(status, json::object{{"statusCode", status}, {"message", message}, {"error", reason}});
  add_tus_headers(res);
  return res;
}

// A store's error (store/store_errors.h) as the API answers it, with the headers of tus.
HttpResponse tus_store_error(const StoreError& e) {
  HttpResponse res = store_error_response(e).value_or(HttpResponse::error(500, "Internal server error"));
  add_tus_headers(res);
  return res;
}

// The upload's bytes or record could not be written: 507 when the disk is full, 500 for
// other I/O errors, saying where the upload stands (nothing past that offset was kept).
HttpResponse storage_error(const BlobStatus& status, std::optional<std::int64_t> offset = std::nullopt) {
  std::string message = "The upload could not be stored: " + status.message();
  if (offset) message += ". Nothing past offset " + std::to_string(*offset) + " was kept: resume from there (HEAD) later";
  HttpResponse res = tus_error(status.is_no_space() ? 507 : 500, message);
  if (offset) res.headers.push_back({"Upload-Offset", std::to_string(*offset)});
  return res;
}

HttpResponse no_content() {
  HttpResponse res = HttpResponse::text(204, "");
  add_tus_headers(res);
  return res;
}

HttpResponse append_response(const AppendResult& r, bool awaits_list = false);
UploadVerifier catalog_verifier(RegisteredFiles& files);

std::optional<HttpResponse> missing_version(const HttpRequest& req) {
  if (req.header("tus-resumable").value_or("") == "1.0.0") return std::nullopt;
  HttpResponse res = tus_error(412, "Tus-Resumable: 1.0.0 header is required");
  res.headers.push_back({"Tus-Version", "1.0.0"});
  return res;
}

// Every tus response carries Tus-Resumable, errors included.
Handler tus_handler(std::function<HttpResponse(HttpRequest&)> fn, bool needs_version = true) {
  return [fn = std::move(fn), needs_version](HttpRequest& req) {
    try {
      if (needs_version)
        if (auto refused = missing_version(req)) return *refused;
      HttpResponse res = fn(req);
      add_tus_headers(res);
      return res;
    } catch (const ApiError& e) {
      HttpResponse res = tus_error(e.status(), e.messages().front());
      for (const auto& h : e.headers()) res.headers.push_back({h.first, h.second});
      return res;
    } catch (const StoreError& e) {
      return tus_store_error(e);
    } catch (const UploadStorageError& e) {
      return storage_error(e.status());
    }
  };
}

// A PATCH body goes straight into the upload's part file as it arrives.
class PatchSink : public BodySink {
 public:
  // awaits_list: the PATCH carries bytes of an upload created with awaitFileList, whose last
  // byte may arrive before its checksum is registered.
  PatchSink(std::shared_ptr<TusUploads> uploads, std::string id, std::shared_ptr<RegisteredFiles> files,
            std::unique_ptr<AppendStream> stream, bool awaits_list)
      : uploads_(std::move(uploads)), id_(std::move(id)), files_(std::move(files)), stream_(std::move(stream)),
        awaits_list_(awaits_list) {}
  void write(std::string_view piece) override {
    try {
      stream_->write(piece);
    } catch (const UploadGoneError& e) {
      throw HttpResponseError(tus_error(404, e.what()));
    } catch (const UploadStorageError& e) {
      throw HttpResponseError(storage_error(e.status(), acknowledged_offset()));
    }
  }
  HttpResponse finish() override {
    try {
      return append_response(stream_->finish(catalog_verifier(*files_)), awaits_list_);
    } catch (const UploadStorageError& e) {
      return storage_error(e.status(), acknowledged_offset());
    }
  }
  void abort() noexcept override { stream_->abort(); }

 private:
  std::optional<std::int64_t> acknowledged_offset() {
    auto rec = uploads_->get(id_);
    return rec ? std::optional<std::int64_t>(rec->offset) : std::nullopt;
  }

  std::shared_ptr<TusUploads> uploads_;
  std::string id_;
  std::shared_ptr<RegisteredFiles> files_;
  std::unique_ptr<AppendStream> stream_;
  bool awaits_list_;
};

std::optional<std::int64_t> parse_count(std::optional<std::string> text) {
  if (!text || text->empty() || text->size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < 0) return std::nullopt;
  return v;
}

// "key base64,key2 base64,flag" → decoded values; 400 on malformed input.
std::map<std::string, std::string> parse_metadata(const std::string& header) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= header.size() && !header.empty()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string::npos) comma = header.size();
    std::string pair = header.substr(pos, comma - pos);
    size_t b = pair.find_first_not_of(' '), e = pair.find_last_not_of(' ');
    pair = b == std::string::npos ? "" : pair.substr(b, e - b + 1);
    size_t space = pair.find(' ');
    std::string key = pair.substr(0, space);
    if (key.empty()) throw ApiError::bad_request("Upload-Metadata has an empty key");
    std::string value;
    if (space != std::string::npos) {
      auto decoded = Hasher::base64_decode(pair.substr(space + 1));
      if (!decoded) throw ApiError::bad_request("Upload-Metadata value of '" + key + "' is not base64");
      value = std::move(*decoded);
    }
    if (!out.emplace(key, std::move(value)).second)
      throw ApiError::bad_request("Upload-Metadata has the key '" + key + "' twice");
    pos = comma + 1;
  }
  return out;
}

// The upload, if p may use it: 404 unknown or expired, 401 anonymous, 403 someone else's.
UploadRecord owned_upload(App& app, TusUploads& uploads, const HttpRequest& req, const Principal& p) {
  auto rec = uploads.get(req.param("id"));
  if (!rec) throw ApiError::not_found("Upload " + req.param("id") + " does not exist or has expired");
  if (!p.authenticated()) throw ApiError::unauthorized();
  if (rec->owner != p.user_id && !app.is_admin(p)) throw ApiError::forbidden("This upload belongs to another user");
  return *rec;
}

// Returns the dataset's owner group (for quotas).
std::string require_file_rights(App& app, const Principal& p, const std::string& pid) {
  auto ds = app.store().get(schemas::datasets(), pid);
  // Another group's dataset answers as a missing one (docs/security.md).
  bool allowed = ds && may_register_files(app, p, *ds);
  if (!ds || (!allowed && !can_read(*ds, p, dataset_read_scope(app.config(), p))))
    throw ApiError::not_found("Dataset " + pid + " does not exist");
  if (!allowed) throw ApiError::forbidden("You may not upload files of dataset " + pid);
  return str_field(*ds, "ownerGroup");
}

UploadVerifier catalog_verifier(RegisteredFiles& files) {
  return [&files](const UploadRecord& rec, const std::string& sha256) {
    std::vector<std::string> known;
    for (const auto& f : files.of(rec.dataset_id, rec.path)) {
      if (f.sha256.empty()) continue;
      if (f.sha256 == sha256) return UploadVerdict{UploadVerdict::Kind::kMatch, ""};
      known.push_back(f.sha256);
    }
    if (known.empty())
      return UploadVerdict{UploadVerdict::Kind::kNoChecksum,
                           "No sha256 checksum is registered for '" + rec.path + "' in the file list of dataset " +
                               rec.dataset_id + ": register the file list first, then retry with an empty PATCH"};
    return UploadVerdict{UploadVerdict::Kind::kMismatch,
                         "Checksum mismatch: the uploaded '" + rec.path + "' has sha256 " + sha256 +
                             " but the file list of dataset " + rec.dataset_id + " registers " + known.front() +
                             "; the upload failed, start a new one"};
  };
}

// Where an upload stands beyond its offset, so a client knows whether a complete upload is
// stored or still waits for the file list (OpenEM-Upload-State, docs/uploads.md).
const char* upload_state_name(const UploadRecord& rec) {
  switch (rec.state) {
    case UploadRecord::State::kReceiving: return rec.offset == rec.length ? "awaiting-checksum" : "receiving";
    case UploadRecord::State::kCommitting: return "verified";
    case UploadRecord::State::kStored: return "stored";
    case UploadRecord::State::kFailed: return "failed";
  }
  return "receiving";
}

void set_progress_headers(HttpResponse& res, const UploadRecord& rec) {
  res.headers.push_back({"Upload-Offset", std::to_string(rec.offset)});
  res.headers.push_back({"Upload-Expires", http_date(rec.expires)});
  res.headers.push_back({"OpenEM-Upload-State", upload_state_name(rec)});
}

// Maps an append outcome to the response; 204 with the new offset when accepted. The last
// bytes of an awaitFileList upload whose checksum is not registered yet are accepted too
// (the file waits for its file list); an empty PATCH asking for that verification, or any
// other upload, gets the 409.
HttpResponse append_response(const AppendResult& r, bool awaits_list) {
  using O = AppendResult::Outcome;
  switch (r.outcome) {
    case O::kAccepted: {
      HttpResponse res = no_content();
      set_progress_headers(res, r.record);
      return res;
    }
    case O::kNoChecksum:
      if (awaits_list) {
        HttpResponse res = no_content();
        set_progress_headers(res, r.record);
        return res;
      }
      return tus_error(409, r.message);
    case O::kNotFound: return tus_error(404, r.message);
    case O::kGone: return tus_error(410, "The upload failed earlier (" + r.message + ")");
    case O::kOffsetConflict: {
      HttpResponse res = tus_error(409, r.message);
      res.headers.push_back({"Upload-Offset", std::to_string(r.record.offset)});
      return res;
    }
    case O::kTooLong: return tus_error(400, r.message);
    case O::kChunkChecksum: return tus_error(460, r.message);
    case O::kFileMismatch: return tus_error(460, r.message);
    case O::kStoreError:
      return tus_error(r.no_space ? 507 : 500, "The file could not be stored: " + r.message +
                                                   "; the verified bytes are kept: retry with an empty PATCH at the end");
  }
  return tus_error(500, "unexpected upload state");
}

HttpResponse options_response() {
  HttpResponse res = no_content();
  res.headers.push_back({"Tus-Version", "1.0.0"});
  res.headers.push_back({"Tus-Extension", "creation,termination,checksum,expiration"});
  res.headers.push_back({"Tus-Checksum-Algorithm", "sha256,sha1"});
  res.headers.push_back({"Tus-Max-Size", std::to_string(kMaxUploadSize)});
  res.headers.push_back({"Access-Control-Allow-Methods", "POST,HEAD,PATCH,DELETE,OPTIONS"});
  res.headers.push_back({"Access-Control-Allow-Headers",
                         "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Metadata, Upload-Offset, "
                         "Upload-Checksum, X-HTTP-Method-Override"});
  return res;
}

}  // namespace

void register_tus_routes(Router& r, App& app, std::shared_ptr<TusUploads> uploads,
                         std::shared_ptr<RegisteredFiles> files) {
  auto options = tus_handler([](HttpRequest&) { return options_response(); }, false);
  r.add("OPTIONS", kBase, options);
  r.add("OPTIONS", std::string(kBase) + "/:id", options);

  r.add("POST", kBase, tus_handler([&app, uploads, files](HttpRequest& req) {
    uploads->maybe_expire();
    Principal p = app.authenticate(req);
    if (!p.authenticated()) throw ApiError::unauthorized();
    if (req.header("upload-defer-length")) throw ApiError::bad_request("Upload-Defer-Length is not supported: send Upload-Length");
    auto length = parse_count(req.header("upload-length"));
    if (!length) throw ApiError::bad_request("Upload-Length header is required: a non-negative integer");
    if (*length > kMaxUploadSize)
      throw ApiError(413, "Upload-Length " + std::to_string(*length) + " exceeds Tus-Max-Size " + std::to_string(kMaxUploadSize));
    if (!req.body.empty()) throw ApiError::bad_request("creation-with-upload is not supported: POST without a body, then PATCH");
    std::string raw_metadata = req.header("upload-metadata").value_or("");
    auto meta = parse_metadata(raw_metadata);
    std::string pid = meta.count("datasetId") ? meta["datasetId"] : "";
    std::string path = meta.count("path") ? meta["path"] : "";
    if (pid.empty()) throw ApiError::bad_request("Upload-Metadata must carry datasetId (base64)");
    if (path.empty()) throw ApiError::bad_request("Upload-Metadata must carry path (base64): the file's path in the file list");
    if (BlobStatus s = check_blob_path(path); !s.is_ok()) throw ApiError::bad_request(s.message());
    std::string owner_group = require_file_rights(app, p, pid);

    // A path not in the file list yet may be uploaded first when the client says it will come
    // back (the awaitFileList flag): its bytes wait for the file list (awaiting-checksum) and
    // an empty PATCH after the registration verifies and stores them. A plain tus client,
    // which takes the last 204 for "stored", is told to register first instead.
    bool await_list = meta.count("awaitFileList") > 0;
    auto registered = files->of(pid, path);
    bool has_checksum = false, size_fits = false;
    std::int64_t registered_size = -1;
    for (const auto& f : registered) {
      if (f.sha256.empty()) continue;
      has_checksum = true;
      if (!f.size || *f.size == *length) size_fits = true;
      else registered_size = *f.size;
    }
    if (registered.empty() && !await_list)
      throw ApiError::conflict("No sha256 checksum is registered for '" + path + "' in the file list of dataset " + pid +
                               ": register the file list (OrigDatablocks with chkAlg sha256) first, or create the "
                               "upload with the Upload-Metadata flag awaitFileList and verify it after registering");
    if (!registered.empty() && !has_checksum)
      throw ApiError::conflict("'" + path + "' is in the file list of dataset " + pid +
                               " without a sha256 checksum, so its upload could never be verified: register it in an "
                               "OrigDatablock with chkAlg sha256");
    if (has_checksum && !size_fits)
      throw ApiError::conflict("Upload-Length " + std::to_string(*length) + " differs from the size " +
                               std::to_string(registered_size) + " registered for '" + path + "'");

    check_upload_quota(app, *uploads, p.user_id, owner_group, *length, has_checksum);

    UploadRecord proto;
    proto.dataset_id = pid;
    proto.path = path;
    proto.filename = meta.count("filename") ? meta["filename"] : path.substr(path.rfind('/') + 1);
    proto.owner = p.user_id;
    proto.metadata = raw_metadata;
    proto.length = *length;
    UploadRecord rec = uploads->create(proto);
    if (rec.length == 0) {  // nothing to PATCH: verify and store the empty file now
      AppendResult done = uploads->append(rec.id, 0, "", std::nullopt, catalog_verifier(*files));
      bool waits = done.outcome == AppendResult::Outcome::kNoChecksum;
      if (done.outcome != AppendResult::Outcome::kAccepted && !waits) return append_response(done);
      rec = done.record;
    }
    HttpResponse res = HttpResponse::text(201, "");
    res.headers.push_back({"Location", std::string(kBase) + "/" + rec.id});
    set_progress_headers(res, rec);
    return res;
  }));

  r.add("HEAD", std::string(kBase) + "/:id", tus_handler([&app, uploads](HttpRequest& req) {
    Principal p = app.authenticate(req);
    UploadRecord rec = owned_upload(app, *uploads, req, p);
    if (rec.state == UploadRecord::State::kFailed) return tus_error(410, "The upload failed: " + rec.error);
    HttpResponse res = HttpResponse::text(200, "");
    set_progress_headers(res, rec);
    res.headers.push_back({"Upload-Length", std::to_string(rec.length)});
    if (!rec.metadata.empty()) res.headers.push_back({"Upload-Metadata", rec.metadata});
    res.headers.push_back({"Cache-Control", "no-store"});
    return res;
  }));

  r.add_streaming("PATCH", std::string(kBase) + "/:id", [&app, uploads, files](HttpRequest& req) -> BodyStart {
    try {
      if (auto refused = missing_version(req)) return {nullptr, std::move(*refused)};
      std::string type = req.header("content-type").value_or("");
      type = type.substr(0, type.find(';'));
      while (!type.empty() && type.back() == ' ') type.pop_back();
      if (strcasecmp(type.c_str(), "application/offset+octet-stream") != 0)
        throw ApiError(415, "Content-Type must be application/offset+octet-stream");
      auto offset = parse_count(req.header("upload-offset"));
      if (!offset) throw ApiError::bad_request("Upload-Offset header is required: a non-negative integer");
      auto length = parse_count(req.header("content-length"));
      if (!length) throw ApiError::bad_request("Content-Length must be a non-negative integer");
      std::optional<std::pair<std::string, std::string>> digest;
      if (auto checksum = req.header("upload-checksum")) {
        size_t space = checksum->find(' ');
        std::string alg = checksum->substr(0, space);
        if (space == std::string::npos || !Hasher::create(alg))
          throw ApiError::bad_request("Upload-Checksum must be '<sha256|sha1> <base64 digest>'");
        auto raw = Hasher::base64_decode(checksum->substr(space + 1));
        if (!raw) throw ApiError::bad_request("Upload-Checksum digest is not base64");
        digest = std::make_pair(alg, std::move(*raw));
      }
      Principal p = app.authenticate(req);
      UploadRecord rec = owned_upload(app, *uploads, req, p);
      require_file_rights(app, p, rec.dataset_id);
      std::unique_ptr<AppendStream> stream;
      AppendResult begun = uploads->begin_append(rec.id, *offset, *length, digest, &stream);
      if (begun.outcome != AppendResult::Outcome::kAccepted) return {nullptr, append_response(begun)};
      // Only an upload created with awaitFileList may end without a registered checksum.
      bool awaits_list = *length > 0 && parse_metadata(rec.metadata).count("awaitFileList") > 0;
      return {std::make_unique<PatchSink>(uploads, rec.id, files, std::move(stream), awaits_list), {}};
    } catch (const ApiError& e) {
      return {nullptr, tus_error(e.status(), e.messages().front())};
    } catch (const StoreError& e) {
      return {nullptr, tus_store_error(e)};
    } catch (const UploadStorageError& e) {
      return {nullptr, storage_error(e.status())};
    }
  });

  r.add("DELETE", std::string(kBase) + "/:id", tus_handler([&app, uploads](HttpRequest& req) {
    Principal p = app.authenticate(req);
    UploadRecord rec = owned_upload(app, *uploads, req, p);
    if (!uploads->remove(rec.id)) throw ApiError::not_found("Upload " + rec.id + " does not exist");
    return no_content();
  }));
}

}  // namespace openem
