#include "publish/oai/arguments.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace openem::oai {
namespace {

constexpr std::size_t kMaxValueBytes = 4096;  // far above any identifier or token of ours

struct VerbRule {
  const char* name;
  Verb verb;
  std::set<std::string> allowed;
};

const std::array<VerbRule, 6>& verb_rules() {
  static const std::array<VerbRule, 6> rules{{
      {"Identify", Verb::Identify, {}},
      {"ListMetadataFormats", Verb::ListMetadataFormats, {"identifier"}},
      {"ListSets", Verb::ListSets, {"resumptionToken"}},
      {"ListIdentifiers", Verb::ListIdentifiers, {"metadataPrefix", "from", "until", "set", "resumptionToken"}},
      {"ListRecords", Verb::ListRecords, {"metadataPrefix", "from", "until", "set", "resumptionToken"}},
      {"GetRecord", Verb::GetRecord, {"identifier", "metadataPrefix"}},
  }};
  return rules;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// OAI-PMH.xsd: metadataPrefixType and the parts of setSpecType.
bool unreserved_mark(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' || c == '(' || c == ')';
}

// An identifier is an anyURI: no spaces, controls or characters outside ASCII (a harvester
// sends an identifier it got from us, and ours are all ASCII).
bool plausible_uri(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '<' && c != '>' && c != '"' && c != '{' && c != '}' && c != '|' &&
           c != '\\' && c != '^' && c != '`';
  });
}

bool digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return false;
  for (std::size_t i = at; i < at + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int number(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

Error bad_argument(std::string message) { return {"badArgument", std::move(message)}; }

}  // namespace

const char* verb_name(Verb v) {
  for (const auto& r : verb_rules())
    if (r.verb == v) return r.name;
  return "";
}

std::optional<ArgumentList> parse_form(std::string_view text) {
  ArgumentList out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view piece = text.substr(pos, amp - pos);
    pos = amp + 1;
    if (piece.empty()) continue;
    std::size_t eq = piece.find('=');
    auto name = form_decode(piece.substr(0, eq));
    auto value = form_decode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

std::optional<Datestamp> parse_datestamp(std::string_view s) {
  if (s.size() != 10 && s.size() != 20) return std::nullopt;
  if (!digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2)) return std::nullopt;
  int y = number(s, 0, 4), m = number(s, 5, 2), d = number(s, 8, 2);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1] || (m == 2 && d == 29 && !leap)) return std::nullopt;
  Datestamp out;
  out.start = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86'400'000;
  if (s.size() == 10) {
    out.day = true;
    return out;
  }
  if (s[10] != 'T' || !digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2) ||
      s[19] != 'Z')
    return std::nullopt;
  int hh = number(s, 11, 2), mm = number(s, 14, 2), ss = number(s, 17, 2);
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  out.start += (hh * 3600 + mm * 60 + ss) * 1000LL;
  return out;
}

std::string datestamp_text(std::string_view iso) {
  if (iso.size() < 19) return std::string(iso);
  return std::string(iso.substr(0, 19)) + "Z";
}

bool valid_metadata_prefix(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), unreserved_mark);
}

bool valid_set_spec(std::string_view s) {
  if (s.empty() || s.front() == ':' || s.back() == ':' || s.find("::") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ':' || unreserved_mark(c); });
}

std::variant<Request, Error> validate(const ArgumentList& args) {
  std::vector<std::string> verbs;
  for (const auto& [name, value] : args)
    if (name == "verb") verbs.push_back(value);
  if (verbs.empty()) return Error{"badVerb", "The verb argument is missing"};
  if (verbs.size() > 1) return Error{"badVerb", "The verb argument is repeated"};
  const VerbRule* rule = nullptr;
  for (const auto& r : verb_rules())
    if (verbs[0] == r.name) rule = &r;
  if (!rule) return Error{"badVerb", "Not an OAI-PMH verb"};

  Request req;
  req.verb = rule->verb;
  req.arguments.emplace_back("verb", verbs[0]);
  std::map<std::string, std::string> given;
  for (const auto& [name, value] : args) {
    if (name == "verb") continue;
    if (!rule->allowed.count(name)) return bad_argument("Illegal argument for " + std::string(rule->name) + ": " + name);
    if (given.count(name)) return bad_argument("The argument " + name + " is repeated");
    if (value.empty()) return bad_argument("The argument " + name + " is empty");
    if (value.size() > kMaxValueBytes) return bad_argument("The argument " + name + " is too long");
    given[name] = value;
    req.arguments.emplace_back(name, value);
  }
  auto take = [&](const char* name) { return given.count(name) ? given[name] : std::string(); };
  req.identifier = take("identifier");
  req.metadata_prefix = take("metadataPrefix");
  req.set = take("set");
  req.resumption_token = take("resumptionToken");
  req.from_text = take("from");
  req.until_text = take("until");

  if (!req.resumption_token.empty()) {
    if (given.size() > 1) return bad_argument("resumptionToken is an exclusive argument");
    return req;
  }
  const bool list = rule->verb == Verb::ListIdentifiers || rule->verb == Verb::ListRecords;
  if ((list || rule->verb == Verb::GetRecord) && req.metadata_prefix.empty())
    return bad_argument("The argument metadataPrefix is missing");
  if (rule->verb == Verb::GetRecord && req.identifier.empty()) return bad_argument("The argument identifier is missing");
  if (!req.metadata_prefix.empty() && !valid_metadata_prefix(req.metadata_prefix))
    return bad_argument("metadataPrefix has characters a metadata prefix cannot have");
  if (!req.identifier.empty() && !plausible_uri(req.identifier))
    return bad_argument("identifier is not a URI");
  if (!req.set.empty() && !valid_set_spec(req.set)) return bad_argument("set is not a setSpec");
  if (!req.from_text.empty()) {
    req.from = parse_datestamp(req.from_text);
    if (!req.from) return bad_argument("from is not a date (YYYY-MM-DD) or time (YYYY-MM-DDThh:mm:ssZ)");
  }
  if (!req.until_text.empty()) {
    req.until = parse_datestamp(req.until_text);
    if (!req.until) return bad_argument("until is not a date (YYYY-MM-DD) or time (YYYY-MM-DDThh:mm:ssZ)");
  }
  if (req.from && req.until) {
    if (req.from->day != req.until->day) return bad_argument("from and until have different granularities");
    if (req.from->start > req.until->start) return bad_argument("from is later than until");
  }
  return req;
}

}  // namespace openem::oai
