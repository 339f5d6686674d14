#include "blob/hasher.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

TEST(Hasher, KnownDigests) {
  EXPECT_EQ(Hasher::hex(Hasher::digest("sha256", "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hasher::hex(Hasher::digest("SHA-1", "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_FALSE(Hasher::create("md5").has_value());
}

TEST(Hasher, IncrementalEqualsOneShotAndRestarts) {
  Hasher h = Hasher::sha256();
  h.update("a");
  h.update("");
  h.update("bc");
  EXPECT_EQ(h.finish(), Hasher::digest("sha256", "abc"));
  h.update("abc");
  EXPECT_EQ(h.finish(), Hasher::digest("sha256", "abc"));
}

TEST(Hasher, CloneGoesOnIndependently) {
  Hasher h = Hasher::sha256();
  h.update("hello ");
  Hasher checkpoint = h.clone();
  h.update("world");
  EXPECT_EQ(Hasher::hex(h.finish()), Hasher::hex(Hasher::digest("sha256", "hello world")));
  checkpoint.update("there");  // the clone still stands at "hello "
  EXPECT_EQ(Hasher::hex(checkpoint.finish()), Hasher::hex(Hasher::digest("sha256", "hello there")));
}

TEST(Hasher, Base64RoundTrip) {
  EXPECT_EQ(Hasher::base64(""), "");
  EXPECT_EQ(Hasher::base64("f"), "Zg==");
  EXPECT_EQ(Hasher::base64("fo"), "Zm8=");
  EXPECT_EQ(Hasher::base64("foo"), "Zm9v");
  EXPECT_EQ(*Hasher::base64_decode("Zg=="), "f");
  EXPECT_EQ(*Hasher::base64_decode("Zm8"), "fo");
  EXPECT_EQ(*Hasher::base64_decode("cmF3L2EgYi50aWY="), "raw/a b.tif");
  EXPECT_FALSE(Hasher::base64_decode("Zm9v!").has_value());
  EXPECT_FALSE(Hasher::base64_decode("Z").has_value());
  std::string bin;
  for (int i = 0; i < 256; ++i) bin += static_cast<char>(i);
  EXPECT_EQ(*Hasher::base64_decode(Hasher::base64(bin)), bin);
}

}  // namespace
}  // namespace openem
