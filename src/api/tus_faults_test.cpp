// Faults of the disk under tus uploads (FaultyFileSystem, blob/test_util.h): a full disk in
// the middle of a PATCH, a write of the upload's record torn in the middle, a failing fsync
// when the verified file is stored. In every case nothing acknowledged (answered 204) is
// lost, the upload stays usable once the disk heals, and the client gets a clear answer
// (507 for a full disk, 500 otherwise, with the reason and where to resume), never a crash.
#include <gtest/gtest.h>

#include <cerrno>

#include "api/app.h"
#include "api/routes.h"
#include "api/tus_uploads.h"
#include "api/upload_routes.h"
#include "blob/hasher.h"
#include "blob/test_util.h"
#include "http/server.h"

namespace openem {
namespace {
namespace fs = std::filesystem;
using Outcome = AppendResult::Outcome;
using testing::FaultyFileSystem;
using testing::TempDir;

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

class TusFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(open_fs_blob_store(dir_.path() / "blobs", &blobs_, faulty_).is_ok());
    restart();
  }
  void restart() {
    uploads_ = std::make_unique<TusUploads>(*blobs_, 3600, [] { return std::int64_t{1'700'000'000}; }, faulty_);
    uploads_->recover();
  }
  UploadRecord create(std::int64_t length) {
    UploadRecord proto;
    proto.dataset_id = "PID/1";
    proto.path = "raw/a.bin";
    proto.owner = "u1";
    proto.length = length;
    return uploads_->create(proto);
  }
  UploadVerifier expect(const std::string& content) {
    std::string hex = Hasher::hex(Hasher::digest("sha256", content));
    return [hex](const UploadRecord&, const std::string& got) {
      return got == hex ? UploadVerdict{UploadVerdict::Kind::kMatch, ""}
                        : UploadVerdict{UploadVerdict::Kind::kMismatch, "mismatch"};
    };
  }
  std::string stored() {
    std::unique_ptr<BlobReader> r;
    if (!blobs_->open("PID/1", "raw/a.bin", &r).is_ok()) return "<missing>";
    std::string out;
    r->read(0, static_cast<size_t>(r->info().size), &out);
    return out;
  }
  std::int64_t part_size(const std::string& id) {
    return static_cast<std::int64_t>(fs::file_size(blobs_->staging_dir() / (id + ".part")));
  }

  TempDir dir_;
  FaultyFileSystem faulty_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<TusUploads> uploads_;
};

TEST_F(TusFaultsTest, DiskFullInTheMiddleOfAPatchLosesNothingAcknowledged) {
  const std::string content = pattern(300);
  UploadRecord rec = create(300);
  ASSERT_EQ(uploads_->append(rec.id, 0, content.substr(0, 100), std::nullopt, expect(content)).outcome, Outcome::kAccepted);
  faulty_.fail_writes_after(30, ENOSPC, ".part");  // the next PATCH is torn after 30 of its bytes
  std::unique_ptr<AppendStream> stream;
  ASSERT_EQ(uploads_->begin_append(rec.id, 100, 100, std::nullopt, &stream).outcome, Outcome::kAccepted);
  try {
    stream->write(content.substr(100, 100));
    FAIL() << "the write should have failed";
  } catch (const UploadStorageError& e) {
    EXPECT_TRUE(e.status().is_no_space());
    EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(rec.id + ".part"), std::string::npos) << e.what();
  }
  stream->abort();
  EXPECT_EQ(uploads_->get(rec.id)->offset, 100);  // the acknowledged bytes, no more
  EXPECT_EQ(part_size(rec.id), 100);              // the torn bytes are gone from disk too
  restart();                                      // and from the record
  EXPECT_EQ(uploads_->get(rec.id)->offset, 100);
  faulty_.heal();
  auto done = uploads_->append(rec.id, 100, content.substr(100), std::nullopt, expect(content));
  EXPECT_EQ(done.outcome, Outcome::kAccepted);
  EXPECT_EQ(done.record.state, UploadRecord::State::kStored);
  EXPECT_EQ(stored(), content);
}

// Bytes that arrived in earlier pieces of the same PATCH count (tus: received bytes are kept,
// as when the connection drops), unless the chunk promised a digest.
TEST_F(TusFaultsTest, DiskFullKeepsWhatTheChunkWroteBeforeUnlessItCarriedADigest) {
  const std::string content = pattern(300);
  UploadRecord rec = create(300);
  std::unique_ptr<AppendStream> stream;
  ASSERT_EQ(uploads_->begin_append(rec.id, 0, 200, std::nullopt, &stream).outcome, Outcome::kAccepted);
  stream->write(content.substr(0, 80));
  faulty_.fail_writes_after(10, ENOSPC, ".part");
  EXPECT_THROW(stream->write(content.substr(80, 120)), UploadStorageError);
  EXPECT_EQ(uploads_->get(rec.id)->offset, 80);
  EXPECT_EQ(part_size(rec.id), 80);
  restart();
  EXPECT_EQ(uploads_->get(rec.id)->offset, 80);

  faulty_.heal();
  auto digest = std::make_pair(std::string("sha256"), Hasher::digest("sha256", content.substr(80, 120)));
  ASSERT_EQ(uploads_->begin_append(rec.id, 80, 120, digest, &stream).outcome, Outcome::kAccepted);
  stream->write(content.substr(80, 60));
  faulty_.fail_writes_after(10, ENOSPC, ".part");
  EXPECT_THROW(stream->write(content.substr(140, 60)), UploadStorageError);
  EXPECT_EQ(uploads_->get(rec.id)->offset, 80);  // the whole chunk goes: its digest cannot be checked
  EXPECT_EQ(part_size(rec.id), 80);
  faulty_.heal();
  EXPECT_EQ(uploads_->append(rec.id, 80, content.substr(80), std::nullopt, expect(content)).record.state,
            UploadRecord::State::kStored);
  EXPECT_EQ(stored(), content);
}

TEST_F(TusFaultsTest, ARecordWriteTornInTheMiddleKeepsTheLastGoodRecord) {
  const std::string content = pattern(200);
  UploadRecord rec = create(200);
  ASSERT_EQ(uploads_->append(rec.id, 0, content.substr(0, 50), std::nullopt, expect(content)).outcome, Outcome::kAccepted);
  faulty_.fail_writes_after(20, EIO, ".json");  // the record is torn after 20 bytes
  EXPECT_THROW(uploads_->append(rec.id, 50, content.substr(50, 50), std::nullopt, expect(content)), UploadStorageError);
  EXPECT_EQ(uploads_->get(rec.id)->offset, 50);  // the chunk was not acknowledged: taken back
  EXPECT_EQ(part_size(rec.id), 50);
  faulty_.heal();
  restart();  // the record on disk is the last complete one
  auto after = uploads_->get(rec.id);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->offset, 50);
  EXPECT_FALSE(fs::exists(blobs_->staging_dir() / (rec.id + ".json.tmp")));
  EXPECT_EQ(uploads_->append(rec.id, 50, content.substr(50), std::nullopt, expect(content)).record.state,
            UploadRecord::State::kStored);
  EXPECT_EQ(stored(), content);
}

TEST_F(TusFaultsTest, AFailingFsyncWhenStoringKeepsTheVerifiedBytesForARetry) {
  const std::string content = pattern(64);
  UploadRecord rec = create(64);
  faulty_.fail_syncs(EIO, ".part");  // the verified file cannot be made durable
  auto r = uploads_->append(rec.id, 0, content, std::nullopt, expect(content));
  EXPECT_EQ(r.outcome, Outcome::kStoreError);
  EXPECT_FALSE(r.no_space);
  EXPECT_NE(r.message.find("fsync of"), std::string::npos) << r.message;
  EXPECT_EQ(uploads_->get(rec.id)->state, UploadRecord::State::kCommitting);
  EXPECT_EQ(stored(), "<missing>");
  restart();  // verified, not stored: recovery tries again, the disk still fails
  EXPECT_EQ(uploads_->get(rec.id)->state, UploadRecord::State::kCommitting);
  faulty_.heal();
  auto retry = uploads_->append(rec.id, 64, "", std::nullopt, expect(content));  // the empty PATCH at the end
  EXPECT_EQ(retry.outcome, Outcome::kAccepted);
  EXPECT_EQ(retry.record.state, UploadRecord::State::kStored);
  EXPECT_EQ(stored(), content);
}

TEST_F(TusFaultsTest, CreatingOnAFullDiskLeavesNothingBehind) {
  faulty_.fail_writes_after(0, ENOSPC, ".json");
  try {
    create(10);
    FAIL() << "create should have failed";
  } catch (const UploadStorageError& e) {
    EXPECT_TRUE(e.status().is_no_space()) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(blobs_->staging_dir()));
}

// The same faults as a client sees them, through the tus routes.
class TusFaultsHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<BlobStore> blobs;
    ASSERT_TRUE(open_fs_blob_store(dir_.path() / "blobs", &blobs, faulty_).is_ok());
    Config cfg;
    cfg.admin_password = "admin-password-for-tests";
    app_ = std::make_unique<App>(cfg, open_sqlite_store(dir_.path() / "catalog.db"), std::move(blobs));
    bootstrap_accounts(*app_);
    token_ = app_->issue_token(*app_->store().user_by_name("admin"));
    register_all_routes(catalog_, *app_);
    uploads_ = std::make_shared<TusUploads>(app_->blobs(), 3600, nullptr, faulty_);
    register_tus_routes(tus_, *app_, uploads_, std::make_shared<RegisteredFiles>(*app_));
  }
  HttpResponse call(Router& r, const std::string& method, const std::string& target,
                    std::vector<std::pair<std::string, std::string>> headers, std::string body) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    parse_target(target, req);
    req.headers["authorization"] = "Bearer " + token_;
    for (auto& [k, v] : headers) req.headers[k] = v;
    req.body = std::move(body);
    req.remote = "127.0.0.1";
    const Route* matched = nullptr;
    return dispatch(r, req, &matched);
  }
  static std::string header(const HttpResponse& res, const std::string& name) {
    for (const auto& [k, v] : res.headers)
      if (k == name) return v;
    return "";
  }
  HttpResponse patch(const std::string& location, std::int64_t offset, std::string bytes) {
    return call(tus_, "PATCH", location,
                {{"tus-resumable", "1.0.0"}, {"content-type", "application/offset+octet-stream"},
                 {"upload-offset", std::to_string(offset)}},
                std::move(bytes));
  }

  TempDir dir_;
  FaultyFileSystem faulty_;
  std::unique_ptr<App> app_;
  std::string token_;
  Router catalog_, tus_;
  std::shared_ptr<TusUploads> uploads_;
};

