#include "store/history.h"

#include <boost/json.hpp>

#include "core/acting_user.h"
#include "core/time.h"
#include "store/document_match.h"
#include "store/document_rows.h"

namespace openem {
namespace json = boost::json;

void history_delta(const json::object& old_doc, const json::object& new_doc,
                   const std::set<std::string, std::less<>>& excluded, json::object& before, json::object& after) {
  for (const auto& [key, now] : new_doc) {
    if (key == "_id" || key == "__v" || excluded.count(key)) continue;
    const json::value* was = old_doc.if_contains(key);
    if (was && was->is_object() && now.is_object()) {
      json::object b, a;
      history_delta(was->get_object(), now.get_object(), {}, b, a);
      if (!a.empty()) {
        before[key] = std::move(b);
        after[key] = std::move(a);
      }
    } else if (!was || *was != now) {
      after[key] = now;
      if (was) before[key] = *was;  // a new field has no old value (upstream: undefined)
    }
  }
  for (const auto& [key, was] : old_doc) {
    if (key == "_id" || key == "__v" || excluded.count(key) || new_doc.contains(key)) continue;
    after[key] = nullptr;
    before[key] = was;
  }
}

std::optional<HistoryChange> history_update_change(const CollectionSchema& schema, std::string_view old_text,
                                                   std::string_view new_text) {
  if (old_text == new_text) return std::nullopt;
  json::value old_doc = json::parse(old_text), new_doc = json::parse(new_text);
  if (!old_doc.is_object() || !new_doc.is_object()) return HistoryChange{std::string(old_text), std::string(new_text)};
  json::object before, after;
  history_delta(old_doc.get_object(), new_doc.get_object(), schema.history_excluded, before, after);
  if (after.empty()) return std::nullopt;
  return HistoryChange{json::serialize(before), json::serialize(after)};
}

HistoryRecord history_record(const CollectionSchema& schema, std::string document_id, const char* operation,
                             std::string before, std::string after) {
  HistoryRecord r;
  r.subsystem = schema.history_subsystem;
  r.document_id = std::move(document_id);
  r.operation = operation;
  r.timestamp = now_iso();
  r.user = acting_user::current_or_system();
  r.before = std::move(before);
  r.after = std::move(after);
  return r;
}

json::object history_record_json(const HistoryRecord& r) {
  auto parsed = [](const std::string& text) -> json::value {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    return ec ? json::value() : v;
  };
  return json::object{{"_id", std::to_string(r.seq)},  {"subsystem", r.subsystem},
                      {"documentId", r.document_id},     {"before", parsed(r.before)},
                      {"after", parsed(r.after)},         {"operation", r.operation},
                      {"timestamp", r.timestamp},         {"user", r.user}};
}

bool history_feed_keeps(const HistoryFeedQuery& q, const HistoryRecord& r, const std::optional<std::string>& judged_by) {
  if (!judged_by) return true;  // the SQL found the document readable now, or no rule applies
  for (const auto& s : q.subsystems) {
    if (s.schema->history_subsystem != r.subsystem) continue;
    if (!s.readable) return true;
    boost::system::error_code ec;
    json::value doc = json::parse(*judged_by, ec);
    if (ec || !doc.is_object()) return false;
    try {
      return document_matches(document_rows(*s.schema, doc.get_object()), *s.readable) == DocumentMatch::Yes;
    } catch (const std::exception&) {  // a document without an id: nothing to show
      return false;
    }
  }
  return false;
}

}  // namespace openem
