#pragma once
// CifReader: reads CIF 1.1 text (mmCIF model files, the PDBx/mmCIF dictionary) into data
// blocks, save frames and statements, keeping each statement's byte range in the input so a
// merge can copy untouched parts of a model byte for byte (mmcif_export.h). Syntax only: no
// dictionary knowledge. Bad input is an error value with its line, never a crash; limits keep
// hostile input bounded. Pure; thread-safe.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace openem::cif {

// A value as written. `?` (unknown) and `.` (inapplicable) are special only when unquoted.
struct Value {
  std::string text;
  bool quoted = false;
  bool is_unknown() const { return !quoted && text == "?"; }
  bool is_inapplicable() const { return !quoted && text == "."; }
  bool is_null() const { return is_unknown() || is_inapplicable(); }
};

// One statement: a tag-value pair or a loop. `begin`/`end` are byte offsets of the statement
// in the input (from its first tag or `loop_` to the end of its last value).
struct Statement {
  std::vector<std::string> tags;  // one for a pair
  std::vector<Value> values;      // row-major for a loop
  bool loop = false;
  std::size_t begin = 0, end = 0;
  std::size_t rows() const { return tags.empty() ? 0 : values.size() / tags.size(); }
  // The category of the first tag, lower case ("_atom_site.id" → "atom_site"); "" without a dot.
  std::string category() const;
};

struct Frame {
  std::string name;  // block or save-frame name, without "data_"/"save_"
  std::vector<Statement> statements;
  // The value of a pair, or the first value of a looped tag; nullptr when absent.
  const Value* find(std::string_view tag) const;
  // All values of a tag (a pair's one value, or its loop column), in order.
  std::vector<const Value*> column(std::string_view tag) const;
};

struct Block : Frame {
  std::vector<Frame> save_frames;
  std::size_t begin = 0;  // byte offset of its data_ line
};

struct Document {
  std::vector<Block> blocks;
};

struct ReadError {
  std::size_t line = 0;
  std::string message;
};

struct ReadLimits {
  std::size_t max_bytes = std::size_t{1} << 31;  // 2 GiB
  std::size_t max_tags_per_loop = 10000;
};

// Parses CIF text. Tags keep their spelling; CIF compares them ignoring case, as find() does.
std::variant<Document, ReadError> read_cif(std::string_view text, const ReadLimits& limits = {});

// CIF quoting for a value written by us: bare when safe, else '…', "…" or a ;-text field.
// An empty string is written as '' (never as ? — absent values are not written at all).
std::string quote_value(std::string_view value);

}  // namespace openem::cif
