// The DataCite outbox against a real catalog store and a transport that fails on demand: a
// change waits while DataCite is down, is retried with backoff and sent once; a refused one
// fails with the error; a newer change supersedes a waiting one; a crashed delivery is taken
// over when its lease ends; nothing is sent while DataCite is not configured; and the record's
// `registration` tells all of it.
#include "publish/datacite/outbox.h"

#include <gtest/gtest.h>

#include <deque>

#include "blob/test_util.h"
#include "publish/datacite/client.h"

namespace openem::datacite {
namespace {
namespace json = boost::json;

class FakeTransport : public Transport {
 public:
  DeliveryResult send(const json::object& row) override {
    sent.push_back(row);
    if (answers.empty()) return {DeliveryResult::Kind::Done, ""};
    auto r = answers.front();
    answers.pop_front();
    return r;
  }
  std::deque<DeliveryResult> answers;
  std::vector<json::object> sent;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(dir_.path() / "catalog.db");
    endpoints_.rest_dois = "http://datacite.invalid/dois";
    endpoints_.retry_seconds = 10;
    endpoints_.timeout_seconds = 5;
    store_->insert(schemas::published_data(), record_);
  }
  std::string queue(const std::string& what, Millis at) {
    std::string id;
    store_->transaction([&] {
      json::object r = *store_->get(schemas::published_data(), "10.5072/a");
      OutboxChange c;
      c.change = what;
      c.rest_document = {{"data", json::object{{"attributes", json::object{{"event", "publish"}, {"titles", what}}}}}};
      id = queue_change(*store_, r, c, endpoints_, at);
      store_->replace(schemas::published_data(), r);
    });
    return id;
  }
  json::object registration() { return store_->get(schemas::published_data(), "10.5072/a")->at("registration").as_object(); }
  json::object row(const std::string& id) { return *store_->get(schemas::datacite_outbox(), id); }

  testing::TempDir dir_;
  std::unique_ptr<CatalogStore> store_;
  Endpoints endpoints_;
  json::object record_{{"doi", "10.5072/a"}, {"status", "registered"}};
  const Millis t0_ = *parse_iso("2026-06-01T12:00:00Z");
};

TEST_F(OutboxTest, AnOutageIsRetriedWithBackoffAndTheChangeIsSentOnce) {
  FakeTransport t;
  t.answers = {{DeliveryResult::Kind::Retry, "HTTP 503"}, {DeliveryResult::Kind::Retry, "timeout"}};
  std::string id = queue("register", t0_);
  EXPECT_EQ(registration().at("state"), "pending");
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_), 1);
  EXPECT_EQ(registration().at("state"), "pending");
  EXPECT_EQ(registration().at("lastError"), "HTTP 503");
  EXPECT_EQ(registration().at("attempts"), 1);
  // Not due before its backoff (10 s after the first failure, 20 s after the second).
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_ + 9'000), 0);
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_ + 10'000), 1);
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_ + 29'000), 0);
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_ + 30'000), 1);
  EXPECT_EQ(registration().at("state"), "done");
  EXPECT_EQ(registration().at("attempts"), 3);
  EXPECT_TRUE(registration().at("lastError").is_null());
  // Done is never sent again.
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_ + 10'000'000), 0);
  EXPECT_EQ(deliver_row(*store_, t, endpoints_, id, t0_ + 10'000'000, true), std::nullopt);
  EXPECT_EQ(t.sent.size(), 3u);
}

TEST_F(OutboxTest, ARefusalFailsAtOnceWithDataCitesError) {
  FakeTransport t;
  t.answers = {{DeliveryResult::Kind::Failed, "PUT x: DataCite answered 422: bad"}};
  std::string id = queue("register", t0_);
  auto r = deliver_row(*store_, t, endpoints_, id, t0_, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, DeliveryResult::Kind::Failed);
  EXPECT_EQ(registration().at("state"), "failed");
  EXPECT_EQ(registration().at("lastError"), "PUT x: DataCite answered 422: bad");
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_ + 100'000'000), 0);
}

