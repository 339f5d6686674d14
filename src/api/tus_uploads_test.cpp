#include "api/tus_uploads.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "blob/hasher.h"

namespace openem {
namespace {
namespace fs = std::filesystem;
using Outcome = AppendResult::Outcome;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class TusUploadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "openem-tus-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    ASSERT_TRUE(open_fs_blob_store(dir_ / "blobs", &blobs_).is_ok());
    restart();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A new TusUploads over the same directory, as after a server restart.
  void restart() {
    uploads_ = std::make_unique<TusUploads>(*blobs_, 3600, [this] { return now_; });
    uploads_->recover();
  }

  UploadRecord create(std::int64_t length, const std::string& path = "raw/a.bin") {
    UploadRecord proto;
    proto.dataset_id = "PID/1";
    proto.path = path;
    proto.owner = "u1";
    proto.length = length;
    return uploads_->create(proto);
  }

  // Verifier that accepts exactly `expected` (hex), as the catalog's file list would.
  UploadVerifier expect(const std::string& content) {
    std::string hex = Hasher::hex(Hasher::digest("sha256", content));
    return [hex, this](const UploadRecord&, const std::string& got) {
      ++verifications_;
      if (got == hex) return UploadVerdict{UploadVerdict::Kind::kMatch, ""};
      return UploadVerdict{UploadVerdict::Kind::kMismatch, "sha256 " + got + " differs from " + hex};
    };
  }

  std::string stored(const std::string& path = "raw/a.bin") {
    std::unique_ptr<BlobReader> r;
    if (!blobs_->open("PID/1", path, &r).is_ok()) return "<missing>";
    std::string out;
    r->read(0, static_cast<size_t>(r->info().size), &out);
    return out;
  }

