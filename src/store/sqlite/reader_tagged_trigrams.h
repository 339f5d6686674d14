#pragma once
// The text index keeps, for every trigram of a row, one token per reader of the row: the
// member of its access set (model/access_set.h) joined to the trigram, plus one for kEveryone.
// A search then walks only the postings of rows the caller may read (the OR over the
// caller's members of the AND over the term's trigrams), so what it costs does not depend on
// what other groups' private rows contain. With one index over everything, a term found only
// in others' private metadata cost 93 % more per request than a term found nowhere: candidates
// the access rule then threw away. The index is about (members + 1) times as large.
//
// The tokenizer wraps FTS5's own trigram tokenizer (its case folding, its characters), which
// is why it lives in the store: FTS5 reads rows in this form only through it.
//   a row gives the index    "<bytes>:<access set key>" followed by its search text
//   a query phrase is        "<bytes>:<member>" followed by one trigram
//   a token is               "<bytes>:<member>" followed by a folded trigram
// The length prefix keeps any member name from posing as another member's token.
#include <sqlite3.h>

#include <string>
#include <string_view>
#include <vector>

namespace openem::reader_tagged_trigrams {

// The member every indexed row has: readers who may read every row (admins, read-any scopes)
// search with it alone. No access-set member looks like it ("g:…", "s:…").
inline constexpr std::string_view kEveryone = "*";

inline constexpr const char* kTokenizerName = "openem_reader_trigram";

// Makes the tokenizer known to one connection (every connection that reads or writes an index).
void register_tokenizer(sqlite3* db);

// The FTS5 MATCH expression for rows that one of `readers` may read and that hold every one of
// `trigrams` (three characters each).
std::string match_expression(const std::vector<std::string>& readers, const std::vector<std::string>& trigrams);

// SQL that gives the index text of a row of <t>_text, named `row` ("old", "x"): its access
// set key in the readers column, then its search text.
std::string index_text_sql(const std::string& row);

}  // namespace openem::reader_tagged_trigrams
