#include "blob/s3/s3_url.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace openem {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of a query value ('+' is a space, as browsers and curl --data-urlencode
// write it); nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

// Bucket names as S3 allows them, legacy ones included (upper case, '_'), so that the name
// can go into a URL path as it is.
bool valid_bucket(std::string_view b) {
  if (b.empty() || b.size() > 255) return false;
  for (char c : b)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) return false;
  return true;
}

std::string lookup(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

}  // namespace

std::string S3Location::display() const {
  return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
}

std::optional<S3Location> parse_s3_url(std::string_view url, const std::map<std::string, std::string>& env,
                                       std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = "invalid S3 location '" + std::string(url.substr(0, 200)) + "': " + why;
    return std::nullopt;
  };
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) return fail("it must start with s3://");
  std::string_view rest = url.substr(kScheme.size());
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  S3Location loc;
  size_t slash = rest.find('/');
  loc.bucket = std::string(rest.substr(0, slash));
  if (!valid_bucket(loc.bucket)) return fail("the bucket name must be letters, digits, '.', '-' or '_'");
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (prefix.find("//") != std::string_view::npos) return fail("the key prefix has an empty segment");
    loc.prefix = std::string(prefix);
  }

  std::string region;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value) return fail("broken percent escape in '" + std::string(name) + "'");
    if (name == "endpoint") {
      loc.endpoint = *value;
    } else if (name == "region") {
      region = *value;
    } else if (name == "part_size") {
      // Bytes per multipart part, and the size above which uploads go in parts: smaller parts
      // use less memory (the archive tier holds one), larger ones fewer requests.
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), v);
      if (ec != std::errc() || end != value->data() + value->size() || value->empty())
        return fail("part_size: expected a number of bytes, got '" + *value + "'");
      if (v < (5 << 20) || v > (std::int64_t{5} << 30))
        return fail("part_size: S3 parts are 5 MiB (5242880) to 5 GiB, got " + *value);
      loc.tuning.part_size = loc.tuning.multipart_threshold = v;
    } else if (name == "presign") {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), v);
      if (ec != std::errc() || end != value->data() + value->size() || v < 1 || v > 604800)
        return fail("presign: expected the seconds a download link stays valid, 1 to 604800 (seven days), got '" + *value + "'");
      loc.presign_seconds = v;
    } else if (name == "public_endpoint") {
      loc.public_endpoint = *value;
    } else {
      return fail("unknown parameter '" + std::string(name) +
                  "' (known: endpoint, region, part_size, presign, public_endpoint)");
    }
  }

  if (region.empty()) region = lookup(env, "AWS_REGION");
  if (region.empty()) region = lookup(env, "AWS_DEFAULT_REGION");
  if (!region.empty()) loc.region = region;
  for (char c : loc.region)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return fail("invalid region '" + loc.region + "'");

  if (loc.endpoint.empty()) loc.endpoint = "https://s3." + loc.region + ".amazonaws.com";
  while (!loc.endpoint.empty() && loc.endpoint.back() == '/') loc.endpoint.pop_back();
  if (loc.endpoint.rfind("http://", 0) != 0 && loc.endpoint.rfind("https://", 0) != 0)
    return fail("the endpoint must be an http:// or https:// URL");
  if (loc.endpoint.find_first_of("?# ") != std::string::npos)
    return fail("the endpoint must not have a query, a fragment or spaces");

  if (!loc.public_endpoint.empty()) {
    while (!loc.public_endpoint.empty() && loc.public_endpoint.back() == '/') loc.public_endpoint.pop_back();
    const size_t authority = loc.public_endpoint.find("://");
    if ((loc.public_endpoint.rfind("http://", 0) != 0 && loc.public_endpoint.rfind("https://", 0) != 0) ||
        loc.public_endpoint.find_first_of("/?# ", authority + 3) != std::string::npos)
      return fail("public_endpoint must be an http:// or https:// URL with no path (the signature covers the path)");
  }

  loc.access_key_id = lookup(env, "AWS_ACCESS_KEY_ID");
  loc.secret_access_key = lookup(env, "AWS_SECRET_ACCESS_KEY");
  loc.session_token = lookup(env, "AWS_SESSION_TOKEN");
  if (loc.access_key_id.empty() || loc.secret_access_key.empty())
    return fail("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
  return loc;
}

std::optional<S3Location> parse_s3_url(std::string_view url, std::string* error) {
  std::map<std::string, std::string> env;
  for (const char* name :
       {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})
    if (const char* value = std::getenv(name)) env.emplace(name, value);
  return parse_s3_url(url, env, error);
}

}  // namespace openem
