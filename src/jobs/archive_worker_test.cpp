// The archive worker against a real catalog store, blob store and directory tiers: exclusive
// claims under concurrency, the archive → purge → retrieve round trip, a damaged copy
// replaced by the second one, leases of dead workers, missing files.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "blob/hasher.h"
#include "blob/test_util.h"
#include "core/time.h"
#include "blob/dataset_tar.h"
#include "jobs/archive_worker.h"
#include "jobs/bag_reader.h"

namespace openem {
namespace {
namespace json = boost::json;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

std::string sha(const std::string& s) { return Hasher::hex(Hasher::digest("sha256", s)); }
std::string text(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : json::serialize(v); }

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(dir_.path() / "catalog.db");
    ASSERT_TRUE(open_fs_blob_store(dir_.path() / "blobs", &blobs_).is_ok());
    config_.data_dir = dir_.path();
    config_.archive_purge = "always";
  }

  std::unique_ptr<ArchiveWorker> worker(const std::string& id = "w1") {
    ArchiveWorkerOptions o;
    o.worker_id = id;
    o.lease = std::chrono::seconds(60);
    o.purge = config_.archive_purge;
    o.retrieve_dir = dir_.path() / "retrieve";
    return std::make_unique<ArchiveWorker>(*store_, *blobs_, open_default_archive_tiers(dir_.path() / "archive"),
                                           default_job_config(), config_, o);
  }

  void dataset(const std::string& pid, const std::map<std::string, std::string>& files, bool upload = true) {
    json::object lc{{"archivable", true}, {"retrievable", false}, {"archiveStatusMessage", "datasetCreated"}};
    store_->insert(schemas::datasets(), {{"pid", pid}, {"_id", pid}, {"ownerGroup", "g1"}, {"accessGroups", json::array()},
                                         {"isPublished", false}, {"createdAt", now_iso()}, {"datasetlifecycle", lc}});
    json::array list;
    for (const auto& [path, content] : files) {
      list.emplace_back(json::object{{"path", path}, {"size", content.size()}, {"time", now_iso()}, {"chk", sha(content)}});
      if (!upload) continue;
      auto staged = blobs_->staging_dir() / "s";
      write_file(staged, content);
      ASSERT_TRUE(blobs_->put(pid, path, staged).is_ok());
    }
    store_->insert(schemas::origdatablocks(), {{"_id", pid + "-odb"}, {"datasetId", pid}, {"ownerGroup", "g1"},
                                               {"chkAlg", "sha256"}, {"dataFileList", list}});
  }

  std::string job(const std::string& type, const std::vector<std::string>& pids, json::object params = {},
                  const std::string& status = "jobSubmitted") {
    static int n = 0;
    std::string id = "job-" + std::to_string(++n);
    json::array list;
    for (const auto& p : pids) list.emplace_back(json::object{{"pid", p}, {"files", json::array()}});
    if (!params.contains("datasetList")) params["datasetList"] = std::move(list);
    store_->insert(schemas::jobs(), {{"id", id}, {"_id", id}, {"type", type}, {"statusCode", status},
                                     {"ownerGroup", "g1"}, {"jobParams", params}, {"createdAt", now_iso()}});
    return id;
  }

  json::object get(const CollectionSchema& s, const std::string& id) {
    auto d = store_->get(s, id);
    EXPECT_TRUE(d.has_value()) << id;
    return d ? *d : json::object();
  }
  json::object lifecycle(const std::string& pid) { return get(schemas::datasets(), pid)["datasetlifecycle"].as_object(); }
  std::vector<json::object> datablocks(const std::string& pid) {
    QueryPlan plan;
    plan.conditions.push_back(field_is(schemas::datablocks(), "datasetId", pid));
    return store_->find(schemas::datablocks(), plan);
  }
  std::string blob(const std::string& pid, const std::string& path) {
    std::unique_ptr<BlobReader> r;
    if (!blobs_->open(pid, path, &r).is_ok()) return "<missing>";
    std::string out;
    r->read(0, 1 << 24, &out);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<CatalogStore> store_;
  std::unique_ptr<BlobStore> blobs_;
  Config config_;
};

TEST_F(WorkerTest, ClaimsAreExclusiveUnderConcurrency) {
  for (int i = 0; i < 40; ++i) job(i % 2 ? "archive" : "retrieve", {"p"});
  job("public", {"p"});  // not the archive worker's business
  std::mutex mu;
  std::multiset<std::string> claimed;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      while (auto j = ArchiveWorker::claim(*store_, "w" + std::to_string(t), std::chrono::seconds(60), 3)) {
        std::lock_guard lock(mu);
        claimed.insert(std::string(j->at("id").as_string()));
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(claimed.size(), 40u);
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), 40u);  // no job twice
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::jobs(), "statusCode", std::string("inProgress")));
  EXPECT_EQ(store_->find_ids(schemas::jobs(), plan).size(), 40u);
}

