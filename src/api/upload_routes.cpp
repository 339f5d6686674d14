// Wires the blob store, the tus uploads and the download endpoints together: one filesystem
// blob store under <data-dir>/blobs shared by both, recovered once at start-up.
#include "api/upload_routes.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "api/handler_util.h"
#include "blob/s3/s3_blob_store.h"
#include "api/quotas.h"
#include "core/error.h"
#include "api/routes.h"
#include "model/collection.h"

namespace openem {
namespace json = boost::json;

std::string http_date(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

namespace {

// Every file of the dataset's origdatablocks by path: one scan of the lists instead of one
// per uploaded file (a dataset of 20,000 files would otherwise parse its lists 40,000 times).
RegisteredFiles::FileIndex index_files(App& app, const std::string& pid) {
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::origdatablocks(), "datasetId", pid));
  RegisteredFiles::FileIndex out;
  for (const auto& block : app.store().find(schemas::origdatablocks(), plan)) {
    std::string alg = str_field(block, "chkAlg");
    for (char& c : alg) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool sha256 = alg == "sha256" || alg == "sha-256";
    const json::value* list = block.if_contains("dataFileList");
    if (!list || !list->is_array()) continue;
    for (const auto& f : list->get_array()) {
      if (!f.is_object()) continue;
      RegisteredFile rf;
      if (auto* size = f.get_object().if_contains("size"); size && size->is_number()) rf.size = size->to_number<std::int64_t>();
      std::string chk = str_field(f.get_object(), "chk");
      for (char& c : chk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (sha256 && chk.size() == 64 && chk.find_first_not_of("0123456789abcdef") == std::string::npos) rf.sha256 = chk;
      out[str_field(f.get_object(), "path")].push_back(std::move(rf));
    }
  }
  return out;
}

}  // namespace

std::vector<RegisteredFile> RegisteredFiles::of(const std::string& pid, const std::string& path) {
  std::uint64_t generation = app_.store().write_generation();
  std::shared_ptr<const FileIndex> index;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(pid);
    if (it != entries_.end() && it->second.first == generation) index = it->second.second;
  }
  if (!index) {
    index = std::make_shared<const FileIndex>(index_files(app_, pid));
    std::lock_guard lock(mu_);
    if (entries_.size() >= kMaxDatasets) entries_.clear();
    entries_[pid] = {generation, index};
  }
  auto it = index->find(path);
  return it == index->end() ? std::vector<RegisteredFile>{} : it->second;
}

namespace {

// Where the acknowledged parts of shared uploads live: beside the dataset files, under their
// own key prefix ("<prefix>/tus-parts/", or <data-dir>/blobs/tus-parts), never inside a
// dataset's files (which downloads and archive jobs list).
std::shared_ptr<BlobStore> open_upload_parts(const Config& cfg) {
  std::unique_ptr<BlobStore> parts;
  BlobStatus status;
  if (cfg.blobs_url.rfind("s3://", 0) == 0) {
    std::string error;
    auto where = parse_s3_url(cfg.blobs_url, &error);
    if (!where) throw std::runtime_error("blobs: " + error);
    where->prefix = (where->prefix.empty() ? "" : where->prefix + "/") + "tus-parts";
    status = open_s3_blob_store(*where, cfg.data_dir / "staging", &parts);
  } else {
    status = open_fs_blob_store(cfg.data_dir / "blobs" / "tus-parts", &parts);
  }
  if (!status.is_ok()) throw std::runtime_error("upload parts: " + status.message());
  return parts;
}

}  // namespace

void register_upload_routes(Router& r, App& app) {
  // The App owns the blob store and outlives the routes; the routes share a non-owning pointer.
  std::shared_ptr<BlobStore> blobs(&app.blobs(), [](BlobStore*) {});
  auto uploads = std::make_shared<TusUploads>(app.blobs(), 24 * 3600);
  // Several API processes on one catalog: an upload may continue on any of them.
  if (app.store().shared_between_processes()) uploads->share_through(app.store(), open_upload_parts(app.config()));
  uploads->recover();  // also removes uploads that expired while the server was down
  register_tus_routes(r, app, uploads, std::make_shared<RegisteredFiles>(app));
  // Usage against quotas (docs/security.md): here because it counts the unfinished uploads.
  r.add("GET", "/api/v3/admin/usage", [&app, uploads](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!p.authenticated()) throw ApiError::unauthorized();
    if (!app.is_admin(p)) throw ApiError::forbidden();
    return HttpResponse::json(200, usage_report(app, *uploads));
  });
  register_download_routes(r, app, blobs);
}

}  // namespace openem
