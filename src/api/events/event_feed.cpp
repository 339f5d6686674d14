#include "api/events/event_feed.h"

#include <boost/json.hpp>

#include <algorithm>

#include "api/history/history_access.h"
#include "core/error.h"

namespace openem {
namespace json = boost::json;
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The history subsystem a subscriber means by `name`, or "" for none.
std::string subsystem_named(std::string_view name) {
  for (const CollectionSchema* s : schemas::all())
    if (!s->history_subsystem.empty() && (iequal(name, s->history_subsystem) || iequal(name, s->name)))
      return s->history_subsystem;
  return "";
}

std::string subsystem_list() {
  std::string out;
  for (const CollectionSchema* s : schemas::all())
    if (!s->history_subsystem.empty()) out += (out.empty() ? "" : ", ") + s->history_subsystem;
  return out;
}

}  // namespace

EventFilter event_filter(std::string_view collections, std::optional<std::string> operation,
                         std::optional<std::string> owner_group) {
  EventFilter f;
  while (!collections.empty()) {
    const auto comma = collections.find(',');
    std::string_view name = collections.substr(0, comma);
    collections = comma == std::string_view::npos ? std::string_view() : collections.substr(comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    std::string subsystem = subsystem_named(name);
    if (subsystem.empty())
      throw ApiError::bad_request("collection " + std::string(name) + " has no events (" + subsystem_list() + ")");
    if (std::find(f.collections.begin(), f.collections.end(), subsystem) == f.collections.end())
      f.collections.push_back(subsystem);
  }
  if (operation && operation->empty()) operation.reset();
  if (operation && *operation != "insert" && *operation != "update" && *operation != "delete")
    throw ApiError::bad_request("operation must be insert, update or delete");
  if (owner_group && owner_group->empty()) owner_group.reset();
  f.operation = std::move(operation);
  f.owner_group = std::move(owner_group);
  return f;
}

json::object event_filter_json(const EventFilter& f) {
  json::object o{{"collections", json::array(f.collections.begin(), f.collections.end())}};
  o["operation"] = f.operation ? json::value(*f.operation) : json::value();
  o["ownerGroup"] = f.owner_group ? json::value(*f.owner_group) : json::value();
  return o;
}

EventFilter event_filter_from_json(const json::value& v) {
  if (v.is_null()) return {};
  if (!v.is_object()) throw ApiError::bad_request("filter must be an object {collections, operation, ownerGroup}");
  const json::object& o = v.get_object();
  std::string collections;
  std::optional<std::string> operation, owner_group;
  for (const auto& [key, value] : o) {
    auto text = [&, k = std::string(key)](const json::value& x) -> std::optional<std::string> {
      if (x.is_null()) return std::nullopt;
      if (!x.is_string()) throw ApiError::bad_request("filter." + k + " must be a string");
      return std::string(x.get_string());
    };
    if (key == "collections") {
      if (!value.is_array()) throw ApiError::bad_request("filter.collections must be an array of names");
      for (const auto& c : value.get_array()) {
        auto name = text(c);
        if (!name || name->find(',') != std::string::npos)
          throw ApiError::bad_request("filter.collections must be an array of names");
        collections += "," + *name;
      }
    } else if (key == "operation") {
      operation = text(value);
    } else if (key == "ownerGroup") {
      owner_group = text(value);
    } else {
      throw ApiError::bad_request("filter." + std::string(key) + " is not supported (collections, operation, ownerGroup)");
    }
  }
  return event_filter(collections, std::move(operation), std::move(owner_group));
}

EventSubscription::EventSubscription(const App& app, const Principal& reader, const EventFilter& filter)
    : operation_(filter.operation) {
  for (const CollectionSchema* s : schemas::all()) {
    if (s->history_subsystem.empty()) continue;
    if (!filter.collections.empty() &&
        std::find(filter.collections.begin(), filter.collections.end(), s->history_subsystem) == filter.collections.end())
      continue;
    std::optional<Condition> readable = history_readable_documents(app, reader, *s);
    if (readable && readable->kind == Condition::Kind::False) continue;
    if (filter.owner_group) {
      const IndexedColumn* owner = s->column_for("ownerGroup");
      if (!owner) continue;  // documents without an owner group match no owner group
      Condition owned = field_is(*s, "ownerGroup", *filter.owner_group);
      readable = readable ? all_of({*readable, owned}) : owned;
    }
    subsystems_.push_back({s, std::move(readable)});
    if (may_read_history(app, reader, s->history_subsystem)) with_values_.push_back(s->history_subsystem);
  }
}

HistoryFeedQuery EventSubscription::query(std::int64_t after_seq, std::int64_t up_to_seq, std::int64_t limit) const {
  HistoryFeedQuery q;
  q.subsystems = subsystems_;
  q.operation = operation_;
  q.after_seq = after_seq;
  q.up_to_seq = up_to_seq;
  q.limit = limit;
  return q;
}

json::object EventSubscription::event_json(const HistoryRecord& r, const EventIds& ids) const {
  json::object e{{"id", ids.id_of(r.seq)},          {"collection", r.subsystem}, {"documentId", r.document_id},
                 {"operation", r.operation},        {"timestamp", r.timestamp}};
  boost::system::error_code ec;
  json::value after = json::parse(r.after, ec);
  if (ec) after = nullptr;
  if (r.operation == "update" && after.is_object()) {
    json::array changed;
    for (const auto& [key, value] : after.get_object()) changed.emplace_back(key);
    e["changedFields"] = std::move(changed);
  }
  if (std::find(with_values_.begin(), with_values_.end(), r.subsystem) != with_values_.end()) {
    json::value before = json::parse(r.before, ec);
    if (ec) before = nullptr;
    e["user"] = r.user;
    e["before"] = std::move(before);
    e["after"] = std::move(after);
  }
  return e;
}

std::int64_t LatestHistorySeq::get() {
  if (auto fresh = peek()) return *fresh;
  std::lock_guard lock(mu_);
  if (auto fresh = peek()) return *fresh;  // asked by another stream meanwhile
  const auto now = std::chrono::steady_clock::now();
  latest_.store(store_.latest_history_seq());
  asked_.store(now.time_since_epoch().count());
  return latest_.load();
}

std::optional<std::int64_t> LatestHistorySeq::peek() const {
  const std::chrono::steady_clock::time_point asked{std::chrono::steady_clock::duration{asked_.load()}};
  if (std::chrono::steady_clock::now() - asked >= max_age_) return std::nullopt;
  return latest_.load();
}

}  // namespace openem
