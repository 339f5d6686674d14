#include "api/events/webhooks.h"

#include <boost/json.hpp>
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "api/events/event_feed.h"
#include "api/events/webhook_signature.h"
#include "core/backoff.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/json_fields.h"
#include "jobs/amqp_publisher.h"

namespace openem {
namespace json = boost::json;
namespace {

// A paused webhook is due never; resumed, it goes on from where it stopped.
constexpr const char* kNever = "9999-12-31T00:00:00.000Z";
constexpr std::size_t kMaxUrl = 2000, kMaxDescription = 1000;

std::string url_of(const json::value& v) {
  if (!v.is_string()) throw ApiError::bad_request("url must be a string");
  std::string url(v.get_string());
  if (url.rfind("amqp://", 0) == 0) {
    std::string why;
    if (url.size() > kMaxUrl || !parse_amqp_url(url, &why))
      throw ApiError::bad_request("url: an amqp:// URL of a RabbitMQ exchange or queue: " + why);
    return url;
  }
  const bool scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  const bool clean = std::none_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= ' '; });
  if (!scheme || !clean || url.size() > kMaxUrl || url.find("://") + 3 >= url.size())
    throw ApiError::bad_request("url must be an http://, https:// or amqp:// URL without spaces");
  return url;
}

json::value access_groups_of(const json::value& v) {
  if (v.is_null()) return nullptr;
  if (!v.is_array()) throw ApiError::bad_request("accessGroups must be an array of group names, or null for everything");
  for (const auto& g : v.get_array())
    if (!g.is_string() || g.get_string().empty()) throw ApiError::bad_request("accessGroups must be an array of group names");
  return v;
}

// Applies the fields of `body` that a registration may set; `creating` requires the url.
void apply(json::object& hook, const json::object& body, bool creating, Millis now) {
  for (const auto& [key, value] : body) {
    if (key == "url") hook["url"] = url_of(value);
    else if (key == "description") {
      if (!value.is_string() || value.get_string().size() > kMaxDescription)
        throw ApiError::bad_request("description must be a string of at most 1000 characters");
      hook["description"] = value;
    } else if (key == "secret") {
      if (!value.is_string() || !is_webhook_secret(value.get_string()))
        throw ApiError::bad_request("secret must be \"whsec_\" and the base64 of 24 to 64 bytes (Standard Webhooks)");
      hook["secret"] = value;
    } else if (key == "filter") hook["filter"] = event_filter_json(event_filter_from_json(value));
    else if (key == "accessGroups") hook["accessGroups"] = access_groups_of(value);
    else if (key == "active") {
      if (!value.is_bool()) throw ApiError::bad_request("active must be true or false");
      if (!creating && value.get_bool() == json_bool(hook, "active")) continue;
      hook["active"] = value;
      hook["nextAttemptAt"] = value.get_bool() ? iso_utc(now) : kNever;
      hook["attempts"] = 0;
    } else
      throw ApiError::bad_request("webhook field " + std::string(key) +
                                  " is not known (url, description, secret, filter, accessGroups, active)");
  }
  if (creating && !hook.contains("url")) throw ApiError::bad_request("url is required");
  hook["updatedAt"] = iso_utc(now);
}

// The reader whose rights the webhook has: its access groups, or an admin's.
Principal reader_of(const App& app, const json::object& hook) {
  const std::string name = "webhook:" + json_string(hook, "id");
  const json::value* groups = hook.if_contains("accessGroups");
  if (groups && groups->is_array()) return Principal{name, name, "", json_strings(hook, "accessGroups")};
  return Principal{name, name, "", app.config().admin_groups.groups};
}

std::string to_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::size_t discard_body(char*, std::size_t size, std::size_t n, void*) { return size * n; }

std::string header(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return "";
}