  fs::path dir_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<TusUploads> uploads_;
  std::int64_t now_ = 1'700'000'000;
  int verifications_ = 0;
};

TEST_F(TusUploadsTest, ChunksThenVerifiedCommit) {
  const std::string content = "hello, tus world";
  UploadRecord rec = create(static_cast<std::int64_t>(content.size()));
  EXPECT_EQ(rec.id.size(), 36u);
  EXPECT_EQ(rec.expires, now_ + 3600);
  EXPECT_TRUE(fs::exists(blobs_->staging_dir() / (rec.id + ".part")));

  auto r1 = uploads_->append(rec.id, 0, content.substr(0, 7), std::nullopt, expect(content));
  EXPECT_EQ(r1.outcome, Outcome::kAccepted);
  EXPECT_EQ(r1.record.offset, 7);
  EXPECT_EQ(r1.record.state, UploadRecord::State::kReceiving);
  EXPECT_EQ(verifications_, 0);
  auto r2 = uploads_->append(rec.id, 7, content.substr(7), std::nullopt, expect(content));
  EXPECT_EQ(r2.outcome, Outcome::kAccepted);
  EXPECT_EQ(r2.record.offset, 16);
  EXPECT_EQ(r2.record.state, UploadRecord::State::kStored);
  EXPECT_EQ(r2.record.sha256, Hasher::hex(Hasher::digest("sha256", content)));
  EXPECT_EQ(verifications_, 1);
  EXPECT_EQ(stored(), content);
  EXPECT_FALSE(fs::exists(blobs_->staging_dir() / (rec.id + ".part")));
  // A retried last PATCH (lost response) is answered again without re-verifying.
  auto again = uploads_->append(rec.id, 16, "", std::nullopt, expect(content));
  EXPECT_EQ(again.outcome, Outcome::kAccepted);
  EXPECT_EQ(again.record.state, UploadRecord::State::kStored);
  EXPECT_EQ(verifications_, 1);
  EXPECT_EQ(uploads_->append(rec.id, 7, "x", std::nullopt, expect(content)).outcome, Outcome::kOffsetConflict);
}

TEST_F(TusUploadsTest, OffsetLengthAndChunkChecksumRules) {
  UploadRecord rec = create(10);
  auto v = expect("0123456789");
  auto conflict = uploads_->append(rec.id, 3, "abc", std::nullopt, v);
  EXPECT_EQ(conflict.outcome, Outcome::kOffsetConflict);
  EXPECT_NE(conflict.message.find("does not match the upload's offset 0"), std::string::npos);
  EXPECT_EQ(uploads_->append(rec.id, 0, "0123456789X", std::nullopt, v).outcome, Outcome::kTooLong);

  auto bad_digest = std::make_pair(std::string("sha256"), Hasher::digest("sha256", "something else"));
  auto bad = uploads_->append(rec.id, 0, "01234", bad_digest, v);
  EXPECT_EQ(bad.outcome, Outcome::kChunkChecksum);
  EXPECT_EQ(uploads_->get(rec.id)->offset, 0);  // chunk discarded
  EXPECT_EQ(fs::file_size(blobs_->staging_dir() / (rec.id + ".part")), 0u);

  auto good_digest = std::make_pair(std::string("sha1"), Hasher::digest("sha1", "01234"));
  EXPECT_EQ(uploads_->append(rec.id, 0, "01234", good_digest, v).outcome, Outcome::kAccepted);
  EXPECT_EQ(uploads_->get(rec.id)->offset, 5);
  EXPECT_EQ(uploads_->append(rec.id, 5, "56789", std::nullopt, v).record.state, UploadRecord::State::kStored);
  EXPECT_EQ(stored(), "0123456789");
}

TEST_F(TusUploadsTest, ResumesAfterRestartWithTheChecksumRebuiltFromDisk) {
  std::string content(3 * 1024 * 1024 + 5, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 31 + 7);
  UploadRecord rec = create(static_cast<std::int64_t>(content.size()));
  size_t half = content.size() / 2;
  ASSERT_EQ(uploads_->append(rec.id, 0, content.substr(0, half), std::nullopt, expect(content)).outcome, Outcome::kAccepted);
  // A chunk that was being written when the server died: on disk, never acknowledged.
  {
    std::ofstream junk(blobs_->staging_dir() / (rec.id + ".part"), std::ios::binary | std::ios::app);
    junk << "GARBAGE NEVER ACKNOWLEDGED";
  }
  restart();
  auto after = uploads_->get(rec.id);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->offset, static_cast<std::int64_t>(half));
  EXPECT_EQ(after->length, static_cast<std::int64_t>(content.size()));
  EXPECT_EQ(after->dataset_id, "PID/1");
  EXPECT_EQ(fs::file_size(blobs_->staging_dir() / (rec.id + ".part")), half);  // junk cut off
  auto done = uploads_->append(rec.id, static_cast<std::int64_t>(half), content.substr(half), std::nullopt, expect(content));
  EXPECT_EQ(done.outcome, Outcome::kAccepted);
  EXPECT_EQ(done.record.state, UploadRecord::State::kStored);
  EXPECT_EQ(stored(), content);
}

TEST_F(TusUploadsTest, WholeFileMismatchFailsTheUploadForGood) {
  UploadRecord rec = create(4);
  auto r = uploads_->append(rec.id, 0, "abcd", std::nullopt, expect("abcX"));
  EXPECT_EQ(r.outcome, Outcome::kFileMismatch);
  EXPECT_NE(r.message.find("differs from"), std::string::npos);
  EXPECT_EQ(r.record.state, UploadRecord::State::kFailed);
  EXPECT_EQ(stored(), "<missing>");
  EXPECT_FALSE(fs::exists(blobs_->staging_dir() / (rec.id + ".part")));
  EXPECT_EQ(uploads_->append(rec.id, 4, "", std::nullopt, expect("abcd")).outcome, Outcome::kGone);
  restart();
  EXPECT_EQ(uploads_->get(rec.id)->state, UploadRecord::State::kFailed);
}

TEST_F(TusUploadsTest, NoRegisteredChecksumKeepsTheBytesUntilARetry) {
  UploadRecord rec = create(3);
  UploadVerifier none = [](const UploadRecord&, const std::string&) {
    return UploadVerdict{UploadVerdict::Kind::kNoChecksum, "register the file list first"};
  };
  auto r = uploads_->append(rec.id, 0, "xyz", std::nullopt, none);
  EXPECT_EQ(r.outcome, Outcome::kNoChecksum);
  EXPECT_EQ(r.record.state, UploadRecord::State::kReceiving);
  EXPECT_EQ(r.record.offset, 3);
  restart();  // the digest is in the record; the bytes in the part file
  auto retry = uploads_->append(rec.id, 3, "", std::nullopt, expect("xyz"));
  EXPECT_EQ(retry.outcome, Outcome::kAccepted);
  EXPECT_EQ(stored(), "xyz");
}

