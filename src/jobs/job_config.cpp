#include "jobs/job_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace openem {
namespace json = boost::json;
namespace {

const char* const kActionTypes[] = {"validate", "log", "url", "email", "error", "rabbitmq"};

std::vector<std::string> parse_auth(const json::value* v, const std::string& where) {
  std::vector<std::string> out;
  if (!v || v->is_null()) return out;  // no auth: only job admins
  if (v->is_string()) {
    out.emplace_back(v->get_string());
  } else if (v->is_array()) {
    for (const auto& a : v->get_array()) {
      if (!a.is_string()) throw std::runtime_error(where + ".auth: expected strings");
      out.emplace_back(a.get_string());
    }
  } else {
    throw std::runtime_error(where + ".auth: expected a string or a list of strings");
  }
  return out;
}

JobStep parse_step(const json::object& job, const char* name, const std::string& where) {
  JobStep step;
  const json::value* v = job.if_contains(name);
  if (!v || v->is_null()) return step;
  if (!v->is_object()) throw std::runtime_error(where + "." + name + ": expected an object");
  const auto& o = v->get_object();
  step.auth = parse_auth(o.if_contains("auth"), where + "." + name);
  if (const json::value* actions = o.if_contains("actions"); actions && !actions->is_null()) {
    if (!actions->is_array()) throw std::runtime_error(where + "." + name + ".actions: expected a list");
    for (const auto& a : actions->get_array()) {
      std::string at = where + "." + name + ".actions[" + std::to_string(step.actions.size()) + "]";
      if (!a.is_object() || !a.get_object().contains("actionType") || !a.at("actionType").is_string())
        throw std::runtime_error(at + ": expected an object with actionType");
      JobAction action{std::string(a.at("actionType").get_string()), a.get_object()};
      bool known = false;
      for (const char* t : kActionTypes) known = known || action.type == t;
      if (!known)
        throw std::runtime_error(at + ": actionType '" + action.type +
                                 "' is not supported by openem (validate, log, url, email, error, rabbitmq)");
      if (action.type == "url" && !action.spec.contains("url"))
        throw std::runtime_error(at + ": a url action needs 'url'");
      if (action.type == "email" && !action.spec.contains("to"))
        throw std::runtime_error(at + ": an email action needs 'to'");
      if (action.type == "rabbitmq")  // upstream's RabbitMQJobActionOptions: exchange, queue, key
        for (const char* field : {"exchange", "queue", "key"}) {
          const json::value* v = action.spec.if_contains(field);
          if (!v || !v->is_string() || v->get_string().empty())
            throw std::runtime_error(at + ": a rabbitmq action needs '" + field + "' (a name)");
        }
      step.actions.push_back(std::move(action));
    }
  }
  return step;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("JOB_CONFIGURATION_FILE: cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

const JobTypeConfig* JobConfig::find(std::string_view job_type) const {
  for (const auto& j : jobs)
    if (j.job_type == job_type) return &j;
  return nullptr;
}

bool JobConfig::uses_action(std::string_view type) const {
  for (const auto& j : jobs)
    for (const JobStep* step : {&j.create, &j.update})
      for (const auto& a : step->actions)
        if (a.type == type) return true;
  return false;
}

JobConfig parse_job_config(const json::value& v) {
  if (!v.is_object()) throw std::runtime_error("job configuration: expected an object with configVersion and jobs");
  const auto& o = v.get_object();
  JobConfig c;
  if (auto* cv = o.if_contains("configVersion")) {
    if (cv->is_string()) c.config_version = cv->get_string();
    else c.config_version = json::serialize(*cv);
  }
  if (c.config_version.empty()) throw std::runtime_error("job configuration: configVersion is required");
  const json::value* jobs = o.if_contains("jobs");
  if (!jobs || !jobs->is_array()) throw std::runtime_error("job configuration: 'jobs' must be a list");
  for (const auto& j : jobs->get_array()) {
    std::string where = "jobs[" + std::to_string(c.jobs.size()) + "]";
    if (!j.is_object()) throw std::runtime_error(where + ": expected an object");
    const auto& jo = j.get_object();
    auto* type = jo.if_contains("jobType");
    if (!type || !type->is_string() || type->get_string().empty())
      throw std::runtime_error(where + ": jobType is required");
    JobTypeConfig t;
    t.job_type = type->get_string();
    where += " (" + t.job_type + ")";
    if (c.find(t.job_type)) throw std::runtime_error(where + ": jobType appears twice");
    t.create = parse_step(jo, "create", where);
    t.update = parse_step(jo, "update", where);
    c.jobs.push_back(std::move(t));
  }
  return c;
}

JobConfig load_job_config(const std::filesystem::path& file) {
  std::string text = read_text(file);
  std::string ext = file.extension().string();
  try {
    if (ext == ".yaml" || ext == ".yml") return parse_job_config(parse_simple_yaml(text));
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) throw std::runtime_error("invalid JSON: " + ec.message());
    return parse_job_config(v);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("JOB_CONFIGURATION_FILE " + file.string() + ": " + e.what());
  }
}

JobConfig default_job_config() {
  static const char* kDefault = R"({
    "configVersion": "openem-default-1",
    "jobs": [
      {"jobType": "archive",
       "create": {"auth": "#datasetOwner",
                  "actions": [{"actionType": "validate",
                               "datasets": {"datasetlifecycle.archivable": {"const": true}}},
                              {"actionType": "log"}]},
       "update": {"auth": "@archivemanager", "actions": [{"actionType": "log"}]}},
      {"jobType": "retrieve",
       "create": {"auth": "#datasetAccess",
                  "actions": [{"actionType": "validate",
                               "datasets": {"datasetlifecycle.retrievable": {"const": true}}},
                              {"actionType": "log"}]},
       "update": {"auth": "@archivemanager", "actions": [{"actionType": "log"}]}},
      {"jobType": "public",
       "create": {"auth": "#datasetPublic",
                  "actions": [{"actionType": "validate", "datasets": {"isPublished": {"const": true}}},
                              {"actionType": "log"}]},
       "update": {"auth": "@archivemanager", "actions": [{"actionType": "log"}]}}
    ]})";
  return parse_job_config(json::parse(kDefault));
}

