// Webhook delivery (webhooks.h) against a sender that records and fails on demand, on both
// stores: the order of events, the retry of the same event after a backoff, the cursor moving
// past events the webhook may not see, and two processes sharing one catalog that post each
// event exactly once.
#include "api/events/webhooks.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "api/events/webhook_signature.h"
#include "blob/blob_store.h"
#include "core/json_fields.h"
#include "store/testing/store_test_fixture.h"

namespace openem {
namespace {
namespace json = boost::json;

class RecordingSender final : public WebhookSender {
 public:
  WebhookReply post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body) override {
    std::lock_guard lock(mu);
    std::string id, timestamp, signature;
    for (const auto& [name, value] : headers) {
      if (name == "webhook-id") id = value;
      if (name == "webhook-timestamp") timestamp = value;
      if (name == "webhook-signature") signature = value;
    }
    ids.push_back(id);
    signed_ok = signed_ok && signature == webhook_signature(secret, id, std::stoll(timestamp), body);
    if (fail_next > 0) {
      --fail_next;
      return {500, "the receiver answered 500"};
    }
    json::object event = json::parse(body).as_object();
    accepted.push_back(json_string(event, "operation") + " " + json_string(event, "documentId"));
    return {204, ""};
  }
  std::mutex mu;
  std::string secret;
  int fail_next = 0;
  bool signed_ok = true;
  std::vector<std::string> ids, accepted;
};

class WebhookDeliveryTest : public testing::StoreOnEachBackend {
 protected:
  void SetUp() override {
    StoreOnEachBackend::SetUp();
    dir_ = std::filesystem::temp_directory_path() / ("openem-webhooks-" + std::to_string(::getpid()));
    store_.reset();
    app_ = make_app();
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
    StoreOnEachBackend::TearDown();
  }
  std::unique_ptr<App> make_app() {
    Config c;
    c.admin_groups = GroupList::parse("admin");
    c.jwt_secret = "webhook-test-secret";
    std::unique_ptr<BlobStore> blobs;
    EXPECT_TRUE(open_fs_blob_store(dir_ / "blobs", &blobs).is_ok());
    return std::make_unique<App>(c, catalog_->open(), std::move(blobs));
  }
  std::string add_webhook(json::object body) {
    body["url"] = "http://127.0.0.1:9/hook";
    json::object hook = new_webhook(body, "admin", app_->store().latest_history_seq(), now_millis());
    sender_.secret = json_string(hook, "secret");
    app_->store().insert(schemas::webhooks(), hook);
    return json_string(hook, "id");
  }
  void dataset(const std::string& pid, const std::string& group) {
    app_->store().insert(schemas::datasets(), json::object{{"pid", pid}, {"ownerGroup", group}});
  }
  json::object hook(const std::string& id) { return *app_->store().get(schemas::webhooks(), id); }
  void make_due(const std::string& id) {
    json::object h = hook(id);
    h["nextAttemptAt"] = iso_utc(now_millis() - 1);
    app_->store().replace(schemas::webhooks(), h);
  }
  int deliver(App& app) { return deliver_webhooks(app, sender_, ids_, options_); }

