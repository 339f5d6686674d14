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

TEST(Router, RestSegmentMustBeLast) {
  Router r;
  EXPECT_THROW(r.add("GET", "/a/*rest/b", named("x")), std::invalid_argument);
}

}  // namespace
}  // namespace openem
