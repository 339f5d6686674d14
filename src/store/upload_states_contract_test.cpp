// Shared tus upload states (store/upload_states.h), the same on every store: a record round
// trips with its parts; of two writers that read one version exactly one wins, also when they
// are two processes (two store handles) racing in threads; receiving and expired uploads are
// found; a removed upload is gone for every writer.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "store/testing/store_test_fixture.h"
#include "store/upload_states.h"

namespace openem {
namespace {
using testing::Backend;

class UploadStatesContractTest : public testing::StoreOnEachBackend {
 protected:
  static UploadState upload(const std::string& id, std::int64_t expires = 2000) {
    UploadState s;
    s.id = id;
    s.dataset_id = "p/1";
    s.path = "raw/movie 001.tif";
    s.filename = "movie 001.tif";
    s.owner = "user-1";
    s.metadata = "filename bW92aWU=,awaitFileList";
    s.length = 100;
    s.expires = expires;
    return s;
  }
};

TEST_P(UploadStatesContractTest, RoundTripsWithItsParts) {
  UploadState s = upload("u1");
  upload_states::insert(*store_, s);
  EXPECT_EQ(s.version, 1);
  auto got = upload_states::get(*store_, "u1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->path, "raw/movie 001.tif");
  EXPECT_EQ(got->metadata, s.metadata);
  EXPECT_EQ(got->owner, "user-1");
  EXPECT_EQ(got->length, 100);
  EXPECT_EQ(got->offset, 0);
  EXPECT_EQ(got->state, "receiving");
  EXPECT_EQ(got->version, 1);

  got->parts.push_back({0, 60, "0-a", std::string(64, 'a')});
  got->parts.push_back({60, 40, "60-b", std::string(64, 'b')});
  got->offset = 100;
  got->sha256 = std::string(64, 'c');
  ASSERT_TRUE(upload_states::compare_and_set(*store_, *got));
  EXPECT_EQ(got->version, 2);
  auto again = upload_states::get(*store_, "u1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->parts, got->parts);
  EXPECT_EQ(again->offset, 100);
  EXPECT_EQ(again->sha256, got->sha256);
  EXPECT_EQ(again->version, 2);
  EXPECT_FALSE(upload_states::get(*store_, "unknown"));
}

TEST_P(UploadStatesContractTest, OfTwoWritersOfOneVersionOneWins) {
  UploadState s = upload("u1");
  upload_states::insert(*store_, s);
  auto other = catalog_->open();  // another process
  UploadState a = *upload_states::get(*store_, "u1"), b = *upload_states::get(*other, "u1");
  a.offset = b.offset = 50;
  a.parts = {{0, 50, "0-a", ""}};
  b.parts = {{0, 50, "0-b", ""}};
  EXPECT_TRUE(upload_states::compare_and_set(*store_, a));
  EXPECT_FALSE(upload_states::compare_and_set(*other, b));
  EXPECT_EQ(b.version, 1);  // unchanged: the loser re-reads
  EXPECT_EQ(upload_states::get(*other, "u1")->parts[0].name, "0-a");
}

TEST_P(UploadStatesContractTest, RacingProcessesAckEachOffsetOnce) {
  UploadState s = upload("race");
  s.length = 1000;
  upload_states::insert(*store_, s);
  auto other = catalog_->open();
  std::atomic<int> wins{0};
  auto writer = [&](CatalogStore* store, const std::string& tag) {
    // Each "PATCH" reads the state and tries to append 10 bytes at the offset it read.
    for (int i = 0; i < 40; ++i) {
      UploadState cur = *upload_states::get(*store, "race");
      if (cur.offset >= cur.length) return;
      cur.parts.push_back({cur.offset, 10, tag + std::to_string(i), ""});
      cur.offset += 10;
      if (upload_states::compare_and_set(*store, cur)) ++wins;
    }
  };
  std::thread t1(writer, store_.get(), "a"), t2(writer, other.get(), "b");
  t1.join();
  t2.join();
  UploadState end = *upload_states::get(*store_, "race");
  EXPECT_EQ(end.offset, 10 * wins.load());
  ASSERT_EQ(static_cast<int>(end.parts.size()), wins.load());
  for (std::size_t i = 0; i < end.parts.size(); ++i) EXPECT_EQ(end.parts[i].offset, static_cast<std::int64_t>(10 * i));
  EXPECT_EQ(end.version, 1 + wins.load());
}

TEST_P(UploadStatesContractTest, ReceivingExpiredAndRemoved) {
  UploadState a = upload("a", 1000), b = upload("b", 3000), c = upload("c", 500);
  c.state = "stored";
  for (UploadState* s : {&a, &b, &c}) upload_states::insert(*store_, *s);
  std::vector<std::string> ids;
  for (const auto& s : upload_states::receiving(*store_)) ids.push_back(s.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));
  ids.clear();
  for (const auto& s : upload_states::expired(*store_, 2000, 10)) ids.push_back(s.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(upload_states::expired(*store_, 2000, 1).size(), 1u);

  EXPECT_TRUE(upload_states::remove(*store_, "a"));
  EXPECT_FALSE(upload_states::remove(*store_, "a"));
  EXPECT_FALSE(upload_states::compare_and_set(*store_, a));  // gone for every writer
  EXPECT_FALSE(upload_states::get(*store_, "a"));
}

OPENEM_ON_EACH_BACKEND(UploadStatesContractTest);

}  // namespace
}  // namespace openem