TEST_F(TusUploadsTest, InterruptedCommitIsFinishedOnRecovery) {
  UploadRecord rec = create(2);
  // Simulate a crash between "verified" and the move into the blob store.
  UploadVerifier crash = [](const UploadRecord&, const std::string&) -> UploadVerdict { throw std::runtime_error("killed"); };
  EXPECT_THROW(uploads_->append(rec.id, 0, "ok", std::nullopt, crash), std::runtime_error);
  std::string record = read_file(blobs_->staging_dir() / (rec.id + ".json"));
  size_t at = record.find("\"receiving\"");
  ASSERT_NE(at, std::string::npos);
  record.replace(at, 11, "\"committing\"");
  std::ofstream(blobs_->staging_dir() / (rec.id + ".json"), std::ios::binary) << record;
  restart();
  EXPECT_EQ(uploads_->get(rec.id)->state, UploadRecord::State::kStored);
  EXPECT_EQ(stored(), "ok");
}

TEST_F(TusUploadsTest, TerminationAndExpiry) {
  UploadRecord a = create(5, "a"), b = create(5, "b");
  EXPECT_TRUE(uploads_->remove(a.id));
  EXPECT_FALSE(uploads_->remove(a.id));
  EXPECT_FALSE(uploads_->get(a.id).has_value());
  EXPECT_FALSE(fs::exists(blobs_->staging_dir() / (a.id + ".json")));
  EXPECT_EQ(uploads_->append(a.id, 0, "x", std::nullopt, expect("x")).outcome, Outcome::kNotFound);

  now_ += 1800;
  ASSERT_EQ(uploads_->append(b.id, 0, "12", std::nullopt, expect("12345")).outcome, Outcome::kAccepted);
  EXPECT_EQ(uploads_->get(b.id)->expires, now_ + 3600);  // refreshed by the chunk
  now_ += 3599;
  EXPECT_EQ(uploads_->expire(), 0);
  now_ += 2;
  EXPECT_FALSE(uploads_->get(b.id).has_value());  // expired even before the sweep
  EXPECT_EQ(uploads_->expire(), 1);
  EXPECT_TRUE(fs::is_empty(blobs_->staging_dir()));
}

TEST_F(TusUploadsTest, RecoveryDropsExpiredAndStrayFiles) {
  UploadRecord a = create(5);
  std::ofstream(blobs_->staging_dir() / "orphan.part") << "x";
  std::ofstream(blobs_->staging_dir() / "x.json.tmp") << "{";
  std::ofstream(blobs_->staging_dir() / "broken.json") << "{not json";
  restart();
  EXPECT_TRUE(uploads_->get(a.id).has_value());
  EXPECT_FALSE(fs::exists(blobs_->staging_dir() / "orphan.part"));
  EXPECT_FALSE(fs::exists(blobs_->staging_dir() / "x.json.tmp"));
  EXPECT_FALSE(fs::exists(blobs_->staging_dir() / "broken.json"));
  now_ += 7200;
  restart();
  EXPECT_FALSE(uploads_->get(a.id).has_value());
  EXPECT_TRUE(fs::is_empty(blobs_->staging_dir()));
}

TEST_F(TusUploadsTest, EmptyFileCompletesOnTheFirstEmptyAppend) {
  UploadRecord rec = create(0, "empty");
  auto r = uploads_->append(rec.id, 0, "", std::nullopt, expect(""));
  EXPECT_EQ(r.outcome, Outcome::kAccepted);
  EXPECT_EQ(r.record.state, UploadRecord::State::kStored);
  EXPECT_EQ(stored("empty"), "");
}

