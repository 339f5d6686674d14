// TusUploads shared through a catalog (shared_tus_uploads.h): two TusUploads on one catalog
// and one parts store stand for two API processes. Chunks acknowledged on one continue on the
// other; two PATCHes at one offset: the first to end wins, the other is a conflict and its part
// is removed; a dropped request keeps the bytes received; a killed process loses only its
// unacknowledged chunk; a part changed after its acknowledgement is never stored.
#include "api/shared_tus_uploads.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "blob/hasher.h"
#include "store/testing/store_backends.h"

namespace openem {
namespace {
namespace fs = std::filesystem;
using Outcome = AppendResult::Outcome;

class SharedTusUploadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "openem-shared-tus-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    catalog_ = std::make_unique<testing::ScratchCatalog>(testing::Backend::Sqlite);
    store_a_ = catalog_->open();
    store_b_ = catalog_->open();
    ASSERT_TRUE(open_fs_blob_store(dir_ / "blobs", &blobs_).is_ok());
    std::unique_ptr<BlobStore> parts;
    ASSERT_TRUE(open_fs_blob_store(dir_ / "blobs" / "tus-parts", &parts).is_ok());
    parts_ = std::move(parts);
    a_ = process(*store_a_);
    b_ = process(*store_b_);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    store_a_.reset();
    store_b_.reset();
    catalog_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<TusUploads> process(CatalogStore& store) {
    auto u = std::make_unique<TusUploads>(*blobs_, 3600, [this] { return now_; });
    u->share_through(store, parts_);
    u->recover();
    return u;
  }

  UploadRecord create(TusUploads& on, std::int64_t length) {
    UploadRecord proto;
    proto.dataset_id = "PID/1";
    proto.path = "raw/a.bin";
    proto.owner = "u1";
    proto.length = length;
    return on.create(proto);
  }

  static UploadVerifier expect(const std::string& content) {
    std::string hex = Hasher::hex(Hasher::digest("sha256", content));
    return [hex](const UploadRecord&, const std::string& got) {
      if (got == hex) return UploadVerdict{UploadVerdict::Kind::kMatch, ""};
      return UploadVerdict{UploadVerdict::Kind::kMismatch, "sha256 " + got + " differs from " + hex};
    };
  }

  std::string stored() {
    std::unique_ptr<BlobReader> r;
    if (!blobs_->open("PID/1", "raw/a.bin", &r).is_ok()) return "<missing>";
    std::string out;
    r->read(0, static_cast<size_t>(r->info().size), &out);
    return out;
  }
  std::size_t parts_of(const std::string& id) {
    std::vector<BlobInfo> parts;
    parts_->list(id, &parts);
    return parts.size();
  }