TEST_F(TusFaultsHttpTest, ClientsGet507ForAFullDiskAnd500ForOtherFaultsThenResume) {
  const std::string content = pattern(1000);
  std::string sha = Hasher::hex(Hasher::digest("sha256", content));
  HttpResponse ds = call(catalog_, "POST", "/api/v3/Datasets", {{"content-type", "application/json"}},
                         R"({"pid": "faults-1", "type": "raw", "ownerGroup": "admin", "owner": "o", "contactEmail": "o@x.org",
                             "sourceFolder": "/s", "creationTime": "2024-01-01T00:00:00Z", "principalInvestigator": "pi",
                             "creationLocation": "l"})");
  ASSERT_EQ(ds.status, 201) << ds.body;
  HttpResponse odb = call(catalog_, "POST", "/api/v3/OrigDatablocks", {{"content-type", "application/json"}},
                          R"({"datasetId": "faults-1", "size": 1000, "chkAlg": "sha256", "dataFileList": [{"path": "a.bin",
                              "size": 1000, "time": "2024-01-01T00:00:00Z", "chk": ")" + sha + R"("}]})");
  ASSERT_EQ(odb.status, 201) << odb.body;

  // Creation on a full disk: 507.
  const std::vector<std::pair<std::string, std::string>> create = {
      {"tus-resumable", "1.0.0"}, {"upload-length", "1000"}, {"upload-metadata", "datasetId ZmF1bHRzLTE=,path YS5iaW4="}};
  faulty_.fail_writes_after(0, ENOSPC);
  HttpResponse refused = call(tus_, "POST", "/api/v3/uploads", create, "");
  EXPECT_EQ(refused.status, 507) << refused.body;
  EXPECT_NE(refused.body.find("No space left on device"), std::string::npos) << refused.body;
  EXPECT_EQ(header(refused, "Tus-Resumable"), "1.0.0");
  faulty_.heal();
  HttpResponse created = call(tus_, "POST", "/api/v3/uploads", create, "");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string location = header(created, "Location");

  EXPECT_EQ(patch(location, 0, content.substr(0, 400)).status, 204);
  // The disk fills during the next PATCH: 507, the reason, and where to resume.
  faulty_.fail_writes_after(100, ENOSPC, ".part");
  HttpResponse full = patch(location, 400, content.substr(400, 300));
  EXPECT_EQ(full.status, 507) << full.body;
  EXPECT_NE(full.body.find("No space left on device"), std::string::npos) << full.body;
  EXPECT_NE(full.body.find("Nothing past offset 400 was kept"), std::string::npos) << full.body;
  EXPECT_EQ(header(full, "Upload-Offset"), "400");
  faulty_.heal();
  HttpResponse head = call(tus_, "HEAD", location, {{"tus-resumable", "1.0.0"}}, "");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(header(head, "Upload-Offset"), "400");

  // The last PATCH: the bytes are in and verified, but storing them fails (fsync): 500, and
  // an empty PATCH at the end stores them once the disk is fine again.
  faulty_.fail_syncs(EIO, ".part");
  HttpResponse not_stored = patch(location, 400, content.substr(400));
  EXPECT_EQ(not_stored.status, 500) << not_stored.body;
  EXPECT_NE(not_stored.body.find("retry with an empty PATCH"), std::string::npos) << not_stored.body;
  faulty_.heal();
  HttpResponse stored = patch(location, 1000, "");
  EXPECT_EQ(stored.status, 204) << stored.body;
  EXPECT_EQ(header(stored, "OpenEM-Upload-State"), "stored");
  HttpResponse download = call(catalog_, "GET", "/api/v3/Datasets/faults-1/files/a.bin", {}, "");
  ASSERT_EQ(download.status, 200);
  ASSERT_TRUE(download.stream);
  std::string got, piece;
  while (download.stream->next(piece)) got += piece;
  got += piece;
  EXPECT_EQ(got, content);
}

}  // namespace
}  // namespace openem
