#include "publish/oai/identifiers.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace openem::oai {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// oai-identifier.xsd: the characters of a local identifier, '%' aside (it escapes).
bool local_identifier_char(char c) {
  static constexpr std::string_view kMarks = "-_.!~*'();/?:@&=+$,";
  return alnum(c) || kMarks.find(c) != std::string_view::npos;
}

bool set_char(char c) {
  static constexpr std::string_view kMarks = "-_.!*'()";  // '~' is the escape
  return alnum(c) || kMarks.find(c) != std::string_view::npos;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // canonical forms use upper case only
}

std::string escape(std::string_view s, char mark, bool (*keep)(char)) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (keep(c)) {
      out += c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out += mark;
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// Decodes the escapes; nullopt for a broken one.
std::optional<std::string> decode(std::string_view s, char mark) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != mark) {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Decodes and insists on the canonical form: the value must escape back to the same text.
std::optional<std::string> unescape(std::string_view s, char mark, bool (*keep)(char)) {
  auto out = decode(s, mark);
  if (!out || out->empty() || escape(*out, mark, keep) != s) return std::nullopt;
  return out;
}

const SetKindInfo kSetKinds[] = {
    {SetKind::Instrument, "instrument", "Instruments", "instrumentIds"},
    {SetKind::Technique, "technique", "Techniques", "techniques.name"},
    {SetKind::Group, "group", "Owner groups (facilities)", "ownerGroup"},
    {SetKind::Status, "status", "Publication status", ""},
};

}  // namespace

bool valid_repository_identifier(std::string_view s) {
  // [a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+
  std::size_t labels = 0, i = 0;
  while (i <= s.size()) {
    std::size_t dot = s.find('.', i);
    if (dot == std::string_view::npos) dot = s.size();
    std::string_view label = s.substr(i, dot - i);
    if (label.empty() || !((label[0] >= 'a' && label[0] <= 'z') || (label[0] >= 'A' && label[0] <= 'Z'))) return false;
    for (char c : label)
      if (!alnum(c) && c != '-') return false;
    ++labels;
    i = dot + 1;
  }
  return labels >= 2;
}

namespace {
constexpr std::string_view kDoiMark = "doi:";

std::string escaped_id(const ItemRef& item) {
  std::string local = escape(item.id, '%', local_identifier_char);
  if (item.kind == ItemKind::PublishedData) return std::string(kDoiMark) + local;
  if (local.rfind(kDoiMark, 0) == 0) local.replace(3, 1, "%3A");  // keeps "doi:" for records
  return local;
}
}  // namespace

std::string item_identifier(std::string_view repository, const ItemRef& item) {
  return "oai:" + std::string(repository) + ":" + escaped_id(item);
}

std::optional<ItemRef> item_of(std::string_view repository, std::string_view identifier) {
  const std::string prefix = "oai:" + std::string(repository) + ":";
  if (identifier.size() <= prefix.size() || identifier.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view local = identifier.substr(prefix.size());
  ItemRef item;
  if (local.substr(0, kDoiMark.size()) == kDoiMark) {
    item.kind = ItemKind::PublishedData;
    local.remove_prefix(kDoiMark.size());
  }
  // Decoded leniently, then held to the canonical form: one identifier per item.
  auto id = decode(local, '%');
  if (!id || id->empty()) return std::nullopt;
  item.id = std::move(*id);
  if (item_identifier(repository, item) != identifier) return std::nullopt;
  return item;
}

std::string set_component(std::string_view value) { return escape(value, '~', set_char); }

std::optional<std::string> value_of_set_component(std::string_view component) {
  return unescape(component, '~', set_char);
}

const SetKindInfo* set_kinds(std::size_t& count) {
  count = std::size(kSetKinds);
  return kSetKinds;
}

std::optional<SetSelection> parse_set(std::string_view spec) {
  std::size_t colon = spec.find(':');
  std::string_view head = spec.substr(0, colon);
  for (const auto& k : kSetKinds) {
    if (head != k.spec) continue;
    if (colon == std::string_view::npos) return SetSelection{&k, ""};
    auto value = value_of_set_component(spec.substr(colon + 1));  // a ':' in it is not canonical
    if (!value) return std::nullopt;
    if (k.kind == SetKind::Status && *value != kPublishedStatus &&
        std::none_of(std::begin(kRecordStatusSets), std::end(kRecordStatusSets),
                     [&](const RecordStatusSet& r) { return *value == r.status; }))
      return std::nullopt;
    return SetSelection{&k, *value};
  }
  return std::nullopt;
}

}  // namespace openem::oai
