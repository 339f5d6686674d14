#include "model/file_list.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace openem {
namespace {
namespace json = boost::json;

std::vector<std::string> errors_for_path(const std::string& path, bool archive = false) {
  json::object file{{"path", path}, {"size", 1}, {"time", "2024-03-01T10:00:00Z"}};
  json::object block{{"datasetId", "p"}, {"size", 1}, {"dataFileList", json::array{file}}};
  if (archive) block["archiveId"] = "a.tar";
  return validate_file_block(block, false, archive);
}

TEST(FileList, PathsFollowTheUploadRule) {
  EXPECT_TRUE(errors_for_path("raw/movie_001.tif").empty());
  EXPECT_TRUE(errors_for_path("Ångström µm/ä.mrc").empty());
  for (const std::string& bad : std::vector<std::string>{"/abs", "./a", "a//b", "a/", "a/../b", "a\\b", "a\x01", std::string(256, 'x'), std::string("bad\xff")}) {
    for (bool archive : {false, true}) {
      auto errors = errors_for_path(bad, archive);
      ASSERT_EQ(errors.size(), 1u) << bad;
      EXPECT_EQ(errors[0].rfind("dataFileList.0.path '", 0), 0u) << errors[0];
      EXPECT_NE(errors[0].find("is not a valid file path: "), std::string::npos) << errors[0];
    }
  }
  EXPECT_EQ(errors_for_path("bad\xff.bin")[0], "dataFileList.0.path 'bad\\xFF.bin' is not a valid file path: is not valid UTF-8");
}

}  // namespace
}  // namespace openem
