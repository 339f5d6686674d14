#pragma once
// Webhooks (docs/events.md): admins register URLs that receive each change of the catalog as
// an HTTP POST of the event's JSON (event_feed.h), signed as Standard Webhooks has it
// (webhook_signature.h). The outbox is the change history itself: a webhook keeps a position
// in it (`cursor`), and delivery sends the events after it, oldest first, moving the position
// past each event its receiver acknowledged (2xx). So an event is never lost — the history is
// written in the transaction of the change — and never sent before its change committed. A
// receiver that fails (non-2xx, timeout, refused) gets the same event again after a backoff
// that doubles up to an hour; later events wait behind it, so receivers see changes in order.
// Delivery is at least once: a process killed after the receiver answered and before the
// position moved sends that event again, with the same webhook-id, for the receiver to drop.
//
// A webhook sees what a reader with its `accessGroups` may read (events of documents readable
// by them, values only with history access), or everything when it has none. Each attempt is
// logged in webhook_deliveries (the newest 100 per webhook are kept). Processes of a
// deployment share the work: a process claims a webhook for a lease (nextAttemptAt moves past
// the attempt's longest time), so one webhook's events go out from one process at a time.
#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/app.h"
#include "api/events/event_ids.h"
#include "core/time.h"

namespace openem {

// The registration from a POST body {url, description, secret, filter, accessGroups, active}
// (ApiError 400 for anything wrong), starting after history record `start_seq`. A missing
// secret is made up. The document as stored, secret included.
boost::json::object new_webhook(const boost::json::object& body, const std::string& created_by, std::int64_t start_seq,
                                Millis now);
// A PATCH's changes applied to `hook` (the same fields; ApiError 400).
void change_webhook(boost::json::object& hook, const boost::json::object& changes, Millis now);
// What the API shows of a webhook: everything but its secret.
boost::json::object webhook_json(const boost::json::object& hook);

struct WebhookReply {
  int status = 0;      // the receiver's HTTP status; 0 when none came
  std::string error;   // "" when the status is 2xx
};
// Posts one event; the HTTP implementation (libcurl) below, tests inject their own.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  virtual WebhookReply post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                            const std::string& body) = 0;
};
std::unique_ptr<WebhookSender> http_webhook_sender(int timeout_seconds);

struct WebhookDeliveryOptions {
  int timeout_seconds = 10;
  int retry_seconds = 10;   // the first backoff
  int max_backoff_seconds = 3600;
  int events_per_turn = 100;
  int deliveries_kept = 100;
};
WebhookDeliveryOptions webhook_delivery_options(const Config& c);

// Delivers what is due: for each active webhook whose time has come and which has events
// waiting, up to events_per_turn of them. Returns how many events were posted (whatever the
// outcome).
int deliver_webhooks(App& app, WebhookSender& sender, const EventIds& ids, const WebhookDeliveryOptions& options);

}  // namespace openem