TEST_F(TusUploadsTest, StreamedChunkIsVisibleWhileItArrives) {
  const std::string content = "streamed in three pieces";
  UploadRecord rec = create(static_cast<std::int64_t>(content.size()));
  std::unique_ptr<AppendStream> stream;
  ASSERT_EQ(uploads_->begin_append(rec.id, 0, static_cast<std::int64_t>(content.size()), std::nullopt, &stream).outcome,
            Outcome::kAccepted);
  stream->write(content.substr(0, 8));
  EXPECT_EQ(uploads_->get(rec.id)->offset, 8);  // HEAD sees the bytes as they land
  stream->write(content.substr(8, 8));
  EXPECT_THROW(stream->write(content.substr(16) + "extra"), std::runtime_error);  // past the declared length
  stream->write(content.substr(16));
  auto done = stream->finish(expect(content));
  EXPECT_EQ(done.outcome, Outcome::kAccepted);
  EXPECT_EQ(done.record.state, UploadRecord::State::kStored);
  EXPECT_EQ(stored(), content);
}

TEST_F(TusUploadsTest, DroppedStreamKeepsItsBytesUnlessItCarriedADigest) {
  const std::string content = "0123456789abcdefghij";
  UploadRecord rec = create(20);
  std::unique_ptr<AppendStream> plain;
  ASSERT_EQ(uploads_->begin_append(rec.id, 0, 12, std::nullopt, &plain).outcome, Outcome::kAccepted);
  plain->write(content.substr(0, 7));
  plain->abort();  // the connection went after 7 of 12 bytes
  EXPECT_EQ(uploads_->get(rec.id)->offset, 7);
  restart();  // and the progress is on disk
  EXPECT_EQ(uploads_->get(rec.id)->offset, 7);

  std::unique_ptr<AppendStream> digested;
  auto digest = std::make_pair(std::string("sha256"), Hasher::digest("sha256", content.substr(7, 6)));
  ASSERT_EQ(uploads_->begin_append(rec.id, 7, 6, digest, &digested).outcome, Outcome::kAccepted);
  digested->write(content.substr(7, 3));
  EXPECT_EQ(uploads_->get(rec.id)->offset, 7);  // a digested chunk counts only once checked
  digested->abort();
  EXPECT_EQ(uploads_->get(rec.id)->offset, 7);
  EXPECT_EQ(fs::file_size(blobs_->staging_dir() / (rec.id + ".part")), 7u);

  // The rest in one go: the whole-file digest was rebuilt from the 7 bytes on disk.
  EXPECT_EQ(uploads_->append(rec.id, 7, content.substr(7), std::nullopt, expect(content)).record.state,
            UploadRecord::State::kStored);
  EXPECT_EQ(stored(), content);
}

TEST_F(TusUploadsTest, ANewPatchSupersedesAStreamStillOpen) {
  const std::string content = "abcdefghij";
  UploadRecord rec = create(10);
  std::unique_ptr<AppendStream> stale, fresh;
  ASSERT_EQ(uploads_->begin_append(rec.id, 0, 10, std::nullopt, &stale).outcome, Outcome::kAccepted);
  stale->write("abcd");
  // The client lost the connection, asked HEAD (offset 4) and resumes there.
  ASSERT_EQ(uploads_->begin_append(rec.id, 4, 6, std::nullopt, &fresh).outcome, Outcome::kAccepted);
  EXPECT_THROW(stale->write("XXXX"), UploadGoneError);  // the old request may not write any more
  EXPECT_EQ(stale->finish(expect(content)).outcome, Outcome::kNotFound);
  stale->abort();  // harmless
  fresh->write("efghij");
  EXPECT_EQ(fresh->finish(expect(content)).record.state, UploadRecord::State::kStored);
  EXPECT_EQ(stored(), content);
}

TEST_F(TusUploadsTest, TerminationStopsAStreamInProgress) {
  UploadRecord rec = create(10);
  std::unique_ptr<AppendStream> stream;
  ASSERT_EQ(uploads_->begin_append(rec.id, 0, 10, std::nullopt, &stream).outcome, Outcome::kAccepted);
  stream->write("abc");
  EXPECT_TRUE(uploads_->remove(rec.id));
  EXPECT_THROW(stream->write("def"), UploadGoneError);
  stream->abort();
  EXPECT_FALSE(fs::exists(blobs_->staging_dir() / (rec.id + ".json")));  // abort wrote nothing back
}

}  // namespace
}  // namespace openem
