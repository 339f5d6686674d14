#include "core/sealed_box.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

TEST(SealedBoxTest, OpensWhatItSealedAndNothingElse) {
  SealedBox box("secret", "purpose v1");
  const std::string sealed = box.seal("seq 42");
  EXPECT_EQ(box.open(sealed), "seq 42");
  EXPECT_NE(box.seal("seq 42"), sealed);  // a fresh iv each time: equal texts do not show
  EXPECT_EQ(SealedBox("secret", "purpose v1").open(sealed), "seq 42");  // another process of the deployment
  EXPECT_FALSE(SealedBox("secret", "other purpose v1").open(sealed));
  EXPECT_FALSE(SealedBox("other secret", "purpose v1").open(sealed));
  std::string changed = sealed;
  changed[20] = changed[20] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.open(changed));
  EXPECT_FALSE(box.open(""));
  EXPECT_FALSE(box.open("not base64 !"));
  EXPECT_FALSE(box.open(sealed.substr(0, 20)));
  EXPECT_FALSE(box.open(std::string(20000, 'A')));
  EXPECT_EQ(box.open(box.seal("")), "");
}

}  // namespace
}  // namespace openem