  std::filesystem::path dir_;
  std::unique_ptr<App> app_;
  RecordingSender sender_;
  EventIds ids_{"webhook-test-secret"};
  WebhookDeliveryOptions options_;
};

TEST_P(WebhookDeliveryTest, EventsGoOutInOrderSignedAndAFailureRetriesTheSameEventAfterABackoff) {
  dataset("before-registration", "g1");
  const std::string id = add_webhook({});
  dataset("a", "g1");
  dataset("b", "g2");
  sender_.fail_next = 2;
  EXPECT_EQ(deliver(*app_), 1);  // a fails
  json::object h = hook(id);
  EXPECT_EQ(h["attempts"].as_int64(), 1);
  EXPECT_EQ(json_string(h, "lastError"), "the receiver answered 500");
  const auto due = *parse_iso(json_string(h, "nextAttemptAt"));
  EXPECT_NEAR(static_cast<double>(due - now_millis()), 10'000, 1'500);  // the first backoff: retry_seconds
  EXPECT_EQ(deliver(*app_), 0);  // not due yet
  make_due(id);
  EXPECT_EQ(deliver(*app_), 1);  // a fails again
  EXPECT_NEAR(static_cast<double>(*parse_iso(json_string(hook(id), "nextAttemptAt")) - now_millis()), 20'000, 1'500);
  make_due(id);
  EXPECT_EQ(deliver(*app_), 2);  // a, then b
  EXPECT_EQ(sender_.accepted, (std::vector<std::string>{"insert a", "insert b"}));
  ASSERT_EQ(sender_.ids.size(), 4u);
  EXPECT_EQ(sender_.ids[0], sender_.ids[1]);
  EXPECT_EQ(sender_.ids[1], sender_.ids[2]);
  EXPECT_NE(sender_.ids[2], sender_.ids[3]);
  EXPECT_TRUE(sender_.signed_ok);
  EXPECT_EQ(hook(id)["attempts"].as_int64(), 0);
  EXPECT_EQ(deliver(*app_), 0);  // nothing new: no post, no write
  // The delivery log: newest first, each attempt.
  QueryPlan plan;
  plan.conditions = {field_is(schemas::webhook_deliveries(), "webhookId", id)};
  EXPECT_EQ(app_->store().find(schemas::webhook_deliveries(), plan).size(), 4u);
}

TEST_P(WebhookDeliveryTest, AWebhookWithAccessGroupsSeesWhatTheyMayReadAndMovesPastTheRest) {
  const std::string id = add_webhook({{"accessGroups", json::array{"g1"}}});
  dataset("mine", "g1");
  for (int i = 0; i < 5; ++i) dataset("theirs-" + std::to_string(i), "g2");
  EXPECT_EQ(deliver(*app_), 1);
  EXPECT_EQ(sender_.accepted, (std::vector<std::string>{"insert mine"}));
  EXPECT_EQ(hook(id)["cursor"].as_int64(), app_->store().latest_history_seq());
  EXPECT_EQ(deliver(*app_), 0);
}

TEST_P(WebhookDeliveryTest, TwoProcessesPostEachEventOnce) {
  add_webhook({});
  auto other = make_app();
  for (int i = 0; i < 40; ++i) dataset("d" + std::to_string(i), "g1");
  options_.events_per_turn = 5;
  auto run = [&](App& app) {
    for (int round = 0; round < 40; ++round) deliver(app);
  };
  std::thread a([&] { run(*app_); });
  std::thread b([&] { run(*other); });
  a.join();
  b.join();
  while (deliver(*app_) > 0) {
  }
  ASSERT_EQ(sender_.accepted.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(sender_.accepted[i], "insert d" + std::to_string(i));
}

TEST(WebhookSignatureTest, StandardWebhooksReferenceVector) {
  // The example of the Standard Webhooks specification's libraries.
  EXPECT_EQ(webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                              R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_TRUE(is_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_TRUE(is_webhook_secret(new_webhook_secret()));
  EXPECT_FALSE(is_webhook_secret("whsec_short"));
  EXPECT_FALSE(is_webhook_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_FALSE(is_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!"));
}

TEST(EventIdsTest, SameIdForTheSameEventOpaqueAndUnforgeable) {
  EventIds ids("secret"), other("another secret");
  EXPECT_EQ(ids.id_of(42), ids.id_of(42));
  EXPECT_NE(ids.id_of(42), ids.id_of(43));
  EXPECT_EQ(ids.id_of(42).size(), 22u);
  EXPECT_EQ(ids.seq_of(ids.id_of(42)), 42);
  EXPECT_EQ(ids.seq_of(ids.id_of(0)), 0);
  EXPECT_EQ(ids.seq_of(ids.id_of(1LL << 50)), 1LL << 50);
  EXPECT_FALSE(other.seq_of(ids.id_of(42)));
  EXPECT_FALSE(ids.seq_of("AAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_FALSE(ids.seq_of("42"));
  EXPECT_FALSE(ids.seq_of(""));
  std::string changed = ids.id_of(42);
  changed[3] = changed[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(ids.seq_of(changed));
}

OPENEM_ON_EACH_BACKEND(WebhookDeliveryTest);

}  // namespace
}  // namespace openem