// Sends by the URL's scheme: http(s) with libcurl, amqp:// to RabbitMQ (one publisher per
// broker and credentials, kept between deliveries).
class NetworkWebhookSender final : public WebhookSender {
 public:
  explicit NetworkWebhookSender(int timeout_seconds) : timeout_(timeout_seconds) {}
  WebhookReply post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body) override {
    if (url.rfind("amqp://", 0) == 0) return publish(url, headers, body);
    return post_http(url, headers, body);
  }

 private:
  // The event to the URL's exchange (or queue), routed by the URL's key or else by the event's
  // type ("dataset.update"), persistent, with the event id as message-id; the broker's confirm
  // is the acknowledgement.
  WebhookReply publish(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& body) {
    std::string why;
    auto target = parse_amqp_url(url, &why);
    if (!target) return {0, "not an amqp:// URL: " + why};
    const AmqpBroker& b = target->broker;
    AmqpPublisher* publisher = nullptr;
    {
      std::lock_guard lock(mu_);
      auto& slot = publishers_[b.host + '\n' + std::to_string(b.port) + '\n' + b.vhost + '\n' + b.username + '\n' + b.password];
      if (!slot) slot = std::make_unique<AmqpPublisher>(b, std::chrono::seconds(timeout_));
      publisher = slot.get();
    }
    AmqpMessage m;
    m.body = body;
    m.message_id = header(headers, "webhook-id");
    m.type = header(headers, "X-Openem-Event");
    m.timestamp = std::atoll(header(headers, "webhook-timestamp").c_str());
    AmqpDestination to = target->destination;
    if (to.routing_key.empty()) to.routing_key = m.type;
    std::string error = publisher->publish(to, m);
    return {error.empty() ? 200 : 0, error};
  }

  WebhookReply post_http(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body) {
    CURL* c = curl_easy_init();
    if (!c) return {0, "libcurl could not start"};
    curl_slist* list = nullptr;
    for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout_));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is no acknowledgement
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    const CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) return {0, curl_easy_strerror(rc)};
    if (status < 200 || status > 299) return {static_cast<int>(status), "the receiver answered " + std::to_string(status)};
    return {static_cast<int>(status), ""};
  }

  int timeout_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<AmqpPublisher>> publishers_;
};

struct Turn {
  App& app;
  WebhookSender& sender;
  const EventIds& ids;
  const WebhookDeliveryOptions& options;
  std::string id;
  std::string token;  // this turn's claim: a write after another process took over changes nothing

  CatalogStore& store() const { return app.store(); }
  Millis lease() const { return (static_cast<Millis>(options.timeout_seconds) + 30) * 1000; }

  // Claims the webhook when it is due and has events before `latest`; the claimed document.
  std::optional<json::object> claim(std::int64_t latest) {
    std::optional<json::object> claimed;
    store().transaction([&] {
      auto hook = store().get(schemas::webhooks(), id);
      if (!hook || !json_bool(*hook, "active") || json_int(*hook, "cursor") >= latest) return;
      const Millis now = now_millis();
      auto due = parse_iso(json_string(*hook, "nextAttemptAt"));
      if (due && *due > now) return;
      (*hook)["nextAttemptAt"] = iso_utc(now + lease());
      (*hook)["leaseToken"] = token;
      store().replace(schemas::webhooks(), *hook);
      claimed = std::move(*hook);
    });
    return claimed;
  }

  // Changes the claimed webhook with `fn`, unless another process has taken it over since.
  bool update(const std::function<void(json::object&)>& fn) {
    bool ours = false;
    store().transaction([&] {
      auto hook = store().get(schemas::webhooks(), id);
      if (!hook || json_string(*hook, "leaseToken") != token) return;
      fn(*hook);
      store().replace(schemas::webhooks(), *hook);
      ours = true;
    });
    return ours;
  }

  void log(const json::object& event, std::int64_t attempt, const WebhookReply& reply, double milliseconds) {
    json::object entry{{"id", uuid_v4()},
                       {"webhookId", id},
                       {"eventId", event.at("id")},
                       {"collection", event.at("collection")},
                       {"operation", event.at("operation")},
                       {"documentId", event.at("documentId")},
                       {"attempt", attempt},
                       {"at", iso_utc(now_millis())},
                       {"status", reply.error.empty() ? "delivered" : "failed"},
                       {"httpStatus", reply.status ? json::value(reply.status) : json::value()},
                       {"error", reply.error.empty() ? json::value() : json::value(reply.error)},
                       {"durationMs", static_cast<std::int64_t>(milliseconds)}};
    store().insert(schemas::webhook_deliveries(), entry);
  }

  void trim_log() {
    const auto& log = schemas::webhook_deliveries();
    QueryPlan plan;
    plan.conditions = {field_is(log, "webhookId", id)};
    plan.order = {sort_by(log, "at", /*descending=*/true)};
    plan.skip = options.deliveries_kept;
    for (const auto& old : store().find_ids(log, plan)) store().remove(log, old);
  }

