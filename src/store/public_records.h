#pragma once
// PublicRecord: what a harvester (OAI-PMH, src/publish/oai) sees of a collection that keeps
// tombstones (CollectionSchema::public_tombstones): its public documents, and a tombstone for
// every document that was public once and then was deleted or stopped being public, both in
// one order by (datestamp, id). A tombstone keeps the id and the moment it was made, nothing
// else: what a now-private document holds must not reach a harvester. Plain value types.
#include <cstdint>
#include <optional>
#include <string>

namespace openem {

struct PublicRecord {
  std::string id;
  // iso_utc form ("2026-01-02T03:04:05.678Z"): a public document's updatedAt, or the moment a
  // tombstone was made.
  std::string datestamp;
  bool deleted = false;  // a tombstone
  std::string json;      // the document; empty for a tombstone
};

// Public documents whose `field` (an indexed column or an array field of the schema) holds
// `value`, or any non-empty value when `value` is empty. Tombstones belong to every set: they
// keep no field a set could be told by.
struct PublicRecordSet {
  std::string field;
  std::string value;
};

// A window of the (datestamp, id) order: the records strictly after (after_datestamp,
// after_id) — ("", "") starts at the first record, (from, "") at the first at or after
// `from` — and strictly before `before_datestamp` ("" for no end), in that order.
struct PublicRecordRange {
  std::string after_datestamp, after_id;
  std::string before_datestamp;
  std::optional<PublicRecordSet> set;
};

}  // namespace openem