TEST_F(OutboxTest, ANewerChangeSupersedesAWaitingOneAndOnlyItIsSent) {
  FakeTransport t;
  std::string first = queue("register", t0_);
  std::string second = queue("update", t0_ + 1);
  EXPECT_EQ(row(first).at("state"), "superseded");
  EXPECT_EQ(registration().at("outboxId"), json::value(second));
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_ + 2), 1);
  ASSERT_EQ(t.sent.size(), 1u);
  EXPECT_EQ(t.sent[0].at("change"), "update");
}

TEST_F(OutboxTest, ADeliveryCutShortByACrashIsTakenOverWhenItsLeaseEnds) {
  FakeTransport t;
  std::string id = queue("register", t0_);
  // A process claimed the row and died before it recorded anything.
  json::object claimed = row(id);
  claimed["state"] = "sending";
  claimed["attempts"] = 1;
  claimed["nextAttemptAt"] = iso_utc(t0_ + 40'000);
  store_->replace(schemas::datacite_outbox(), claimed);
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_ + 39'000), 0);
  EXPECT_EQ(deliver_due(*store_, t, endpoints_, t0_ + 40'000), 1);
  EXPECT_EQ(row(id).at("state"), "done");
  EXPECT_EQ(row(id).at("attempts"), 2);
}

TEST_F(OutboxTest, WithoutDataCiteConfiguredChangesWaitAndSayWhy) {
  FakeTransport t;
  Endpoints none;
  store_->transaction([&] {
    json::object r = *store_->get(schemas::published_data(), "10.5072/a");
    queue_change(*store_, r, OutboxChange{"register", Protocol::Mds, {}, "<x/>", "https://l"}, none, t0_);
    store_->replace(schemas::published_data(), r);
  });
  EXPECT_TRUE(registration().contains("waitingFor"));
  EXPECT_EQ(deliver_due(*store_, t, none, t0_ + 1'000'000), 0);
  EXPECT_TRUE(t.sent.empty());
}

TEST(DataCiteClassifyTest, OnlyAnswersThatARetryCannotChangeFail) {
  EXPECT_EQ(classify(201, "OK", "PUT").kind, DeliveryResult::Kind::Done);
  EXPECT_EQ(classify(500, "", "PUT").kind, DeliveryResult::Kind::Retry);
  EXPECT_EQ(classify(429, "", "PUT").kind, DeliveryResult::Kind::Retry);
  EXPECT_EQ(classify(408, "", "PUT").kind, DeliveryResult::Kind::Retry);
  auto refused = classify(422, "{\"errors\":[{\"title\":\"bad\"}]}\n", "PUT u");
  EXPECT_EQ(refused.kind, DeliveryResult::Kind::Failed);
  EXPECT_EQ(refused.error, "PUT u: DataCite answered 422: {\"errors\":[{\"title\":\"bad\"}]} ");
  EXPECT_EQ(backoff_after(1, 30), 30'000);
  EXPECT_EQ(backoff_after(3, 30), 120'000);
  EXPECT_EQ(backoff_after(40, 30), 6LL * 3600 * 1000);
}

TEST(DataCiteEndpointsTest, SciCatSettingsNameTheEndpoints) {
  Config c;
  c.register_doi_uri = "https://api.test.datacite.org";
  c.register_metadata_uri = "https://mds.test.datacite.org/metadata/";
  Endpoints e = endpoints_from(c);
  EXPECT_EQ(e.rest_dois, "https://api.test.datacite.org/dois");
  EXPECT_EQ(e.mds_metadata, "https://mds.test.datacite.org/metadata");
  EXPECT_EQ(e.mds_doi, "https://mds.test.datacite.org/doi");
  c.register_doi_uri = "https://api.test.datacite.org/dois/";
  EXPECT_EQ(endpoints_from(c).rest_dois, "https://api.test.datacite.org/dois");
}

}  // namespace
}  // namespace openem::datacite