  int run(std::int64_t latest) {
    auto hook = claim(latest);
    if (!hook) return 0;
    EventSubscription subscription(app, reader_of(app, *hook), event_filter_from_json(hook->at("filter")));
    const std::int64_t cursor = json_int(*hook, "cursor");
    HistoryFeedPage page = store().history_feed(subscription.query(cursor, latest, options.events_per_turn));
    const std::string url = json_string(*hook, "url"), secret = json_string(*hook, "secret");
    int posted = 0;
    for (const auto& record : page.records) {
      const json::object event = subscription.event_json(record, ids);
      const std::string body = json::serialize(event);
      const std::string event_id = ids.id_of(record.seq);
      const std::int64_t timestamp = now_millis() / 1000;
      const std::int64_t attempt = json_int(*hook, "attempts") + 1;
      const auto start = std::chrono::steady_clock::now();
      WebhookReply reply = sender.post(url,
                                       {{"Content-Type", "application/json"},
                                        {"User-Agent", "openem-webhooks"},
                                        {"X-Openem-Event", to_lower(record.subsystem) + "." + record.operation},
                                        {"webhook-id", event_id},
                                        {"webhook-timestamp", std::to_string(timestamp)},
                                        {"webhook-signature", webhook_signature(secret, event_id, timestamp, body)}},
                                       body);
      ++posted;
      log(event, attempt, reply, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      if (!reply.error.empty()) {
        const std::int64_t failures = attempt;
        const std::int64_t backoff = doubling_backoff(failures, options.retry_seconds, options.max_backoff_seconds);
        update([&](json::object& h) {
          h["attempts"] = failures;
          h["lastStatus"] = reply.status ? json::value(reply.status) : json::value();
          h["lastError"] = reply.error;
          h["nextAttemptAt"] = iso_utc(now_millis() + backoff * 1000);
          h.erase("leaseToken");
        });
        spdlog::warn("event=webhook_failed webhook={} attempt={} retry_in_s={} error=\"{}\"", id, failures, backoff,
                     reply.error);
        trim_log();
        return posted;
      }
      const bool ours = update([&](json::object& h) {
        h["cursor"] = record.seq;
        h["attempts"] = 0;
        h["lastStatus"] = reply.status;
        h["lastError"] = nullptr;
        h["lastDeliveredAt"] = iso_utc(now_millis());
        h["nextAttemptAt"] = iso_utc(now_millis() + lease());  // the lease goes on with the turn
      });
      (*hook)["attempts"] = 0;
      if (!ours) return posted;  // taken over: the other process goes on from the position
    }
    update([&](json::object& h) {
      h["cursor"] = page.scanned_to;  // past the events this reader may not see, too
      h["nextAttemptAt"] = iso_utc(now_millis());
      h.erase("leaseToken");
    });
    if (posted) trim_log();
    return posted;
  }
};

}  // namespace

json::object new_webhook(const json::object& body, const std::string& created_by, std::int64_t start_seq, Millis now) {
  json::object hook{{"id", "wh-" + uuid_v4()},
                    {"description", ""},
                    {"filter", event_filter_json({})},
                    {"accessGroups", nullptr},
                    {"active", true},
                    {"createdBy", created_by},
                    {"createdAt", iso_utc(now)},
                    {"cursor", start_seq},
                    {"attempts", 0},
                    {"nextAttemptAt", iso_utc(now)},
                    {"lastDeliveredAt", nullptr},
                    {"lastStatus", nullptr},
                    {"lastError", nullptr}};
  apply(hook, body, /*creating=*/true, now);
  if (!hook.contains("secret")) hook["secret"] = new_webhook_secret();
  return hook;
}

void change_webhook(json::object& hook, const json::object& changes, Millis now) {
  apply(hook, changes, /*creating=*/false, now);
}

json::object webhook_json(const json::object& hook) {
  json::object out = hook;
  // An amqp:// URL carries the broker's password: shown as "***".
  std::string url = json_string(hook, "url");
  if (url.rfind("amqp://", 0) == 0) {
    const auto at = url.find('@'), colon = url.find(':', 7);
    if (at != std::string::npos && colon != std::string::npos && colon < at) out["url"] = url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  out.erase("secret");
  out.erase("leaseToken");
  out.erase("cursor");  // a position in the history: its gaps would count others' changes
  return out;
}

std::unique_ptr<WebhookSender> http_webhook_sender(int timeout_seconds) {
  return std::make_unique<NetworkWebhookSender>(timeout_seconds);
}

WebhookDeliveryOptions webhook_delivery_options(const Config& c) {
  WebhookDeliveryOptions o;
  o.timeout_seconds = c.webhook_timeout_seconds;
  o.retry_seconds = c.webhook_retry_seconds;
  return o;
}

int deliver_webhooks(App& app, WebhookSender& sender, const EventIds& ids, const WebhookDeliveryOptions& options) {
  const std::int64_t latest = app.store().latest_history_seq();
  const auto& hooks = schemas::webhooks();
  QueryPlan plan;
  plan.conditions = {field_compare(hooks, "nextAttemptAt", Comparison::Lte, iso_utc(now_millis()))};
  plan.order = {sort_by(hooks, "nextAttemptAt")};
  plan.limit = 100;
  int posted = 0;
  for (const auto& id : app.store().find_ids(hooks, plan)) {
    try {
      posted += Turn{app, sender, ids, options, id, uuid_v4()}.run(latest);
    } catch (const std::exception& e) {  // one webhook's trouble holds up no other
      spdlog::error("event=webhook_turn_failed webhook={} error=\"{}\"", id, e.what());
    }
  }
  return posted;
}

}  // namespace openem