TEST_F(WorkerTest, ArchivePurgeRetrieveRoundTrip) {
  std::map<std::string, std::string> files{{"raw/m1.tif", std::string(300000, 'a') + "1"}, {"meta.json", "{\"x\":1}"}};
  dataset("PID/rt", files);
  auto w = worker();
  std::string a = job("archive", {"PID/rt"});
  ASSERT_TRUE(w->run_once());
  json::object aj = get(schemas::jobs(), a);
  EXPECT_EQ(aj["statusCode"], "finishedSuccessful");
  EXPECT_EQ(aj["statusMessage"], "Archived 1 of 1 datasets");
  auto blocks = datablocks("PID/rt");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(text(blocks[0]["archiveId"]), "PID_rt/" + a + ".tar");
  EXPECT_EQ(blocks[0]["size"], 300008);
  EXPECT_EQ(blocks[0]["chkAlg"], "sha256");
  EXPECT_EQ(blocks[0]["version"], kBagVersion);
  EXPECT_EQ(blocks[0]["ownerGroup"], "g1");
  EXPECT_GT(blocks[0]["packedSize"].to_number<std::int64_t>(), 300008);
  ASSERT_EQ(blocks[0]["dataFileList"].as_array().size(), 2u);
  EXPECT_EQ(text(blocks[0]["dataFileList"].as_array()[0].at("chk")), sha(files["meta.json"]));
  json::object lc = lifecycle("PID/rt");
  EXPECT_EQ(lc["archiveStatusMessage"], "datasetOnArchiveDisk");
  EXPECT_EQ(lc["archivable"], false);
  EXPECT_EQ(lc["retrievable"], true);
  EXPECT_EQ(lc["isOnCentralDisk"], false);
  EXPECT_EQ(text(lc["storageLocation"]), "dir:" + (dir_.path() / "archive/copy-1").string());
  EXPECT_EQ(blob("PID/rt", "meta.json"), "<missing>");  // purged
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "archive/copy-1/PID_rt" / (a + ".tar")));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "archive/copy-2/PID_rt" / (a + ".tar")));  // low redundancy

  // A retrieve of some files restores only those (the whole bag is still verified).
  json::object some{{"datasetList", json::array{json::object{{"pid", "PID/rt"}, {"files", json::array{"meta.json"}}}}}};
  std::string partial = job("retrieve", {}, some);
  ASSERT_TRUE(w->run_once());
  EXPECT_EQ(get(schemas::jobs(), partial)["statusCode"], "finishedSuccessful");
  EXPECT_EQ(blob("PID/rt", "meta.json"), files["meta.json"]);
  EXPECT_EQ(blob("PID/rt", "raw/m1.tif"), "<missing>");

  std::string r = job("retrieve", {"PID/rt"});
  ASSERT_TRUE(w->run_once());
  json::object rj = get(schemas::jobs(), r);
  EXPECT_EQ(rj["statusCode"], "finishedSuccessful");
  const json::object& result = rj["jobResultObject"].as_object().at("datasets").as_array()[0].as_object();
  EXPECT_EQ(result.at("downloadUrl"), "/api/v3/Datasets/PID%2Frt/download");
  EXPECT_EQ(result.at("copyUsed"), 1);
  EXPECT_EQ(result.at("files"), 2);
  EXPECT_EQ(result.at("fileUrls").as_array()[0], "/api/v3/Datasets/PID%2Frt/files/meta.json");
  for (const auto& [path, content] : files) EXPECT_EQ(blob("PID/rt", path), content) << path;
  EXPECT_EQ(lifecycle("PID/rt")["retrieveStatusMessage"], "datasetRetrieved");
  EXPECT_EQ(lifecycle("PID/rt")["isOnCentralDisk"], true);
  EXPECT_FALSE(w->run_once());  // nothing left
}

