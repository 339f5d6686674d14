#pragma once
// Whether a document matches a Condition, decided from its rows (document_rows) in memory, for
// the few places that must judge a document the store no longer holds: the delete of a
// document in an event feed is shown to a reader when the document, as it was, was readable
// to them (store/history.h HistoryFeedQuery). It covers what read rules and typed conditions
// are made of (ids, indexed columns and arrays, comparisons, lists, presence, the read rule,
// and/or/not); anything else (text and scientific searches, patterns, unindexed fields) is
// Unknown, which callers take as "no". Comparisons follow the stores' SQL: a missing value
// matches no comparison, and "not" of that is a match.
#include "query/condition.h"
#include "store/document_rows.h"

namespace openem {

enum class DocumentMatch { Yes, No, Unknown };

DocumentMatch document_matches(const DocumentRows& rows, const Condition& c);

}  // namespace openem
