#pragma once
// What a replacement changes of a document's stored rows, so that SqliteCatalogStore::replace
// writes only that. At a million datasets every index an UPDATE names costs a delete and an
// insert on a page of its own, and a page written is a page copied to the WAL: rewriting all
// ~25 indexes of the datasets table and the document's side rows for an embargo that ends
// (which changes isPublished, license and updatedAt) dirtied ~100 pages per dataset, and
// 10,000 datasets opening in one minute took 38 s to write.
#include <cstdint>
#include <string>
#include <vector>

#include "store/document_rows.h"
#include "store/sqlite/sqlite_db.h"

namespace openem::stored_rows {

struct Changes {
  std::vector<std::size_t> columns;  // positions in schema.columns (and rows.columns) whose value changes
  bool access_set = false;
  bool values = false;  // the <t>_values rows (as a set: the table drops duplicates)
  bool leaves = false;  // the <t>_sci rows
  bool row_changed() const { return access_set || !columns.empty(); }
};

// Compares rows with what is stored for seq (a document that exists). When unsure, a part
// counts as changed: rewriting it is always correct, skipping it only when equal.
Changes compare(SqliteDb& db, const DocumentRows& rows, std::int64_t seq);

// "UPDATE <t> SET <changed> = ?, ... WHERE seq = ?" (its parameters: bind_update); empty when
// no column changes.
std::string update_sql(const CollectionSchema& schema, const Changes& changes);
// Binds the changed columns' new values and then seq, in update_sql's order.
void bind_update(Statement& st, const DocumentRows& rows, const Changes& changes, std::int64_t seq);

}  // namespace openem::stored_rows
