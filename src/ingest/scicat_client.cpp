#include "ingest/scicat_client.h"

#include <boost/json.hpp>
#include <algorithm>
#include <chrono>
#include <thread>

namespace openem::ingest {
namespace json = boost::json;
namespace {

bool transient(long status) { return status == 502 || status == 503 || status == 504; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

json::value parse_body(const HttpResponse& r, const std::string& what) {
  json::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) throw ApiCallError(r.status, what + ": the server did not answer with JSON");
  return v;
}

std::string str_of(const json::object& o, const char* k) {
  auto* p = o.if_contains(k);
  return p && p->is_string() ? std::string(p->get_string()) : std::string();
}

}  // namespace

std::string error_message(const HttpResponse& r) {
  json::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    if (auto* m = v.get_object().if_contains("message")) {
      if (m->is_string()) return std::string(m->get_string());
      if (m->is_array()) {
        std::string out;
        for (const auto& x : m->get_array())
          if (x.is_string()) out += (out.empty() ? "" : "; ") + std::string(x.get_string());
        return out;
      }
    }
  }
  std::string t = r.body.substr(0, 200);
  std::replace(t.begin(), t.end(), '\n', ' ');
  return t.empty() ? "no message" : t;
}

void with_retries(double seconds, const std::function<void()>& fn) {
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  double wait = 0.25;
  for (;;) {
    try {
      fn();
      return;
    } catch (const NetworkError&) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
    } catch (const ApiCallError& e) {
      if (!transient(e.status()) || std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    wait = std::min(wait * 2, 5.0);
  }
}

ScicatClient::ScicatClient(const std::string& server_url, std::shared_ptr<Auth> auth, double retry_seconds)
    : http_(origin_of(server_url)), auth_(std::move(auth)), retry_seconds_(retry_seconds) {}

LoginResult ScicatClient::login(const std::string& server_url, const std::string& username,
                                const std::string& password) {
  HttpClient http(origin_of(server_url));
  std::string body = json::serialize(json::object{{"username", username}, {"password", password}});
  HttpResponse r;
  with_retries(30, [&] {
    r = http.request("POST", "/api/v3/auth/login", {"Content-Type: application/json"}, body);
    if (transient(r.status)) throw ApiCallError(r.status, "login: server unavailable");
  });
  if (r.status == 401) throw ApiCallError(401, "login refused for '" + username + "': wrong username or password");
  if (r.status / 100 != 2) throw ApiCallError(r.status, "login: " + std::to_string(r.status) + " " + error_message(r));
  json::value v = parse_body(r, "login");
  LoginResult out;
  if (v.is_object()) {
    out.token = str_of(v.get_object(), "access_token");
    if (out.token.empty()) out.token = str_of(v.get_object(), "id");
    if (auto* e = v.get_object().if_contains("expires_in"); e && e->is_number()) out.expires_in = e->to_number<std::int64_t>();
  }
  if (out.token.empty()) throw ApiCallError(r.status, "login: the answer carries no access_token");
  return out;
}

std::string ScicatClient::token_user(const std::string& server_url, const std::string& token) {
  HttpClient http(origin_of(server_url));
  http.set_bearer_token(token);
  HttpResponse r;
  with_retries(30, [&] {
    r = http.request("GET", "/api/v3/auth/whoami", {"Accept: application/json"});
    if (transient(r.status)) throw ApiCallError(r.status, "whoami: server unavailable");
  });
  if (r.status / 100 != 2) throw ApiCallError(r.status, "whoami: " + std::to_string(r.status) + " " + error_message(r));
  json::value v = parse_body(r, "whoami");
  std::string user = v.is_object() ? str_of(v.get_object(), "username") : std::string();
  if (user.empty()) throw ApiCallError(401, "the server does not accept this token (revoked, expired or mistyped)");
  return user;
}

HttpResponse ScicatClient::call(const std::string& method, const std::string& target, const std::string& body,
                                std::vector<long> ok, std::vector<std::string> headers, bool retry) {
  if (!body.empty()) headers.push_back("Content-Type: application/json");
  HttpResponse r;
  bool relogged = false;
  with_retries(retry ? retry_seconds_ : 0, [&] {
    for (;;) {
      http_.set_bearer_token(auth_->token());
      r = http_.request(method, target, headers, body);
      if (r.status == 401 && !relogged && auth_->can_relogin()) {
        relogged = true;
        auth_->set_token(login(http_.origin(), auth_->username(), auth_->password()).token);
        continue;
      }
      break;
    }
    if (transient(r.status)) throw ApiCallError(r.status, method + " " + target + ": " + std::to_string(r.status));
  });
  bool accepted = ok.empty() ? r.status / 100 == 2 : std::find(ok.begin(), ok.end(), r.status) != ok.end();
  if (!accepted) {
    std::string path = target.substr(0, target.find('?'));
    std::string hint = r.status == 401 ? " (token missing or expired: run `openem login` or pass --token)" : "";
    throw ApiCallError(r.status, method + " " + path + ": " + std::to_string(r.status) + " " + error_message(r) + hint);
  }
  return r;
}

Identity ScicatClient::identity() {
  HttpResponse r = call("GET", "/api/v3/users/my/identity");
  json::value v = parse_body(r, "users/my/identity");
  Identity id;
  if (!v.is_object()) return id;
  const json::object* profile = nullptr;
  if (auto* p = v.get_object().if_contains("profile"); p && p->is_object()) profile = &p->get_object();
  if (!profile) return id;
  id.username = str_of(*profile, "username");
  id.email = str_of(*profile, "email");
  id.display_name = str_of(*profile, "displayName");
  if (auto* g = profile->if_contains("accessGroups"); g && g->is_array())
    for (const auto& x : g->get_array())
      if (x.is_string()) id.access_groups.emplace_back(x.get_string());
  return id;
}

std::vector<std::string> ScicatClient::find_by_source_folder(const std::string& folder) {
  json::object filter{{"where", json::object{{"sourceFolder", folder}}}, {"fields", json::array{"pid", "sourceFolder"}}};
  HttpResponse r = call("GET", "/api/v3/datasets?filter=" + url_encode(json::serialize(filter)));
  json::value v = parse_body(r, "datasets lookup");
  std::vector<std::string> pids;
  if (v.is_array())
    for (const auto& d : v.get_array())
      if (d.is_object() && str_of(d.get_object(), "sourceFolder") == folder) {
        std::string pid = str_of(d.get_object(), "pid");
        if (pid.empty()) pid = str_of(d.get_object(), "_id");
        if (!pid.empty()) pids.push_back(pid);
      }
  return pids;
}

bool ScicatClient::dataset_exists(const std::string& pid) {
  json::object filter{{"fields", json::array{"pid"}}};
  HttpResponse r = call("GET", "/api/v3/datasets/" + url_encode(pid) + "?filter=" + url_encode(json::serialize(filter)),
                        {}, {200, 403, 404});
  return r.status == 200;
}

std::string ScicatClient::create_dataset(const json::object& body) {
  HttpResponse r = call("POST", "/api/v3/datasets", json::serialize(body), {}, {}, false);
  json::value v = parse_body(r, "create dataset");
  std::string pid = v.is_object() ? str_of(v.get_object(), "pid") : "";
  if (pid.empty()) throw ApiCallError(r.status, "create dataset: the answer carries no pid");
  return pid;
}

std::map<std::string, RegisteredFile> ScicatClient::registered_files(const std::string& pid) {
  HttpResponse r = call("GET", "/api/v3/datasets/" + url_encode(pid) + "/origdatablocks");
  json::value v = parse_body(r, "origdatablocks");
  std::map<std::string, RegisteredFile> out;
  if (!v.is_array()) return out;
  for (const auto& b : v.get_array()) {
    if (!b.is_object()) continue;
    std::string alg = lower(str_of(b.get_object(), "chkAlg"));
    bool sha256 = alg == "sha256" || alg == "sha-256";
    auto* list = b.get_object().if_contains("dataFileList");
    if (!list || !list->is_array()) continue;
    for (const auto& f : list->get_array()) {
      if (!f.is_object()) continue;
      RegisteredFile rf;
      if (auto* s = f.get_object().if_contains("size"); s && s->is_number()) rf.size = s->to_number<std::uint64_t>();
      if (sha256) rf.chk = lower(str_of(f.get_object(), "chk"));
      out[str_of(f.get_object(), "path")] = rf;
    }
  }
  return out;
}

void ScicatClient::register_block(const json::object& block) {
  call("POST", "/api/v3/origdatablocks", json::serialize(block), {}, {}, false);
}

void ScicatClient::mark_files_ready(const std::string& pid) {
  // What scicat-cli's MarkFilesReady and the OpenEM ingestor send once the files are in place.
  json::object body{{"archiveStatusMessage", "datasetCreated"}, {"archivable", true}};
  call("PATCH", "/api/v3/Datasets/" + url_encode(pid) + "/datasetlifecycle", json::serialize(body));
}

}  // namespace openem::ingest
