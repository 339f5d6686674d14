#include "jobs/job_actions.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/pattern.h"

namespace openem {
namespace json = boost::json;
namespace {

std::string as_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return "";
  return json::serialize(v);
}

bool type_matches(const json::value& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") return v.is_int64() || v.is_uint64() || (v.is_double() && v.get_double() == static_cast<double>(static_cast<std::int64_t>(v.get_double())));
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

double number_of(const json::value& v) { return v.is_number() ? v.to_number<double>() : 0; }

// Checks `rules` ({path: schema}) against root; appends "Invalid value for 'path'" refusals.
void check_rules(const json::value* rules, const json::value& root, int status, const std::string& what,
                 std::vector<ActionRefusal>& out) {
  if (!rules || !rules->is_object()) return;
  for (const auto& [path, schema] : rules->get_object()) {
    if (!schema.is_object()) continue;
    // scicat-backend-next validateaction.ts: a path that is not there "Requires", a value
    // that fails the schema "Invalid value for".
    const json::value* v = value_at(root, path);
    if (!v) out.push_back({status, "Invalid request. Requires '" + std::string(path) + "'" + what});
    else if (!value_matches(v, schema.get_object()))
      out.push_back({status, "Invalid request. Invalid value for '" + std::string(path) + "'" + what});
  }
}

std::size_t curl_sink(char*, std::size_t size, std::size_t n, void*) { return size * n; }

struct SmtpBody {
  std::string text;
  std::size_t pos = 0;
};
std::size_t smtp_source(char* out, std::size_t size, std::size_t n, void* user) {
  auto* b = static_cast<SmtpBody*>(user);
  std::size_t k = std::min(size * n, b->text.size() - b->pos);
  std::memcpy(out, b->text.data() + b->pos, k);
  b->pos += k;
  return k;
}

void do_url(const JobAction& a, const json::object& job) {
  std::string url = render_template(as_text(a.spec.at("url")), job);
  std::string method = a.spec.contains("method") ? as_text(a.spec.at("method")) : "POST";
  std::string body = a.spec.contains("body") ? render_template(as_text(a.spec.at("body")), job) : json::serialize(job);
  CURL* c = curl_easy_init();
  if (!c) return;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  if (auto* h = a.spec.if_contains("headers"); h && h->is_object())
    for (const auto& [k, v] : h->get_object())
      headers = curl_slist_append(headers, (std::string(k) + ": " + render_template(as_text(v), job)).c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (method != "GET") curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  // The route pattern only: the URL may carry a token.
  if (rc != CURLE_OK || status >= 400)
    spdlog::warn("event=job_action action=url job={} ok=false status={} error=\"{}\"", as_text(job.at("id")), status,
                 curl_easy_strerror(rc));
  else
    spdlog::info("event=job_action action=url job={} status={}", as_text(job.at("id")), status);
}

void do_email(const JobAction& a, const json::object& job, const Config& config) {
  std::string to = render_template(as_text(a.spec.at("to")), job);
  std::string subject = a.spec.contains("subject") ? render_template(as_text(a.spec.at("subject")), job)
                                                   : "Job " + as_text(job.at("id")) + " " + as_text(job.at("statusCode"));
  std::string body;
  if (auto* f = a.spec.if_contains("bodyTemplateFile"); f && f->is_string()) {
    std::ifstream in(std::string(f->get_string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    body = render_template(ss.str(), job);
  } else if (auto* b = a.spec.if_contains("body"); b && b->is_string()) {
    body = render_template(b->get_string(), job);
  } else {
    body = json::serialize(job);
  }
  if (to.empty()) return;
  if (config.smtp_host.empty()) {  // no server configured: the message goes to the log only
    spdlog::info("event=job_action action=email job={} to=\"{}\" subject=\"{}\" sent=false reason=\"no SMTP_HOST\"",
                 as_text(job.at("id")), to, subject);
    return;
  }
  SmtpBody msg{"From: " + config.smtp_from + "\r\nTo: " + to + "\r\nSubject: " + subject +
               "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"};
  CURL* c = curl_easy_init();
  if (!c) return;
  std::string url = "smtp://" + config.smtp_host + ":" + std::to_string(config.smtp_port);
  curl_slist* rcpt = nullptr;
  std::stringstream list(to);
  for (std::string one; std::getline(list, one, ',');)
    if (!one.empty()) rcpt = curl_slist_append(rcpt, ("<" + one + ">").c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, ("<" + config.smtp_from + ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, smtp_source);
  curl_easy_setopt(c, CURLOPT_READDATA, &msg);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK)
    spdlog::warn("event=job_action action=email job={} to=\"{}\" sent=false error=\"{}\"", as_text(job.at("id")), to,
                 curl_easy_strerror(rc));
  else
    spdlog::info("event=job_action action=email job={} to=\"{}\" sent=true", as_text(job.at("id")), to);
}

}  // namespace

const json::value* value_at(const json::value& root, std::string_view path) {
  if (path.rfind("$.", 0) == 0) path.remove_prefix(2);
  const json::value* cur = &root;
  std::size_t pos = 0;
  while (pos <= path.size() && cur) {
    std::size_t dot = path.find('.', pos);
    std::string_view seg = path.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    std::optional<std::size_t> index;
    if (auto br = seg.find('['); br != std::string_view::npos && seg.back() == ']') {
      index = std::strtoul(std::string(seg.substr(br + 1, seg.size() - br - 2)).c_str(), nullptr, 10);
      seg = seg.substr(0, br);
    }
    if (!seg.empty() && cur->is_array()) {  // "list.0.x", as handlebars writes it
      std::size_t i = 0;
      for (char ch : seg) {
        if (ch < '0' || ch > '9') return nullptr;
        i = i * 10 + static_cast<std::size_t>(ch - '0');
      }
      if (i >= cur->get_array().size()) return nullptr;
      cur = &cur->get_array()[i];
    } else if (!seg.empty()) {
      if (!cur->is_object()) return nullptr;
      cur = cur->get_object().if_contains(seg);
    }
    if (cur && index) {
      if (!cur->is_array() || *index >= cur->get_array().size()) return nullptr;
      cur = &cur->get_array()[*index];
    }
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return cur;
}

bool value_matches(const json::value* v, const json::object& schema) {
  if (!v) return false;  // a rule on a path needs the path
  if (auto* c = schema.if_contains("const"); c && *c != *v) return false;
  if (auto* e = schema.if_contains("enum"); e && e->is_array()) {
    bool any = false;
    for (const auto& x : e->get_array()) any = any || x == *v;
    if (!any) return false;
  }
  if (auto* t = schema.if_contains("type")) {
    if (t->is_string() && !type_matches(*v, t->get_string())) return false;
    if (t->is_array()) {
      bool any = false;
      for (const auto& x : t->get_array()) any = any || (x.is_string() && type_matches(*v, x.get_string()));
      if (!any) return false;
    }
  }
  if (v->is_string()) {
    auto len = static_cast<double>(v->get_string().size());
    if (auto* m = schema.if_contains("minLength"); m && len < number_of(*m)) return false;
    if (auto* m = schema.if_contains("maxLength"); m && len > number_of(*m)) return false;
    if (auto* p = schema.if_contains("pattern"); p && p->is_string()) {
      // The operator's pattern on a value the job's creator chose: bounded (core/pattern.h).
      // One that does not compile or needs too much work does not validate the value.
      try {
        if (!Pattern(p->get_string()).search(v->get_string())) return false;
      } catch (const PatternError&) {
        return false;
      }
    }
  }
  if (v->is_number()) {
    double x = v->to_number<double>();
    if (auto* m = schema.if_contains("minimum"); m && x < number_of(*m)) return false;
    if (auto* m = schema.if_contains("maximum"); m && x > number_of(*m)) return false;
  }
  if (v->is_array()) {
    auto n = static_cast<double>(v->get_array().size());
    if (auto* m = schema.if_contains("minItems"); m && n < number_of(*m)) return false;
    if (auto* m = schema.if_contains("maxItems"); m && n > number_of(*m)) return false;
    if (auto* items = schema.if_contains("items"); items && items->is_object())
      for (const auto& x : v->get_array())
        if (!value_matches(&x, items->get_object())) return false;
  }
  return true;
}

std::vector<ActionRefusal> check_job_actions(const std::vector<JobAction>& actions, const json::object& request,
                                             const std::vector<json::object>& datasets) {
  std::vector<ActionRefusal> out;
  json::value req(request);
  for (const auto& a : actions) {
    if (a.type == "error") {
      std::string msg = a.spec.contains("message") ? as_text(a.spec.at("message")) : "This job type is refused";
      int status = 400;
      if (auto* s = a.spec.if_contains("status"); s && s->is_number()) status = s->to_number<int>();
      out.push_back({status, msg});
    }
    if (a.type != "validate") continue;
    check_rules(a.spec.if_contains("request"), req, 400, "", out);
    for (const auto& d : datasets) {
      json::value dv(d);
      auto* pid = d.if_contains("pid");
      check_rules(a.spec.if_contains("datasets"), dv, 409,
                  " of dataset " + (pid ? as_text(*pid) : std::string("?")), out);
    }
  }
  return out;
}

void run_notify_actions(const std::vector<JobAction>& actions, const json::object& job, const Config& config,
                        std::string_view phase) {
  for (const auto& a : actions) {
    try {
      if (a.type == "log") {
        spdlog::info("event=job_action action=log phase={} job={} type={} statusCode={} ownerUser=\"{}\"", phase,
                     as_text(job.at("id")), job.contains("type") ? as_text(job.at("type")) : "",
                     job.contains("statusCode") ? as_text(job.at("statusCode")) : "",
                     job.contains("ownerUser") ? as_text(job.at("ownerUser")) : "");
      } else if (a.type == "url") {
        do_url(a, job);
      } else if (a.type == "email") {
        do_email(a, job, config);
      }
    } catch (const std::exception& e) {
      spdlog::warn("event=job_action action={} ok=false error=\"{}\"", a.type, e.what());
    }
  }
}

std::string render_template(std::string_view tmpl, const json::object& job) {
  std::string out;
  json::value root(json::object{{"job", job}});
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    std::size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    bool triple = tmpl.substr(open, 3) == "{{{";
    std::size_t start = open + (triple ? 3 : 2);
    std::size_t close = tmpl.find(triple ? "}}}" : "}}", start);
    if (close == std::string_view::npos) break;
    out.append(tmpl.substr(pos, open - pos));
    std::string key(tmpl.substr(start, close - start));
    key.erase(0, key.find_first_not_of(' '));
    key.erase(key.find_last_not_of(' ') + 1);
    if (const json::value* v = value_at(root, key)) out += as_text(*v);
    pos = close + (triple ? 3 : 2);
  }
  out.append(tmpl.substr(pos));
  return out;
}

}  // namespace openem