TEST_F(WorkerTest, SweepDeletesTheBagsOfDeletedDatasetsOnly) {
  config_.archive_purge = "never";
  dataset("PID/kept", {{"a.txt", "kept"}});
  dataset("PID/gone", {{"b.txt", "gone"}});
  auto w = worker();
  std::string a = job("archive", {"PID/kept", "PID/gone"}, {{"tapeCopies", "two"}});
  ASSERT_TRUE(w->run_once());
  ASSERT_EQ(get(schemas::jobs(), a)["statusCode"], "finishedSuccessful");
  auto kept_bag = dir_.path() / "archive/copy-1/PID_kept" / (a + ".tar");
  auto gone_bags = {dir_.path() / "archive/copy-1/PID_gone" / (a + ".tar"), dir_.path() / "archive/copy-2/PID_gone" / (a + ".tar")};
  for (const auto& bag : gone_bags) ASSERT_TRUE(std::filesystem::exists(bag)) << bag;
  // A datablock of another archive system (not an openem bag) is never touched.
  store_->insert(schemas::datablocks(), {{"_id", "foreign"}, {"datasetId", "PID/gone"}, {"archiveId", "tape:123"},
                                         {"ownerGroup", "g1"}, {"version", "other-1"}});
  EXPECT_EQ(w->sweep_deleted_archives(), 0);  // both datasets exist

  // What the DELETE route does (api/dataset_deletion.cpp): the dataset goes, its copies are released.
  store_->remove(schemas::datasets(), "PID/gone");
  for (const auto& b : datablocks("PID/gone"))
    if (b.at("version") == kBagVersion) store_->remove(schemas::datablocks(), text(b.at("_id")));
  archive_ledger::release_dataset(*store_, "PID/gone");
  EXPECT_EQ(w->sweep_deleted_archives(), 1);
  for (const auto& bag : gone_bags) EXPECT_FALSE(std::filesystem::exists(bag)) << bag;
  EXPECT_TRUE(std::filesystem::exists(kept_bag));
  auto left = datablocks("PID/gone");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["_id"], "foreign");
  EXPECT_EQ(datablocks("PID/kept").size(), 1u);
  EXPECT_EQ(w->sweep_deleted_archives(), 0);  // nothing left to do
}

TEST_F(WorkerTest, DamagedCopyIsReportedAndTheSecondCopyUsed) {
  std::map<std::string, std::string> files{{"f.bin", std::string(5000, 'z')}};
  dataset("PID/two", files);
  auto w = worker();
  std::string a = job("archive", {"PID/two"}, {{"tapeCopies", "two"}});
  ASSERT_TRUE(w->run_once());
  ASSERT_EQ(get(schemas::jobs(), a)["statusCode"], "finishedSuccessful");
  auto flip = [&](int copy) {
    auto path = dir_.path() / ("archive/copy-" + std::to_string(copy)) / "PID_two" / (a + ".tar");
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5 * 512 + 100);  // inside f.bin's data (after bagit.txt, bag-info.txt and their headers)
    f.put('y');
  };
  flip(1);
  std::string r = job("retrieve", {"PID/two"});
  ASSERT_TRUE(w->run_once());
  json::object rj = get(schemas::jobs(), r);
  EXPECT_EQ(rj["statusCode"], "finishedSuccessful");
  const json::object& result = rj["jobResultObject"].as_object().at("datasets").as_array()[0].as_object();
  EXPECT_EQ(result.at("copyUsed"), 2);
  ASSERT_EQ(result.at("corruptCopies").as_array().size(), 1u);
  EXPECT_EQ(result.at("corruptCopies").as_array()[0].at("copy"), 1);
  EXPECT_EQ(result.at("corruptCopies").as_array()[0].at("error"), "data/f.bin does not match its manifest checksum");
  EXPECT_EQ(blob("PID/two", "f.bin"), files["f.bin"]);

  flip(2);
  std::string r2 = job("retrieve", {"PID/two"});
  ASSERT_TRUE(w->run_once());
  json::object rj2 = get(schemas::jobs(), r2);
  EXPECT_EQ(rj2["statusCode"], "finishedUnsuccessful");
  EXPECT_EQ(lifecycle("PID/two")["retrieveStatusMessage"], "scheduleRetrieveJobFailed");
  const json::object& failed = rj2["jobResultObject"].as_object().at("datasets").as_array()[0].as_object();
  EXPECT_EQ(text(failed.at("error")), "every copy of PID_two/" + a + ".tar failed verification");
  EXPECT_EQ(failed.at("corruptCopies").as_array().size(), 2u);
}

