#pragma once
// Events (docs/events.md): every record of the change history (store/history.h) is also an
// event, delivered to Server-Sent-Event subscribers (event_stream_routes.cpp) and webhooks
// (webhooks.h) as far as the subscriber may read it. This file holds what both share: the
// filter a subscriber gives, the feed query of one subscriber (their read rule per collection,
// as the history applies it), the event's JSON, and the newest history record, looked up at
// most every few hundred milliseconds for all subscribers of a process.
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/app.h"
#include "api/events/event_ids.h"
#include "store/history.h"

namespace openem {

struct EventFilter {
  std::vector<std::string> collections;  // history subsystems ("Dataset", ...); empty: all
  std::optional<std::string> operation;  // "insert", "update" or "delete"
  std::optional<std::string> owner_group;  // documents whose ownerGroup is this, now or when deleted
};

// The filter from its texts: `collections` comma-separated, each a subsystem ("Dataset") or a
// SciCat collection name ("datasets"), in any case. ApiError 400 names what is wrong.
EventFilter event_filter(std::string_view collections, std::optional<std::string> operation,
                         std::optional<std::string> owner_group);
boost::json::object event_filter_json(const EventFilter& f);
// The filter as event_filter_json wrote it; ApiError 400 for anything else.
EventFilter event_filter_from_json(const boost::json::value& v);

// What one subscriber sees. Built for a principal at a moment: rebuild it when their groups
// may have changed.
class EventSubscription {
 public:
  EventSubscription(const App& app, const Principal& reader, const EventFilter& filter);
  // The records after `after_seq` up to `up_to_seq` the reader may see, at most `limit`.
  HistoryFeedQuery query(std::int64_t after_seq, std::int64_t up_to_seq, std::int64_t limit) const;
  // {id, collection, documentId, operation, timestamp, changedFields (updates)}, and for readers
  // of that collection's history (HISTORY_ACCESS_*_GROUPS, admins) also {user, before, after}.
  boost::json::object event_json(const HistoryRecord& r, const EventIds& ids) const;

 private:
  std::vector<HistoryFeedQuery::Subsystem> subsystems_;
  std::vector<std::string> with_values_;  // subsystems whose before/after the reader may read
  std::optional<std::string> operation_;
};

// The seq of the newest history record, asked of the store at most once per `max_age`
// (several API processes: each sees the others' writes within it). Thread-safe.
class LatestHistorySeq {
 public:
  LatestHistorySeq(CatalogStore& store, std::chrono::milliseconds max_age) : store_(store), max_age_(max_age) {}
  // The newest sequence number, asking the store when the last answer is older than max_age.
  std::int64_t get();
  // The last answer while it is younger than max_age, else nullopt (get() must ask). Never
  // blocks: streams call it on the I/O thread to learn whether they have anything to do.
  std::optional<std::int64_t> peek() const;

 private:
  CatalogStore& store_;
  const std::chrono::milliseconds max_age_;
  std::mutex mu_;  // one question to the store at a time
  std::atomic<std::int64_t> latest_{0};
  std::atomic<std::chrono::steady_clock::rep> asked_{std::numeric_limits<std::chrono::steady_clock::rep>::min() / 2};
};

}  // namespace openem