// ---- the YAML subset ----------------------------------------------------------------------
namespace {

struct YamlLine {
  int indent;
  std::string text;
  int number;
};

std::string strip_comment(const std::string& s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
      return s.substr(0, i);
    }
  }
  return s;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

json::value scalar(const std::string& raw, int line);

// Splits a flow collection's inside at top-level commas.
std::vector<std::string> split_flow(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  int depth = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!trim(cur).empty()) out.push_back(trim(cur));
  return out;
}

// Position of the ':' that ends a mapping key (outside quotes, followed by space or end).
size_t key_colon(const std::string& s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if ((c == '"' || c == '\'') && i == 0) {
      quote = c;
    } else if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) {
      return i;
    } else if (c == '{' || c == '[') {
      return std::string::npos;
    }
  }
  return std::string::npos;
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    std::string body = s.substr(1, s.size() - 2);
    if (s.front() == '"') {
      std::string out;
      for (size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '\\' && i + 1 < body.size()) {
          char n = body[++i];
          out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
        } else {
          out += body[i];
        }
      }
      return out;
    }
    return body;
  }
  return s;
}

json::value scalar(const std::string& raw, int line) {
  std::string s = trim(raw);
  if (s.empty() || s == "~" || s == "null") return nullptr;
  if (s.front() == '[') {
    if (s.back() != ']') throw std::runtime_error("line " + std::to_string(line) + ": unterminated [");
    json::array a;
    for (const auto& item : split_flow(s.substr(1, s.size() - 2))) a.push_back(scalar(item, line));
    return a;
  }
  if (s.front() == '{') {
    if (s.back() != '}') throw std::runtime_error("line " + std::to_string(line) + ": unterminated {");
    json::object o;
    for (const auto& item : split_flow(s.substr(1, s.size() - 2))) {
      size_t c = key_colon(item);
      if (c == std::string::npos) throw std::runtime_error("line " + std::to_string(line) + ": expected key: value");
      o[unquote(trim(item.substr(0, c)))] = scalar(item.substr(c + 1), line);
    }
    return o;
  }
  if (s.front() == '"' || s.front() == '\'') return json::string(unquote(s));
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  char* end = nullptr;
  long long i = std::strtoll(s.c_str(), &end, 10);
  if (end && *end == '\0') return static_cast<std::int64_t>(i);
  double d = std::strtod(s.c_str(), &end);
  if (end && *end == '\0') return d;
  return json::string(s);
}