TEST_F(WorkerTest, DeadWorkersJobIsResumedThenGivenUp) {
  dataset("PID/r", {{"a", "1"}});
  std::string id = job("archive", {"PID/r"}, {}, "inProgress");
  json::object j = get(schemas::jobs(), id);
  j["openemWorker"] = json::object{{"worker", "dead"}, {"heartbeat", 0}, {"attempts", 1}};
  store_->replace(schemas::jobs(), j);
  auto claimed = ArchiveWorker::claim(*store_, "w2", std::chrono::seconds(60), 3);
  ASSERT_TRUE(claimed.has_value());
  EXPECT_EQ(text(claimed->at("id")), id);
  EXPECT_EQ(claimed->at("openemWorker").at("attempts"), 2);
  EXPECT_EQ(claimed->at("openemWorker").at("worker"), "w2");
  // A live lease is left alone.
  EXPECT_FALSE(ArchiveWorker::claim(*store_, "w3", std::chrono::seconds(60), 3).has_value());
  j = get(schemas::jobs(), id);
  j["openemWorker"] = json::object{{"worker", "dead"}, {"heartbeat", 0}, {"attempts", 3}};
  store_->replace(schemas::jobs(), j);
  EXPECT_FALSE(ArchiveWorker::claim(*store_, "w3", std::chrono::seconds(60), 3).has_value());
  EXPECT_EQ(get(schemas::jobs(), id)["statusCode"], "finishedUnsuccessful");
  EXPECT_TRUE(datablocks("PID/r").empty());
}

TEST_F(WorkerTest, MissingFilesFailTheDatasetOnly) {
  dataset("PID/ok", {{"a", "1"}});
  dataset("PID/missing", {{"never-uploaded", "x"}}, /*upload=*/false);
  auto w = worker();
  std::string id = job("archive", {"PID/ok", "PID/missing"});
  ASSERT_TRUE(w->run_once());
  json::object j = get(schemas::jobs(), id);
  EXPECT_EQ(j["statusCode"], "finishedWithDatasetErrors");
  EXPECT_EQ(lifecycle("PID/missing")["archiveStatusMessage"], "missingFilesError");
  EXPECT_EQ(lifecycle("PID/missing")["archivable"], true);
  EXPECT_EQ(lifecycle("PID/ok")["archiveStatusMessage"], "datasetOnArchiveDisk");
  EXPECT_TRUE(datablocks("PID/missing").empty());
  EXPECT_EQ(datablocks("PID/ok").size(), 1u);
}

