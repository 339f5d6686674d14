#include "http/router.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

HttpRequest request(const std::string& target) {
  HttpRequest req;
  req.target = target;
  parse_target(target, req);
  return req;
}

Handler named(std::string name) {
  return [name](HttpRequest&) { return HttpResponse::text(200, name); };
}

TEST(Router, TrailingRestCapturesTheRemainingSegments) {
  Router r;
  r.add("GET", "/api/v3/Datasets/:pid/files/*path", named("file"));
  r.add("GET", "/api/v3/Datasets/:pid/files/special", named("special"));
  r.add("GET", "/api/v3/Datasets/:pid", named("dataset"));
  bool mismatch = false;

  HttpRequest req = request("/api/v3/datasets/PID.prefix%2Fabc/files/raw/sub%20dir/movie_001.tif?x=1");
  const Route* m = r.match("GET", req, mismatch);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->pattern, "/api/v3/Datasets/:pid/files/*path");
  EXPECT_EQ(req.params.at("pid"), "PID.prefix/abc");
  EXPECT_EQ(req.params.at("path"), "raw/sub dir/movie_001.tif");

  req = request("/api/v3/Datasets/p/files/one");
  ASSERT_NE(m = r.match("HEAD", req, mismatch), nullptr);  // HEAD is served by GET routes
  EXPECT_EQ(req.params.at("path"), "one");

  // At equal literal counts the exact route wins over the wildcard.
  req = request("/api/v3/Datasets/p/files/special");
  ASSERT_NE(m = r.match("GET", req, mismatch), nullptr);
  EXPECT_EQ(m->pattern, "/api/v3/Datasets/:pid/files/special");
  // The wildcard needs at least one segment.
  req = request("/api/v3/Datasets/p/files");
  EXPECT_EQ(r.match("GET", req, mismatch), nullptr);
  EXPECT_FALSE(mismatch);
  req = request("/api/v3/Datasets/p/files/a/b");
  EXPECT_EQ(r.match("DELETE", req, mismatch), nullptr);
  EXPECT_TRUE(mismatch);
  req = request("/api/v3/Datasets/p");
  ASSERT_NE(m = r.match("GET", req, mismatch), nullptr);
  EXPECT_EQ(m->pattern, "/api/v3/Datasets/:pid");
}

// Routes are grouped by their first three literal segments; routes with a parameter there,
// short routes and the choice among several matches must behave as one ordered list.
TEST(Router, GroupsByLeadingSegmentsWithoutChangingTheChoice) {
  Router r;
  r.add("GET", "/api/v3/Datasets/fullquery", named("fullquery"));
  r.add("GET", "/api/v3/Datasets/:pid", named("dataset"));
  r.add("GET", "/api/:version/Datasets/:pid", named("any-version"));  // parameter among the first three
  r.add("GET", "/ping", named("ping"));
  r.add("POST", "/api/v3/Proposals/:id", named("proposal-post"));
  r.add("GET", "/api/v3/:collection/:id", named("generic"));
  bool mismatch = false;
  auto pattern_of = [&](const std::string& method, const std::string& target) -> std::string {
    HttpRequest req = request(target);
    const Route* m = r.match(method, req, mismatch);
    return m ? m->pattern : "";
  };
  EXPECT_EQ(pattern_of("GET", "/API/V3/DATASETS/FULLQUERY"), "/api/v3/Datasets/fullquery");  // case-insensitive
  EXPECT_EQ(pattern_of("GET", "/api/v3/datasets/abc"), "/api/v3/Datasets/:pid");          // more literal segments win
  EXPECT_EQ(pattern_of("GET", "/api/v4/datasets/abc"), "/api/:version/Datasets/:pid");
  EXPECT_EQ(pattern_of("GET", "/ping"), "/ping");
  EXPECT_EQ(pattern_of("GET", "/api/v3/samples/s1"), "/api/v3/:collection/:id");
  EXPECT_EQ(pattern_of("GET", "/api/v3/proposals/p1"), "/api/v3/:collection/:id");
  EXPECT_EQ(pattern_of("DELETE", "/api/v3/proposals/p1"), "");
  EXPECT_TRUE(mismatch);  // the path exists with other methods
  EXPECT_EQ(pattern_of("GET", "/api/v3"), "");
  EXPECT_FALSE(mismatch);
}

TEST(Router, RestSegmentMustBeLast) {
  Router r;
  EXPECT_THROW(r.add("GET", "/a/*rest/b", named("x")), std::invalid_argument);
}

}  // namespace
}  // namespace openem
