#include "publish/markup.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

TEST(Markup, EscapesMarkupAndDropsWhatXmlForbids) {
  EXPECT_EQ(xml_escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(xml_escape(std::string("a\x01" "b\tc\n", 6)), "ab\tc\n");
  EXPECT_EQ(xml_escape("x\xEF\xBF\xBFy \xC3\x85"), "xy \xC3\x85");  // U+FFFF dropped, Å kept
}

TEST(Markup, JsonInAScriptCannotCloseIt) {
  EXPECT_EQ(script_json_escape(R"({"t":"</script><!--"})"), R"({"t":"\u003c/script\u003e\u003c!--"})");
}

TEST(Markup, UrlSegmentsEncodeSlashes) {
  EXPECT_EQ(url_segment("PID.prefix/abc def"), "PID.prefix%2Fabc%20def");
  EXPECT_EQ(url_segment("10.5072/x"), "10.5072%2Fx");
}

}  // namespace
}  // namespace openem