TEST_F(WorkerTest, StopNeverLeavesAJobInProgress) {
  std::vector<std::string> pids;
  for (int i = 0; i < 20; ++i) {
    pids.push_back("PID/stop" + std::to_string(i));
    dataset(pids.back(), {{"f", std::string(200000, static_cast<char>('a' + i))}});
  }
  std::string id = job("archive", pids);
  auto w = worker();
  w->start();
  for (int i = 0; i < 200 && get(schemas::jobs(), id)["statusCode"] == "jobSubmitted"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  w->stop();
  std::string status = text(get(schemas::jobs(), id)["statusCode"]);
  EXPECT_TRUE(status == "jobSubmitted" || status == "finishedSuccessful") << status;
  // Whatever was interrupted is finished by the next worker, each dataset exactly once.
  auto next = worker("w2");
  while (next->run_once()) {
  }
  EXPECT_EQ(get(schemas::jobs(), id)["statusCode"], "finishedSuccessful");
  for (const auto& pid : pids) EXPECT_EQ(datablocks(pid).size(), 1u) << pid;
}

TEST_F(WorkerTest, AutoArchivePolicyCreatesJobs) {
  dataset("PID/auto", {{"a", "1"}});
  store_->insert(schemas::policies(), {{"_id", "pol"}, {"ownerGroup", "g1"}, {"autoArchive", true}, {"autoArchiveDelay", 0}});
  auto w = worker();
  EXPECT_EQ(w->schedule_auto_archive(), 1);
  EXPECT_EQ(w->schedule_auto_archive(), 0);  // the dataset is scheduled now
  EXPECT_EQ(lifecycle("PID/auto")["archiveStatusMessage"], "scheduledForArchiving");
  ASSERT_TRUE(w->run_once());
  EXPECT_EQ(lifecycle("PID/auto")["archiveStatusMessage"], "datasetOnArchiveDisk");
}

// Issue #20, items 1 and 2: a dataset owner edited the datablock the worker wrote for his own
// dataset to name another group's bag. Retrieve must not copy that bag into his dataset, and
// deleting his dataset must not delete it.
class RepointedDatablockTest : public WorkerTest {
 protected:
  void SetUp() override {
    WorkerTest::SetUp();
    config_.archive_purge = "never";
    dataset("PID/victim", {{"secret.txt", "the victim's data"}});
    dataset("PID/attacker", {{"own.txt", "mine"}});
    w_ = worker();
    victim_job_ = job("archive", {"PID/victim"});
    ASSERT_TRUE(w_->run_once());
    attacker_job_ = job("archive", {"PID/attacker"});
    ASSERT_TRUE(w_->run_once());
    victim_key_ = "PID_victim/" + victim_job_ + ".tar";
    ASSERT_TRUE(std::filesystem::exists(bag(victim_key_)));
    auto blocks = datablocks("PID/attacker");
    ASSERT_EQ(blocks.size(), 1u);
    json::object b = blocks[0];
    b["archiveId"] = victim_key_;
    b["dataFileList"] = json::array();
    ASSERT_TRUE(store_->replace(schemas::datablocks(), b));
  }
  std::filesystem::path bag(const std::string& key) { return dir_.path() / "archive/copy-1" / key; }

  std::unique_ptr<ArchiveWorker> w_;
  std::string victim_job_, attacker_job_, victim_key_;
};

TEST_F(RepointedDatablockTest, RetrieveDoesNotCopyAnotherDatasetsBag) {
  ASSERT_TRUE(blobs_->remove("PID/attacker", "own.txt").is_ok());
  std::string r = job("retrieve", {"PID/attacker"});
  ASSERT_TRUE(w_->run_once());
  json::object rj = get(schemas::jobs(), r);
  EXPECT_EQ(rj["statusCode"], "finishedUnsuccessful");
  EXPECT_EQ(blob("PID/attacker", "secret.txt"), "<missing>");
  std::vector<BlobInfo> files;
  ASSERT_TRUE(blobs_->list("PID/attacker", &files).is_ok());
  EXPECT_TRUE(files.empty());
  const json::object& result = rj["jobResultObject"].as_object().at("datasets").as_array()[0].as_object();
  EXPECT_EQ(text(result.at("error")), "dataset PID/attacker has no archived copy made by openem");
  // The victim still retrieves its own bag.
  std::string v = job("retrieve", {"PID/victim"});
  ASSERT_TRUE(w_->run_once());
  EXPECT_EQ(get(schemas::jobs(), v)["statusCode"], "finishedSuccessful");
}

TEST_F(RepointedDatablockTest, DeletingTheAttackersDatasetKeepsTheVictimsBag) {
  store_->remove(schemas::datasets(), "PID/attacker");
  archive_ledger::release_dataset(*store_, "PID/attacker");
  EXPECT_EQ(w_->sweep_deleted_archives(), 1);  // the attacker's own bag
  EXPECT_TRUE(std::filesystem::exists(bag(victim_key_)));
  EXPECT_FALSE(std::filesystem::exists(bag("PID_attacker/" + attacker_job_ + ".tar")));
  ASSERT_TRUE(blobs_->remove("PID/victim", "secret.txt").is_ok());
  std::string v = job("retrieve", {"PID/victim"});
  ASSERT_TRUE(w_->run_once());
  EXPECT_EQ(get(schemas::jobs(), v)["statusCode"], "finishedSuccessful");
  EXPECT_EQ(blob("PID/victim", "secret.txt"), "the victim's data");
}

// Issue #20, item 3: a dataset deleted and created again under the same pid (by a privileged
// creator, for another group) never reaches the old dataset's archived copy.
TEST_F(WorkerTest, ADatasetCreatedAgainUnderTheSamePidDoesNotReachTheOldBag) {
  config_.archive_purge = "always";
  dataset("PID/again", {{"old.txt", "the old group's data"}});
  auto w = worker();
  std::string a = job("archive", {"PID/again"});
  ASSERT_TRUE(w->run_once());
  json::object old_block = datablocks("PID/again").at(0);
  store_->remove(schemas::datasets(), "PID/again");  // what the DELETE route does
  store_->remove(schemas::origdatablocks(), "PID/again-odb");
  store_->remove(schemas::datablocks(), text(old_block["_id"]));
  archive_ledger::release_dataset(*store_, "PID/again");
  dataset("PID/again", {}, false);  // a new dataset, another group's
  // Even a datablock written by hand exactly like the old one does not lead to the old bag.
  old_block["_id"] = "copied";
  old_block["ownerGroup"] = "g2";
  store_->insert(schemas::datablocks(), old_block);
  std::string r = job("retrieve", {"PID/again"});
  ASSERT_TRUE(w->run_once());
  EXPECT_EQ(get(schemas::jobs(), r)["statusCode"], "finishedUnsuccessful");
  EXPECT_EQ(blob("PID/again", "old.txt"), "<missing>");
}

// A dataset deleted while its archive job runs: the bags become deletable, nothing is
// registered, and a dataset created again under the pid does not get them.
TEST_F(WorkerTest, ABagWrittenForADeletedDatasetIsNeverRegistered) {
  dataset("PID/racing", {{"a.txt", "first"}});
  std::string a = job("archive", {"PID/racing"});
  std::string key = archive_ledger::bag_key("PID/racing", a);
  ASSERT_TRUE(archive_ledger::begin(*store_, key, "PID/racing", a));
  archive_ledger::release_dataset(*store_, "PID/racing");  // the delete, between begin and the end
  EXPECT_FALSE(archive_ledger::make_live(*store_, key, "block", "digest"));
  EXPECT_FALSE(archive_ledger::begin(*store_, key, "PID/racing", a));  // a resumed attempt neither
  EXPECT_EQ(archive_ledger::find(*store_, key)->state, archive_ledger::kDatasetDeleted);
}

TEST_F(WorkerTest, BagsRecordTheirDataset) {
  config_.archive_purge = "never";
  dataset("PID/with\nnewline", {{"a.txt", "x"}});
  auto w = worker();
  std::string a = job("archive", {"PID/with\nnewline"});
  ASSERT_TRUE(w->run_once());
  ASSERT_EQ(get(schemas::jobs(), a)["statusCode"], "finishedSuccessful");
  std::unique_ptr<ArchiveTier> tier;
  ASSERT_TRUE(open_directory_archive_tier(dir_.path() / "archive/copy-1", &tier).is_ok());
  std::unique_ptr<BlobReader> r;
  std::string key = archive_ledger::bag_key("PID/with\nnewline", a);
  ASSERT_TRUE(tier->open(key, &r).is_ok());
  BagCheck check = read_bag(*r, {});
  ASSERT_TRUE(check.ok) << check.message;
  EXPECT_EQ(check.top, tar_top_name("PID/with\nnewline"));
  EXPECT_EQ(check.bag_info["External-Identifier"], "PID/with%0Anewline");  // one line, not two
  EXPECT_EQ(check.bag_info["Internal-Sender-Identifier"], key);
  EXPECT_EQ(check.bag_info.count("newline"), 0u);
  auto copy = archive_ledger::find(*store_, key);
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(copy->state, archive_ledger::kLive);
  EXPECT_EQ(copy->pid, "PID/with\nnewline");
  EXPECT_EQ(copy->manifest_sha256, check.manifest_sha256);
  EXPECT_EQ(copy->datablock_id, text(datablocks("PID/with\nnewline").at(0).at("_id")));
}

// Catalogs archived before the ledger: each openem datablock whose key is its own dataset's
// gets a record once; one re-pointed at another dataset's key gets none, so the sweep leaves
// the other dataset's bag alone.
TEST_F(WorkerTest, EarlierBagsAreRecordedOnceAndRepointedOnesIgnored) {
  config_.archive_purge = "never";
  dataset("PID/v", {{"a.txt", "victim"}});
  dataset("PID/x", {{"b.txt", "attacker"}});
  auto w = worker();
  std::string a = job("archive", {"PID/v", "PID/x"});
  ASSERT_TRUE(w->run_once());
  // Back to the state of an older catalog: no records, and the attacker's datablock re-pointed.
  for (const std::string pid : {"PID/v", "PID/x"}) store_->remove(schemas::archive_copies(), archive_ledger::bag_key(pid, a));
  json::object xb = datablocks("PID/x").at(0);
  xb["archiveId"] = archive_ledger::bag_key("PID/v", a);
  store_->replace(schemas::datablocks(), xb);
  store_->remove(schemas::datasets(), "PID/x");  // deleted by the old code: its datablock stayed
  EXPECT_EQ(archive_ledger::record_earlier_bags(*store_, kBagVersion), 1);
  EXPECT_EQ(archive_ledger::record_earlier_bags(*store_, kBagVersion), 0);  // once
  EXPECT_EQ(archive_ledger::find(*store_, archive_ledger::bag_key("PID/v", a))->pid, "PID/v");
  EXPECT_EQ(w->sweep_deleted_archives(), 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "archive/copy-1" / archive_ledger::bag_key("PID/v", a)));
}

}  // namespace
}  // namespace openem
