// GET /api/v3/events: the change history as Server-Sent Events (docs/events.md), for a signed-in
// subscriber, as far as they may read it:
//   ?collections=Dataset,Proposal&operation=insert|update|delete&ownerGroup=<group>
//   Last-Event-ID: <id>   (or ?lastEventId=<id>; browsers' EventSource sends the header itself
//                          when it reconnects) — resume after that event: nothing is missed
// Without an id the stream starts with the changes made from now on. Each event is
//   id: <event id>
//   data: <event JSON, api/events/event_feed.h>
// A comment line every 15 s of silence keeps proxies from closing the connection. The
// subscriber's token is checked again every minute: the stream ends when it expires or is
// revoked, and their rules follow changes of their groups.
#include <boost/json.hpp>

#include <chrono>
#include <memory>

#include "api/events/event_feed.h"
#include "api/routes.h"
#include "core/error.h"

namespace openem {
namespace json = boost::json;
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kIdleWait{200};
constexpr std::chrono::milliseconds kLatestMaxAge{200};
constexpr std::chrono::seconds kKeepAlive{15};
constexpr std::chrono::seconds kReauthenticate{60};
constexpr std::int64_t kRecordsPerPiece = 200;

// What one stream keeps between its pieces. Its request is a copy without the body: only the
// credentials matter when the subscriber is checked again.
struct EventStream {
  App& app;
  const EventIds& ids;
  LatestHistorySeq& latest;
  HttpRequest credentials;
  EventFilter filter;
  std::unique_ptr<EventSubscription> subscription;
  std::int64_t cursor = 0;
  bool started = false;
  Clock::time_point last_write = Clock::now(), authenticated_at = Clock::now();

  // Whether next() has anything to do: an event may be new, a keep-alive or the check of the
  // token is due. Asked on the I/O thread, from the shared cached sequence number; only when
  // that is stale does a stream hop to a handler thread to ask the store (one asks for all).
  bool ready() const {
    const auto now = Clock::now();
    if (now - last_write >= kKeepAlive || now - authenticated_at >= kReauthenticate) return true;
    const std::optional<std::int64_t> newest = latest.peek();
    return !newest || *newest > cursor;
  }

  bool next(std::string& piece) {
    const auto now = Clock::now();
    if (!started) {
      started = true;
      piece = "retry: 3000\n: openem events\n\n";
      last_write = now;
      return true;
    }
    if (now - authenticated_at >= kReauthenticate) {
      Principal p = app.authenticate(credentials);
      if (!p.authenticated()) return false;  // expired or revoked: the client signs in again
      subscription = std::make_unique<EventSubscription>(app, p, filter);
      authenticated_at = now;
    }
    const std::int64_t newest = latest.get();
    if (newest > cursor) {
      HistoryFeedPage page = app.store().history_feed(subscription->query(cursor, newest, kRecordsPerPiece));
      for (const auto& r : page.records)
        piece += "id: " + ids.id_of(r.seq) + "\ndata: " + json::serialize(subscription->event_json(r, ids)) + "\n\n";
      cursor = page.scanned_to;
    }
    if (piece.empty() && now - last_write >= kKeepAlive) piece = ":\n\n";
    if (!piece.empty()) last_write = now;
    return true;
  }
};

}  // namespace

void register_event_routes(Router& r, App& app) {
  auto ids = std::make_shared<EventIds>(app.jwt_secret());
  auto latest = std::make_shared<LatestHistorySeq>(app.store(), kLatestMaxAge);
  r.add("GET", "/api/v3/events", [&app, ids, latest](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!p.authenticated()) throw ApiError::unauthorized("Sign in to receive events");
    EventFilter filter = event_filter(req.query_param("collections").value_or(req.query_param("collection").value_or("")),
                                      req.query_param("operation"), req.query_param("ownerGroup"));
    auto last_id = req.header("last-event-id");
    if (!last_id || last_id->empty()) last_id = req.query_param("lastEventId");
    std::int64_t cursor = 0;
    if (last_id && !last_id->empty()) {
      auto seq = ids->seq_of(*last_id);
      if (!seq) throw ApiError::bad_request("Last-Event-ID is not the id of an event of this catalog");
      cursor = *seq;
    } else {
      cursor = app.store().latest_history_seq();
    }
    HttpRequest credentials;
    credentials.headers = req.headers;
    credentials.query = req.query;
    credentials.remote = req.remote;
    auto stream = std::make_shared<EventStream>(EventStream{app, *ids, *latest, std::move(credentials), filter,
                                                            std::make_unique<EventSubscription>(app, p, filter), cursor});
    HttpResponse res;
    res.content_type = "text/event-stream; charset=utf-8";
    res.headers = {{"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}};
    res.stream = std::make_shared<BodyStream>();
    res.stream->next = [stream, ids, latest](std::string& piece) { return stream->next(piece); };
    res.stream->idle_wait = kIdleWait;
    res.stream->ready = [stream] { return stream->ready(); };
    return res;
  });
}

}  // namespace openem
