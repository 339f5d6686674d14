#include "ingest/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "ingest/http_client.h"
#include "ingest/sha256.h"

namespace openem::ingest {
namespace {
namespace fs = std::filesystem;

TEST(Credentials, SavedPerServerWithMode0600) {
  fs::path dir = fs::temp_directory_path() / ("openem-cred-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::path file = dir / "openem" / "credentials.json";
  save_credential(file, {"http://127.0.0.1:3000/api/v3", "user1", "tok-1", 1700000000000});
  save_credential(file, {"https://catalog.example.org", "ingestor", "tok-2", 0});
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto a = load_credential(file, "http://127.0.0.1:3000/");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->username, "user1");
  EXPECT_EQ(a->token, "tok-1");
  EXPECT_EQ(a->expires_at_ms, 1700000000000);
  auto b = load_credential(file, "https://catalog.example.org/api/v3");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->token, "tok-2");
  EXPECT_FALSE(load_credential(file, "http://other:3000").has_value());
  save_credential(file, {"http://127.0.0.1:3000", "user1", "tok-3", 0});
  EXPECT_EQ(load_credential(file, "http://127.0.0.1:3000")->token, "tok-3");
  fs::remove_all(dir);
}

TEST(Credentials, JwtExpiry) {
  auto b64url = [](std::string s) {
    std::string t = base64_encode(s);
    while (!t.empty() && t.back() == '=') t.pop_back();
    for (char& c : t) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return t;
  };
  std::string token = b64url("{\"alg\":\"HS256\"}") + "." + b64url("{\"username\":\"u\",\"exp\":1700000123}") + ".sig";
  EXPECT_EQ(jwt_expiry_ms(token), 1700000123000);
  EXPECT_EQ(jwt_expiry_ms("not-a-jwt"), std::nullopt);
}

TEST(ServerUrl, ApiSuffixesAreStripped) {
  EXPECT_EQ(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
  EXPECT_EQ(origin_of("http://127.0.0.1:3000/"), "http://127.0.0.1:3000");
  EXPECT_EQ(origin_of("http://127.0.0.1:3000/api/v3"), "http://127.0.0.1:3000");
  EXPECT_EQ(origin_of("https://h.org/scicat/api/v3/"), "https://h.org/scicat");
  EXPECT_THROW(origin_of("ftp://h.org"), std::invalid_argument);
  EXPECT_THROW(origin_of("127.0.0.1:3000"), std::invalid_argument);
  EXPECT_EQ(url_encode("PID.prefix/a b"), "PID.prefix%2Fa%20b");
}

}  // namespace
}  // namespace openem::ingest
