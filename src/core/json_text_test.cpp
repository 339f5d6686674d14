#include "core/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace openem {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonTextTest, EscapesAsBoostJsonDoes) {
  for (std::string_view s : {std::string_view(""), std::string_view("plain pid/L01-00017"),
                             std::string_view("say \"hi\"\\ \n\r\t\b\f"), std::string_view("\x01\x1f end", 6),
                             std::string_view("Kryo\xc3\xa9 \xe2\x86\x92 ok"), std::string_view("nul\0in", 6)}) {
    EXPECT_EQ(quoted(s), boost::json::serialize(boost::json::value(boost::json::string_view(s.data(), s.size()))));
    EXPECT_EQ(boost::json::parse(quoted(s)).as_string(), s);  // and reads back
  }
}

TEST(JsonTextTest, AppendsToWhatIsThere) {
  std::string out = "[";
  append_json_string(out, "a");
  out += ",";
  append_json_string(out, "b\"");
  EXPECT_EQ(out, "[\"a\",\"b\\\"\"");
}

}  // namespace
}  // namespace openem
