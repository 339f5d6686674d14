#include "jobs/job_status_history.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace openem {
namespace {
namespace json = boost::json;

json::object job_in(const char* code, const char* message) {
  return json::object{{"statusCode", code}, {"statusMessage", message}};
}

TEST(JobStatusHistoryTest, EachStatusCodeChangeIsOneEntryWithItsMessageAndTime) {
  json::object job = job_in("jobSubmitted", "Job submitted.");
  note_job_status(job, "2026-12-06T10:00:00.000Z");
  job["statusCode"] = "inProgress";
  job["statusMessage"] = "Job in progress";
  note_job_status(job, "2026-12-06T10:00:05.000Z");
  job["statusMessage"] = "copied 3 of 10 files";  // progress within one status: not history
  note_job_status(job, "2026-12-06T10:00:06.000Z");
  job["statusCode"] = "finishedSuccessful";
  job["statusMessage"] = "Archived 10 files";
  note_job_status(job, "2026-12-06T10:01:00.000Z");
  EXPECT_EQ(json::serialize(job.at("statusHistory")),
            R"([{"statusCode":"jobSubmitted","statusMessage":"Job submitted.","time":"2026-12-06T10:00:00.000Z"},)"
            R"({"statusCode":"inProgress","statusMessage":"Job in progress","time":"2026-12-06T10:00:05.000Z"},)"
            R"({"statusCode":"finishedSuccessful","statusMessage":"Archived 10 files","time":"2026-12-06T10:01:00.000Z"}])");
}

TEST(JobStatusHistoryTest, KeepsTheNewestEntriesOnly) {
  json::object job = job_in("a", "");
  for (std::size_t i = 0; i < kMaxStatusHistory + 7; ++i) {
    job["statusCode"] = "s" + std::to_string(i);
    note_job_status(job, "t" + std::to_string(i));
  }
  const json::array& h = job.at("statusHistory").as_array();
  ASSERT_EQ(h.size(), kMaxStatusHistory);
  EXPECT_EQ(h.front().at("statusCode"), "s7");
  EXPECT_EQ(h.back().at("statusCode"), json::value("s" + std::to_string(kMaxStatusHistory + 6)));
}

TEST(JobStatusHistoryTest, AHistoryThatIsNotAnArrayIsStartedAgainAndNoCodeMeansNoEntry) {
  json::object job{{"statusHistory", "forged"}};
  note_job_status(job, "t");
  EXPECT_EQ(job.at("statusHistory"), "forged");  // no status code: left alone
  job["statusCode"] = "jobSubmitted";
  note_job_status(job, "t");
  EXPECT_EQ(job.at("statusHistory").as_array().size(), 1u);
}

}  // namespace
}  // namespace openem
