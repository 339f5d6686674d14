// The published-data state machine and who may move a record through it (upstream's
// published-data authorization model), and DOI minting and checking.
#include "publish/published_data/status.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "model/collection.h"
#include "publish/published_data/doi.h"

namespace openem {
namespace {

using A = PublishedAction;
using S = PublishedStatus;

PublishedActor creator() { return {false, true, false}; }
PublishedActor admin() { return {true, false, true}; }
PublishedActor stranger() { return {false, false, false}; }
PublishedActor deleter() { return {false, false, true}; }

int refused(S from, A action, PublishedActor who, PublishedApi api = PublishedApi::V4) {
  auto r = refuse_action(from, action, who, api);
  return r ? r->status : 0;
}

TEST(PublishedStatusTest, CreatorsActOnlyOnTheirOwnPrivateRecords) {
  for (A a : {A::Update, A::Publish, A::Register, A::Resync}) {
    EXPECT_EQ(refused(S::Private, a, creator()), 0);
    EXPECT_EQ(refused(S::Public, a, creator()), 400);
    EXPECT_EQ(refused(S::Registered, a, creator()), 400);
  }
  // Someone else's record looks missing, in every state.
  for (S s : {S::Private, S::Public, S::Registered, S::Amended})
    EXPECT_EQ(refused(s, A::Update, stranger()), 404);
}

TEST(PublishedStatusTest, AdminsActOnAnyRecordNotYetHandedToDataCite) {
  EXPECT_EQ(refused(S::Public, A::Update, admin()), 0);
  EXPECT_EQ(refused(S::Public, A::Register, admin()), 0);
  EXPECT_EQ(refused(S::Public, A::Publish, admin()), 400);
  EXPECT_EQ(refused(S::Registered, A::Update, admin()), 400);
  EXPECT_EQ(refused(S::Registered, A::Register, admin()), 400);
  EXPECT_EQ(refused(S::Amended, A::Update, admin()), 400);
  EXPECT_EQ(refused(S::Registered, A::Resync, admin()), 400);
  EXPECT_EQ(refused(S::Amended, A::Resync, admin()), 0);
}

TEST(PublishedStatusTest, OnlyAdminsAmendAndOnlyRegisteredRecords) {
  EXPECT_EQ(refused(S::Registered, A::Amend, creator()), 403);
  EXPECT_EQ(refused(S::Registered, A::Amend, admin()), 0);
  EXPECT_EQ(refused(S::Public, A::Amend, admin()), 400);
  EXPECT_EQ(refused(S::Amended, A::Amend, admin()), 400);
}

TEST(PublishedStatusTest, DeleteNeedsDeleteGroupsAndV3HasNoInstanceCheck) {
  EXPECT_EQ(refused(S::Private, A::Delete, creator()), 403);
  EXPECT_EQ(refused(S::Registered, A::Delete, deleter(), PublishedApi::V3), 0);
  EXPECT_EQ(refused(S::Registered, A::Delete, deleter(), PublishedApi::V4), 404);
  EXPECT_EQ(refused(S::Registered, A::Delete, admin(), PublishedApi::V4), 400);
  EXPECT_EQ(refused(S::Public, A::Delete, admin(), PublishedApi::V4), 0);
}

TEST(PublishedStatusTest, TransitionsAndTheV3View) {
  EXPECT_EQ(status_after(S::Private, A::Publish), S::Public);
  EXPECT_EQ(status_after(S::Public, A::Register), S::Registered);
  EXPECT_EQ(status_after(S::Registered, A::Amend), S::Amended);
  EXPECT_EQ(status_after(S::Amended, A::Resync), S::Registered);
  EXPECT_EQ(status_after(S::Private, A::Resync), S::Private);
  EXPECT_STREQ(v3_status_name(S::Amended), "registered");
  EXPECT_STREQ(v3_status_name(S::Public), "pending_registration");
  EXPECT_EQ(parse_published_status("pending_registration"), std::nullopt);
  EXPECT_FALSE(is_readable_by_anyone(S::Private));
  EXPECT_TRUE(is_readable_by_anyone(S::Public));
}

// The store harvests (OAI-PMH) exactly the records everyone may read: the collection's public
// values and is_readable_by_anyone must agree on every state.
TEST(PublishedStatusTest, HarvestedStatesAreTheReadableOnes) {
  const auto& values = schemas::published_data().public_values;
  for (S s : {S::Private, S::Public, S::Registered, S::Amended})
    EXPECT_EQ(std::count(values.begin(), values.end(), published_status_name(s)), is_readable_by_anyone(s) ? 1 : 0)
        << published_status_name(s);
  EXPECT_EQ(values.size(), 3u);
}

TEST(DoiTest, MintedDoisHaveThePrefixAndAreValid) {
  std::string long_doi = mint_doi("10.5072", false), short_doi = mint_doi("10.5072", true);
  EXPECT_EQ(long_doi.rfind("10.5072/", 0), 0u);
  EXPECT_EQ(long_doi.size(), 8u + 36u);
  EXPECT_EQ(short_doi.size(), 8u + 10u);
  EXPECT_EQ(doi_problem(long_doi, "10.5072"), std::nullopt);
  EXPECT_NE(mint_doi("10.5072", false), long_doi);
  EXPECT_THROW(mint_doi("", false), std::invalid_argument);
}

TEST(DoiTest, BadDoisAreRefusedWithTheReason) {
  EXPECT_EQ(doi_problem("10.5072/abc", ""), std::nullopt);
  EXPECT_TRUE(doi_problem("", "")->find("empty") != std::string::npos);
  EXPECT_TRUE(doi_problem("doi:10.5072/abc", "")->find("10.<registrant>") != std::string::npos);
  EXPECT_TRUE(doi_problem("10.5072/", ""));
  EXPECT_TRUE(doi_problem("10.50a2/x", ""));
  EXPECT_TRUE(doi_problem("10.5072/a b", "")->find("without spaces") != std::string::npos);
  EXPECT_TRUE(doi_problem("10.5072/\xC3\xA9", ""));
  EXPECT_TRUE(doi_problem("10.1234/abc", "10.5072")->find("prefix 10.5072") != std::string::npos);
  EXPECT_TRUE(doi_problem("10.5072/" + std::string(300, 'a'), "")->find("200") != std::string::npos);
}

TEST(DoiTest, LandingUrlsEncodeTheDoiAsEncodeURIComponent) {
  EXPECT_EQ(doi_landing_url("https://data.example.org/doi/", "10.5072/a b(c)"),
            "https://data.example.org/doi/10.5072%2Fa%20b(c)");
}

}  // namespace
}  // namespace openem
