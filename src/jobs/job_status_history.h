#pragma once
// A job's status history (`statusHistory`: [{statusCode, statusMessage, time}], oldest first):
// every status a job has been in, written by the server whenever it stores a job, so the
// portal's jobs page and any client can show when a job was queued, started and finished.
// Clients never write it (the job routes copy only statusCode/statusMessage/results).
// Progress messages within one status are not history: an entry is added when the status
// code changes. At most kMaxStatusHistory entries are kept (the newest).
#include <boost/json/object.hpp>

#include <cstddef>
#include <string_view>

namespace openem {

inline constexpr std::size_t kMaxStatusHistory = 50;

// Appends {statusCode, statusMessage, time: when} unless the last entry has this status code.
void note_job_status(boost::json::object& job, std::string_view when);

}  // namespace openem
