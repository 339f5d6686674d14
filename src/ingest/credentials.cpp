#include "ingest/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "blob/posix_file.h"
#include "ingest/http_client.h"
#include "ingest/sha256.h"

namespace openem::ingest {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace {

json::object read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  json::error_code ec;
  json::value v = json::parse(ss.str(), ec);
  if (ec || !v.is_object()) throw std::runtime_error(file.string() + ": not a credentials file");
  return v.get_object();
}

}  // namespace

fs::path default_credentials_path() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return fs::path(x) / "openem" / "credentials.json";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".config" / "openem" / "credentials.json";
}

std::optional<SavedCredential> load_credential(const fs::path& file, const std::string& server) {
  json::object all = read_all(file);
  std::string origin = origin_of(server);
  auto* servers = all.if_contains("servers");
  if (!servers || !servers->is_object()) return std::nullopt;
  auto* entry = servers->get_object().if_contains(origin);
  if (!entry || !entry->is_object()) return std::nullopt;
  const auto& o = entry->get_object();
  SavedCredential c;
  c.server = origin;
  if (auto* p = o.if_contains("username"); p && p->is_string()) c.username = p->get_string();
  if (auto* p = o.if_contains("token"); p && p->is_string()) c.token = p->get_string();
  if (auto* p = o.if_contains("expiresAtMs"); p && p->is_int64()) c.expires_at_ms = p->get_int64();
  if (c.token.empty()) return std::nullopt;
  return c;
}

void save_credential(const fs::path& file, const SavedCredential& c) {
  json::object all;
  try {
    all = read_all(file);
  } catch (const std::exception&) {
    all = {};  // a damaged file is replaced
  }
  if (!all.contains("servers") || !all["servers"].is_object()) all["servers"] = json::object();
  all["servers"].get_object()[origin_of(c.server)] =
      json::object{{"username", c.username}, {"token", c.token}, {"expiresAtMs", c.expires_at_ms}};
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  ::chmod(file.parent_path().c_str(), 0700);
  write_file_atomically(file, json::serialize(all) + "\n", 0600, /*durable=*/true);
}

std::optional<std::int64_t> jwt_expiry_ms(const std::string& token) {
  std::size_t a = token.find('.');
  std::size_t b = a == std::string::npos ? a : token.find('.', a + 1);
  if (b == std::string::npos) return std::nullopt;
  std::string payload = token.substr(a + 1, b - a - 1);
  for (char& ch : payload) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (payload.size() % 4) payload.push_back('=');
  std::string text = base64_decode(payload);
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* exp = v.get_object().if_contains("exp");
  if (!exp || !exp->is_number()) return std::nullopt;
  return exp->to_number<std::int64_t>() * 1000;
}

}  // namespace openem::ingest
