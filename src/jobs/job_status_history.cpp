#include "jobs/job_status_history.h"

#include <boost/json.hpp>

namespace openem {
namespace json = boost::json;

void note_job_status(json::object& job, std::string_view when) {
  const json::value* code = job.if_contains("statusCode");
  if (!code || !code->is_string()) return;
  json::value& history = job["statusHistory"];
  if (!history.is_array()) history = json::array();
  json::array& entries = history.get_array();
  if (!entries.empty() && entries.back().is_object()) {
    const json::value* last = entries.back().get_object().if_contains("statusCode");
    if (last && *last == *code) return;
  }
  const json::value* message = job.if_contains("statusMessage");
  entries.push_back(json::object{{"statusCode", *code},
                                 {"statusMessage", message && message->is_string() ? *message : json::value("")},
                                 {"time", json::string(when)}});
  if (entries.size() > kMaxStatusHistory) entries.erase(entries.begin(), entries.end() - kMaxStatusHistory);
}

}  // namespace openem