class YamlParser {
 public:
  explicit YamlParser(std::vector<YamlLine> lines) : lines_(std::move(lines)) {}

  json::value parse() {
    if (lines_.empty()) return json::object();
    json::value v = block(lines_[0].indent);
    if (pos_ != lines_.size()) fail("unexpected indentation");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    int line = pos_ < lines_.size() ? lines_[pos_].number : (lines_.empty() ? 0 : lines_.back().number);
    throw std::runtime_error("YAML line " + std::to_string(line) + ": " + why);
  }

  static bool is_item(const std::string& t) { return t == "-" || t.rfind("- ", 0) == 0; }

  json::value block(int indent) {
    if (is_item(lines_[pos_].text)) return sequence(indent);
    return mapping(indent);
  }

  json::value sequence(int indent) {
    json::array a;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent && is_item(lines_[pos_].text)) {
      YamlLine& l = lines_[pos_];
      std::string rest = l.text == "-" ? "" : l.text.substr(2);
      size_t lead = rest.find_first_not_of(' ');
      if (lead == std::string::npos) {  // "-" alone: the item is the nested block
        ++pos_;
        if (pos_ >= lines_.size() || lines_[pos_].indent <= indent) a.push_back(nullptr);
        else a.push_back(block(lines_[pos_].indent));
      } else if (key_colon(rest.substr(lead)) != std::string::npos || is_item(rest.substr(lead))) {
        // "- key: value": a mapping (or sequence) whose first line starts after the dash
        l.indent = indent + 2 + static_cast<int>(lead);
        l.text = rest.substr(lead);
        a.push_back(block(l.indent));
      } else {
        a.push_back(scalar(rest, l.number));
        ++pos_;
      }
    }
    return a;
  }

  json::value mapping(int indent) {
    json::object o;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent && !is_item(lines_[pos_].text)) {
      const YamlLine& l = lines_[pos_];
      size_t c = key_colon(l.text);
      if (c == std::string::npos) fail("expected 'key: value'");
      std::string key = unquote(trim(l.text.substr(0, c)));
      std::string value = trim(l.text.substr(c + 1));
      int number = l.number;
      ++pos_;
      if (!value.empty() && value != "|" && value != ">") {
        o[key] = scalar(value, number);
      } else if (value == "|" || value == ">") {  // block scalar: the more-indented lines
        std::string text;
        while (pos_ < lines_.size() && lines_[pos_].indent > indent) {
          text += (text.empty() ? "" : (value == "|" ? "\n" : " ")) + lines_[pos_].text;
          ++pos_;
        }
        o[key] = json::string(text + (value == "|" ? "\n" : ""));
      } else if (pos_ < lines_.size() &&
                 (lines_[pos_].indent > indent || (lines_[pos_].indent == indent && is_item(lines_[pos_].text)))) {
        o[key] = block(lines_[pos_].indent);
      } else {
        o[key] = nullptr;
      }
    }
    return o;
  }

  std::vector<YamlLine> lines_;
  size_t pos_ = 0;
};

}  // namespace

json::value parse_simple_yaml(std::string_view text) {
  std::vector<YamlLine> lines;
  std::istringstream in{std::string(text)};
  std::string raw;
  int number = 0;
  while (std::getline(in, raw)) {
    ++number;
    if (raw.find('\t') != std::string::npos && raw.find_first_not_of(" \t") != std::string::npos &&
        raw[raw.find_first_not_of(' ')] == '\t')
      throw std::runtime_error("YAML line " + std::to_string(number) + ": tabs are not allowed for indentation");
    std::string s = strip_comment(raw);
    std::string t = trim(s);
    if (t.empty() || t == "---") continue;
    int indent = static_cast<int>(s.find_first_not_of(' '));
    lines.push_back({indent, t, number});
  }
  return YamlParser(std::move(lines)).parse();
}

}  // namespace openem
