#pragma once
// The change history (audit trail) of the catalog's documents, as SciCat's generic history
// keeps it (upstream src/history/, GenericHistory): one record per change of a document of a
// collection that names a history subsystem (CollectionSchema::history_subsystem) — who made
// it, when, the operation, and the fields before and after.
//
// Records are written by the stores themselves, inside the transaction of the write they
// describe (CatalogStore::insert/replace/remove): a write that rolls back leaves no record,
// and no committed write lacks one, whatever path made it (API, archive worker, embargo
// timer, housekeeper). Each record has a per-catalog sequence number, increasing in commit
// order, that readers page and resume by (an event stream's Last-Event-ID).
//
// What a record holds (upstream's "delta" strategy, computeDeltaWithOriginals):
//   insert   before null, after the whole document        (upstream records no inserts)
//   update   before: the changed fields' old values, after: their new values; nested objects
//            compared member by member, arrays and scalars as wholes; a removed field is
//            null in after; a field that did not exist before is absent from before
//   delete   before the whole document, after null
// An update that changes nothing (after the excluded fields) records nothing.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/collection.h"
#include "query/condition.h"

namespace openem {

struct HistoryRecord {
  std::int64_t seq = 0;     // per catalog, increasing in commit order
  std::string subsystem;    // "Dataset", "Proposal", ... (CollectionSchema::history_subsystem)
  std::string document_id;
  std::string operation;    // "insert", "update", "delete"
  std::string timestamp;    // ISO 8601 UTC with milliseconds
  std::string user;         // the acting user (core/acting_user.h), "system" for the server's own work
  std::string before;       // JSON text: an object, or "null"
  std::string after;        // JSON text: an object, or "null"
};

// Which records CatalogStore::history returns: those of one collection, newest first,
// optionally of one document, operation or user, `skip` and `limit` as a page.
struct HistoryQuery {
  const CollectionSchema* schema = nullptr;
  std::optional<std::string> document_id, operation, user;
  // Only records of documents that exist now and match this condition (the reader's read
  // rule on the collection): a reader who may not read a document, or whose document was
  // deleted, sees none of its records, exactly as for a document that never existed.
  // nullopt: every record (readers of everything).
  std::optional<Condition> readable;
  std::int64_t skip = 0;
  std::int64_t limit = 100;
};

// " FROM history h WHERE ..." with the query's filters but the reader's rule (which each
// store writes in its own dialect), their values appended to `params` in the store's own
// parameter type; the same SQL on both stores.
template <typename Param>
std::string history_filters_sql(const HistoryQuery& q, std::vector<Param>& params) {
  std::string sql = " FROM history h WHERE h.subsystem = ?";
  params.emplace_back(q.schema->history_subsystem);
  const std::pair<const char*, const std::optional<std::string>*> filters[] = {
      {"h.document_id", &q.document_id}, {"h.operation", &q.operation}, {"h.username", &q.user}};
  for (const auto& [column, value] : filters)
    if (*value) {
      sql += std::string(" AND ") + column + " = ?";
      params.emplace_back(**value);
    }
  return sql;
}

// The records after a point, oldest first, across collections: what an event stream or a
// webhook (api/events/) has not yet delivered. Each collection named comes with its reader's
// rule; records of other collections are not returned.
struct HistoryFeedQuery {
  struct Subsystem {
    const CollectionSchema* schema = nullptr;
    // Whose records pass: those of documents that match it as they are now — or, for a
    // document deleted since, as it was when it was deleted (the delete record's before,
    // judged by history_feed_keeps). So a subscriber that catches up late gets a deleted
    // document's insert, updates and delete exactly when it could read the document; and a
    // document that became private takes its earlier records with it. nullopt: every record.
    std::optional<Condition> readable;
  };
  std::vector<Subsystem> subsystems;
  std::optional<std::string> operation;
  std::int64_t after_seq = 0;  // records with seq > after_seq ...
  std::int64_t up_to_seq = 0;  // ... and seq <= up_to_seq (a latest_history_seq() read before)
  std::int64_t limit = 100;
};
struct HistoryFeedPage {
  std::vector<HistoryRecord> records;
  // Where the next page starts: every record up to here was looked at (shown or not).
  std::int64_t scanned_to = 0;
};

// The feed's SQL, shared by the stores: `rules[i]` is the store's compiled read rule of
// subsystem i over its collection's row `t` (`join`: the FROM that defines t; "" when the
// subsystem reads every record). history_feed_sql gives
//   SELECT <record columns>, <judged_by> FROM history h WHERE ... ORDER BY h.seq LIMIT ?
// with its values in `params`. judged_by is NULL for a record that passed on the document as
// it is now, and for one of a deleted document the text of that document as it was ("" if
// unknown), for history_feed_keeps to decide on.
template <typename Param>
struct CompiledFeedRule {
  std::string table;  // the collection's table
  std::string join;   // "<table> t", or more; "" for every record
  std::string sql;
  std::vector<Param> params;
};
template <typename Param>
std::string history_feed_sql(const HistoryFeedQuery& q, const std::vector<CompiledFeedRule<Param>>& rules,
                             std::vector<Param>& params) {
  auto gone = [](const std::string& table) {
    return "NOT EXISTS (SELECT 1 FROM " + table + " t0 WHERE t0.id = h.document_id)";
  };
  std::string judged_by;
  for (std::size_t i = 0; i < q.subsystems.size(); ++i) {
    if (rules[i].join.empty()) continue;
    judged_by += " WHEN h.subsystem = ? AND " + gone(rules[i].table) +
                 " THEN COALESCE((SELECT d.before FROM history d WHERE d.subsystem = h.subsystem AND "
                 "d.document_id = h.document_id AND d.operation = 'delete' AND d.seq >= h.seq ORDER BY d.seq LIMIT 1), '')";
    params.emplace_back(q.subsystems[i].schema->history_subsystem);
  }
  std::string sql = "SELECT h.seq, h.subsystem, h.document_id, h.operation, h.time, h.username, h.before, h.after, " +
                    (judged_by.empty() ? std::string("NULL") : "CASE" + judged_by + " ELSE NULL END") +
                    " FROM history h WHERE h.seq > ? AND h.seq <= ?";
  params.emplace_back(q.after_seq);
  params.emplace_back(q.up_to_seq);
  if (q.operation) {
    sql += " AND h.operation = ?";
    params.emplace_back(*q.operation);
  }
  sql += " AND (1 = 0";
  for (std::size_t i = 0; i < q.subsystems.size(); ++i) {
    sql += " OR (h.subsystem = ?";
    params.emplace_back(q.subsystems[i].schema->history_subsystem);
    if (!rules[i].join.empty()) {
      sql += " AND (EXISTS (SELECT 1 FROM " + rules[i].join + " WHERE t.id = h.document_id AND (" + rules[i].sql +
             ")) OR " + gone(rules[i].table) + ")";
      params.insert(params.end(), rules[i].params.begin(), rules[i].params.end());
    }
    sql += ")";
  }
  sql += ") ORDER BY h.seq LIMIT ?";
  params.emplace_back(q.limit);
  return sql;
}

// Whether a record the feed's SQL returned stays in the page: `judged_by` null — yes; else
// when its subsystem's rule matches that document text.
bool history_feed_keeps(const HistoryFeedQuery& q, const HistoryRecord& r, const std::optional<std::string>& judged_by);

// Upstream's delta of two versions of a document: `before` receives the old values of what
// changed, `after` the new ones. Fields named in `excluded` (top level) and "_id" are skipped.
void history_delta(const boost::json::object& old_doc, const boost::json::object& new_doc,
                   const std::set<std::string, std::less<>>& excluded, boost::json::object& before,
                   boost::json::object& after);

// The record's before/after of a change from `old_text` to `new_text` (JSON texts of the
// stored and the new document). nullopt when nothing changed.
struct HistoryChange {
  std::string before, after;
};
std::optional<HistoryChange> history_update_change(const CollectionSchema& schema, std::string_view old_text,
                                                   std::string_view new_text);

// A record of `schema` about to be written: subsystem, id, operation, the acting user and now.
HistoryRecord history_record(const CollectionSchema& schema, std::string document_id, const char* operation,
                             std::string before, std::string after);

// The record as the API returns it: {_id, subsystem, documentId, before, after, operation,
// timestamp, user}.
boost::json::object history_record_json(const HistoryRecord& r);

}  // namespace openem