  fs::path dir_;
  std::unique_ptr<testing::ScratchCatalog> catalog_;
  std::unique_ptr<CatalogStore> store_a_, store_b_;
  std::unique_ptr<BlobStore> blobs_;
  std::shared_ptr<BlobStore> parts_;
  std::unique_ptr<TusUploads> a_, b_;
  std::int64_t now_ = 1'700'000'000;
};

TEST_F(SharedTusUploadsTest, StartedOnOneProcessFinishedOnTheOther) {
  const std::string content = "0123456789abcdefghij";
  UploadRecord rec = create(*a_, 20);
  EXPECT_TRUE(a_->shared());
  EXPECT_EQ(b_->get(rec.id)->length, 20);
  EXPECT_EQ(a_->append(rec.id, 0, content.substr(0, 8), std::nullopt, expect(content)).outcome, Outcome::kAccepted);
  EXPECT_EQ(b_->get(rec.id)->offset, 8);
  EXPECT_EQ(b_->append(rec.id, 8, content.substr(8, 5), std::nullopt, expect(content)).outcome, Outcome::kAccepted);
  EXPECT_EQ(parts_of(rec.id), 2u);
  AppendResult last = a_->append(rec.id, 13, content.substr(13), std::nullopt, expect(content));
  EXPECT_EQ(last.outcome, Outcome::kAccepted) << last.message;
  EXPECT_EQ(last.record.state, UploadRecord::State::kStored);
  EXPECT_EQ(stored(), content);
  EXPECT_EQ(parts_of(rec.id), 0u);  // freed once stored
  EXPECT_EQ(b_->get(rec.id)->state, UploadRecord::State::kStored);
  EXPECT_TRUE(b_->unfinished().empty());
}

TEST_F(SharedTusUploadsTest, TwoPatchesAtOneOffsetTheFirstToEndWins) {
  UploadRecord rec = create(*a_, 10);
  std::unique_ptr<AppendStream> on_a, on_b;
  ASSERT_EQ(a_->begin_append(rec.id, 0, 4, std::nullopt, &on_a).outcome, Outcome::kAccepted);
  ASSERT_EQ(b_->begin_append(rec.id, 0, 4, std::nullopt, &on_b).outcome, Outcome::kAccepted);
  on_a->write("aaaa");
  on_b->write("bbbb");
  EXPECT_EQ(on_b->finish(expect("")).outcome, Outcome::kAccepted);
  AppendResult late = on_a->finish(expect(""));
  EXPECT_EQ(late.outcome, Outcome::kOffsetConflict);
  EXPECT_NE(late.message.find("another request wrote at offset 0 first"), std::string::npos) << late.message;
  EXPECT_EQ(late.record.offset, 4);
  EXPECT_EQ(parts_of(rec.id), 1u);  // the loser's part is gone
  EXPECT_EQ(a_->append(rec.id, 4, "cccccc", std::nullopt, expect("bbbbcccccc")).outcome, Outcome::kAccepted);
  EXPECT_EQ(stored(), "bbbbcccccc");
}

TEST_F(SharedTusUploadsTest, WrongOffsetTooLongAndUnknown) {
  UploadRecord rec = create(*a_, 10);
  std::unique_ptr<AppendStream> s;
  EXPECT_EQ(b_->begin_append(rec.id, 3, 1, std::nullopt, &s).outcome, Outcome::kOffsetConflict);
  EXPECT_EQ(b_->begin_append(rec.id, 0, 11, std::nullopt, &s).outcome, Outcome::kTooLong);
  EXPECT_EQ(b_->begin_append("nope", 0, 1, std::nullopt, &s).outcome, Outcome::kNotFound);
  now_ += 3601;
  EXPECT_FALSE(b_->get(rec.id));
  EXPECT_EQ(a_->expire(), 1);
  EXPECT_FALSE(upload_states::get(*store_a_, rec.id));
}

TEST_F(SharedTusUploadsTest, ADroppedRequestKeepsTheBytesReceivedUnlessItPromisedADigest) {
  UploadRecord rec = create(*a_, 10);
  std::unique_ptr<AppendStream> s;
  ASSERT_EQ(a_->begin_append(rec.id, 0, 8, std::nullopt, &s).outcome, Outcome::kAccepted);
  s->write("abc");
  s->abort();
  EXPECT_EQ(b_->get(rec.id)->offset, 3);
  auto digest = std::make_pair(std::string("sha256"), Hasher::digest("sha256", "defgh"));
  ASSERT_EQ(b_->begin_append(rec.id, 3, 5, digest, &s).outcome, Outcome::kAccepted);
  s->write("de");
  s->abort();
  EXPECT_EQ(a_->get(rec.id)->offset, 3);
  AppendResult bad = a_->append(rec.id, 3, "XXXXX", digest, expect("abcdefghij"));
  EXPECT_EQ(bad.outcome, Outcome::kChunkChecksum);
  EXPECT_EQ(a_->get(rec.id)->offset, 3);
  EXPECT_EQ(a_->append(rec.id, 3, "defghij", std::nullopt, expect("abcdefghij")).outcome, Outcome::kAccepted);
  EXPECT_EQ(stored(), "abcdefghij");
}

TEST_F(SharedTusUploadsTest, AKilledProcessLosesOnlyItsUnacknowledgedChunk) {
  UploadRecord rec = create(*a_, 12);
  EXPECT_EQ(a_->append(rec.id, 0, "hello ", std::nullopt, expect("hello world!")).outcome, Outcome::kAccepted);
  std::unique_ptr<AppendStream> s;
  ASSERT_EQ(a_->begin_append(rec.id, 6, 6, std::nullopt, &s).outcome, Outcome::kAccepted);
  s->write("wor");
  s.release();  // the process dies here: no finish, no abort, its spool left behind
  a_.reset();
  a_ = process(*store_a_);  // restarted: spools cleared
  for (const auto& e : fs::directory_iterator(blobs_->staging_dir()))
    EXPECT_NE(e.path().extension(), ".chunk") << e.path();
  EXPECT_EQ(b_->get(rec.id)->offset, 6);
  EXPECT_EQ(b_->append(rec.id, 6, "world!", std::nullopt, expect("hello world!")).outcome, Outcome::kAccepted);
  EXPECT_EQ(stored(), "hello world!");
}

TEST_F(SharedTusUploadsTest, OnePatchForTheWholeFileIsStoredWithoutParts) {
  UploadRecord rec = create(*a_, 5);
  AppendResult r = b_->append(rec.id, 0, "whole", std::nullopt, expect("whole"));
  EXPECT_EQ(r.outcome, Outcome::kAccepted) << r.message;
  EXPECT_EQ(r.record.state, UploadRecord::State::kStored);
  EXPECT_EQ(stored(), "whole");
  EXPECT_EQ(parts_of(rec.id), 0u);

  UploadRecord empty = create(*a_, 0);
  EXPECT_EQ(a_->append(empty.id, 0, "", std::nullopt, expect("")).outcome, Outcome::kAccepted);
  EXPECT_EQ(stored(), "");
}

// A termination on one process while the other receives the whole file: nothing is stored, as
// one process orders them (the commit checks in before it stores, and a commit under way
// cannot be terminated).
TEST_F(SharedTusUploadsTest, AnUploadTerminatedWhileItsPatchStreamsStoresNothing) {
  UploadRecord rec = create(*a_, 10);
  std::unique_ptr<AppendStream> stream;
  ASSERT_EQ(a_->begin_append(rec.id, 0, 10, std::nullopt, &stream).outcome, Outcome::kAccepted);
  stream->write("01234");
  EXPECT_TRUE(b_->remove(rec.id));
  stream->write("56789");
  AppendResult r = stream->finish(expect("0123456789"));
  EXPECT_EQ(r.outcome, Outcome::kNotFound) << r.message;
  EXPECT_EQ(stored(), "<missing>");
  EXPECT_FALSE(b_->get(rec.id));
}

TEST_F(SharedTusUploadsTest, MismatchFailsAndNoChecksumWaitsForTheFileList) {
  UploadRecord rec = create(*a_, 4);
  EXPECT_EQ(a_->append(rec.id, 0, "ab", std::nullopt, expect("abcd")).outcome, Outcome::kAccepted);
  AppendResult r = b_->append(rec.id, 2, "XY", std::nullopt, expect("abcd"));
  EXPECT_EQ(r.outcome, Outcome::kFileMismatch);
  EXPECT_EQ(a_->get(rec.id)->state, UploadRecord::State::kFailed);
  std::unique_ptr<AppendStream> s;
  EXPECT_EQ(a_->begin_append(rec.id, 4, 0, std::nullopt, &s).outcome, Outcome::kGone);
  EXPECT_EQ(parts_of(rec.id), 0u);

  UploadRecord later = create(*a_, 3);
  auto no_list = [](const UploadRecord&, const std::string&) {
    return UploadVerdict{UploadVerdict::Kind::kNoChecksum, "register the file list"};
  };
  EXPECT_EQ(a_->append(later.id, 0, "xyz", std::nullopt, no_list).outcome, Outcome::kNoChecksum);
  EXPECT_EQ(b_->get(later.id)->offset, 3);  // kept, for the empty PATCH after the registration
  AppendResult done = b_->append(later.id, 3, "", std::nullopt, expect("xyz"));
  EXPECT_EQ(done.outcome, Outcome::kAccepted) << done.message;
  EXPECT_EQ(stored(), "xyz");
}

TEST_F(SharedTusUploadsTest, APartChangedAfterItsAcknowledgementIsNeverStored) {
  UploadRecord rec = create(*a_, 8);
  EXPECT_EQ(a_->append(rec.id, 0, "good", std::nullopt, expect("goodbyes")).outcome, Outcome::kAccepted);
  std::vector<BlobInfo> parts;
  ASSERT_TRUE(parts_->list(rec.id, &parts).is_ok());
  ASSERT_EQ(parts.size(), 1u);
  fs::path staged = parts_->staging_dir() / "evil";
  { std::ofstream(staged) << "bad!"; }
  ASSERT_TRUE(parts_->put(rec.id, parts[0].path, staged).is_ok());  // same size, other bytes
  EXPECT_THROW(b_->append(rec.id, 4, "byes", std::nullopt, expect("goodbyes")), UploadStorageError);
  EXPECT_EQ(stored(), "<missing>");
}

}  // namespace
}  // namespace openem
