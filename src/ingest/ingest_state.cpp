#include "ingest/ingest_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "blob/posix_file.h"
#include "core/time.h"
#include "ingest/sha256.h"

namespace openem::ingest {
namespace json = boost::json;
namespace fs = std::filesystem;

const FileRecord* IngestState::find(const std::string& path) const {
  for (const auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

fs::path default_state_dir() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return fs::path(x) / "openem" / "ingest";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / ".local" / "state" / "openem" / "ingest";
}

fs::path default_state_path(const fs::path& state_dir, const std::string& session) {
  return state_dir / (sha256_hex(session).substr(0, 32) + ".json");
}

std::string state_to_json(const IngestState& s) {
  json::object o;
  o["version"] = 1;
  o["session"] = s.session;
  o["server"] = s.server;
  o["pid"] = s.pid;
  o["registered"] = s.registered;
  o["lifecycleSet"] = s.lifecycle_set;
  o["uploadDone"] = s.upload_done;
  o["updatedAt"] = now_iso();
  json::array files;
  files.reserve(s.files.size());
  for (const auto& f : s.files) {
    json::object r;
    r["path"] = f.path;
    r["size"] = f.size;
    r["mtimeNs"] = f.mtime_ns;
    r["sha256"] = f.sha256;
    if (!f.upload_url.empty()) r["uploadUrl"] = f.upload_url;
    if (f.sent) r["sent"] = true;
    if (f.uploaded) r["uploaded"] = true;
    files.emplace_back(std::move(r));
  }
  o["files"] = std::move(files);
  return json::serialize(o);
}

IngestState state_from_json(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) throw std::runtime_error("not JSON");
  const json::object& o = v.get_object();
  auto str = [](const json::object& x, const char* k) -> std::string {
    auto* p = x.if_contains(k);
    return p && p->is_string() ? std::string(p->get_string()) : std::string();
  };
  auto flag = [](const json::object& x, const char* k) {
    auto* p = x.if_contains(k);
    return p && p->is_bool() && p->get_bool();
  };
  auto* ver = o.if_contains("version");
  if (!ver || !ver->is_int64() || ver->get_int64() != 1) throw std::runtime_error("unknown state version");
  IngestState s;
  s.session = str(o, "session");
  s.server = str(o, "server");
  s.pid = str(o, "pid");
  s.registered = flag(o, "registered");
  s.lifecycle_set = flag(o, "lifecycleSet");
  s.upload_done = flag(o, "uploadDone");
  s.updated_at = str(o, "updatedAt");
  if (auto* files = o.if_contains("files"); files && files->is_array()) {
    for (const auto& fv : files->get_array()) {
      if (!fv.is_object()) throw std::runtime_error("file entry is not an object");
      const auto& fo = fv.get_object();
      FileRecord r;
      r.path = str(fo, "path");
      auto num = [&](const char* k) -> std::int64_t {
        auto* p = fo.if_contains(k);
        if (p && p->is_int64()) return p->get_int64();
        if (p && p->is_uint64()) return static_cast<std::int64_t>(p->get_uint64());
        throw std::runtime_error(std::string("file entry without ") + k);
      };
      r.size = static_cast<std::uint64_t>(num("size"));
      r.mtime_ns = num("mtimeNs");
      r.sha256 = str(fo, "sha256");
      r.upload_url = str(fo, "uploadUrl");
      r.sent = flag(fo, "sent");
      r.uploaded = flag(fo, "uploaded");
      s.files.push_back(std::move(r));
    }
  }
  return s;
}

std::optional<IngestState> load_state(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || !fs::exists(file)) return std::nullopt;
    throw std::runtime_error(file.string() + ": cannot read: " + std::strerror(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return state_from_json(ss.str());
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": not an ingest state file (" + e.what() + ")");
  }
}

void save_state(const fs::path& file, const IngestState& state, bool durable) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  write_file_atomically(file, state_to_json(state), 0600, durable);
}

}  // namespace openem::ingest
