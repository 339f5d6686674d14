// Dataset DTO validation, create-time defaults, v3/v4 aliases.
#include "model/dataset.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>

namespace openem {
namespace {
namespace json = boost::json;

json::object raw_body() {
  return json::parse(R"({"type":"raw","ownerGroup":"g","owner":"o","contactEmail":"o@x.org","sourceFolder":"/d/s1/",
    "creationTime":"2024-03-01T10:00:00+01:00","principalInvestigator":"pi","creationLocation":"krios"})").as_object();
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(DatasetTest, ValidRawAndDerived) {
  EXPECT_TRUE(validate_dataset(raw_body(), "raw", false).empty());
  json::object d = raw_body();
  d["type"] = "derived";
  auto errors = validate_dataset(d, "derived", false);
  EXPECT_TRUE(has(errors, "investigator should not be empty"));
  EXPECT_TRUE(has(errors, "inputDatasets should not be empty"));
  EXPECT_TRUE(has(errors, "usedSoftware should not be empty"));
}

TEST(DatasetTest, MessagesNameTheField) {
  json::object b = raw_body();
  b["datasetName"] = 5;
  b["keywords"] = json::array{"a", 1};
  b["contactEmail"] = "not-an-email";
  b["size"] = 1.5;
  b["creationTime"] = "yesterday";
  b["colour"] = "blue";
  b.erase("owner");
  auto e = validate_dataset(b, "raw", false);
  EXPECT_TRUE(has(e, "datasetName must be a string"));
  EXPECT_TRUE(has(e, "each value in keywords must be a string"));
  EXPECT_TRUE(has(e, "contactEmail must be an email"));
  EXPECT_TRUE(has(e, "size must be a number conforming to the specified constraints"));
  EXPECT_TRUE(has(e, "creationTime must be a valid ISO 8601 date string"));
  EXPECT_TRUE(has(e, "property colour should not exist"));
  EXPECT_TRUE(has(e, "owner should not be empty"));
  EXPECT_EQ(e.size(), 7u);
}

// Sizes are summed as signed 64-bit integers (file and archive totals): a value beyond them,
// or not a whole number, is a 400, never a failure later in the sum.
TEST(DatasetTest, IntegersOutsideInt64AreRefused) {
  for (const char* text : {"18446744073709551615", "9.3e18", "-1e300", "1e400", "2.5"}) {
    json::object b = raw_body();
    b["size"] = json::parse(text);
    EXPECT_TRUE(has(validate_dataset(b, "raw", false), "size must be a number conforming to the specified constraints")) << text;
  }
  for (const char* text : {"9223372036854775807", "-5", "1e15", "0"}) {
    json::object b = raw_body();
    b["size"] = json::parse(text);
    EXPECT_TRUE(validate_dataset(b, "raw", false).empty()) << text;
  }
}

TEST(DatasetTest, UpdatesMayEchoServerFieldsButCreatesMayNotCarryHistory) {
  json::object patch{{"createdAt", "2024-01-01"}, {"updatedBy", "x"}, {"history", json::array()}, {"comment", "c"}};
  EXPECT_TRUE(validate_dataset(patch, "raw", true).empty());
  json::object b = raw_body();
  b["history"] = json::array{json::object{{"a", 1}}};
  EXPECT_TRUE(has(validate_dataset(b, "raw", false), "property history should not exist"));
}

TEST(DatasetTest, CustomTypeUsesPluralFields) {
  json::object b = raw_body();
  b["type"] = "custom";
  b["proposalId"] = "p";
  auto e = validate_dataset(b, "custom", false);
  EXPECT_TRUE(has(e, "property proposalId should not exist"));
  EXPECT_TRUE(has(e, "datasetName should not be empty"));
}

TEST(DatasetTest, CompleteNewDatasetFillsDefaults) {
  json::object d = raw_body();
  d["proposalId"] = "prop-1";
  d["datasetlifecycle"] = json::object{{"archivable", false}};
  d["classification"] = "AV=high";
  complete_new_dataset(d, DatasetDefaults{.pid = "PFX/1", .version = "3", .tape_redundancy = "medium"});
  EXPECT_EQ(d["pid"], "PFX/1");
  EXPECT_EQ(d["_id"], "PFX/1");
  EXPECT_EQ(d["version"], "3");
  EXPECT_EQ(d["isPublished"], false);
  EXPECT_EQ(d["numberOfFiles"], 0);
  EXPECT_EQ(d["datasetName"], "s1");  // last part of the source folder
  EXPECT_EQ(d["classification"], "IN=medium,AV=medium,CO=low");
  EXPECT_EQ(d["creationTime"], "2024-03-01T09:00:00.000Z");  // normalised to UTC
  EXPECT_EQ(d["proposalIds"], json::array{"prop-1"});
  EXPECT_EQ(d["principalInvestigators"], json::array{"pi"});
  const auto& lc = d["datasetlifecycle"].as_object();
  EXPECT_EQ(lc.at("archivable"), false);  // given values win over defaults
  EXPECT_EQ(lc.at("archiveStatusMessage"), "datasetCreated");
  EXPECT_EQ(lc.at("retrievable"), false);
}

// What a read with include adds (and the computed scientificMetadataValid) is accepted when a
// client echoes it, but a created, patched or replaced dataset never keeps it.
TEST(DatasetTest, EchoedReadFieldsAreNeverKept) {
  json::object body = raw_body();
  json::array blocks{json::object{{"size", 1}, {"dataFileList", json::array{json::object{{"path", "m.eer"}}}}}};
  body["origdatablocks"] = blocks;
  body["datablocks"] = json::array();
  body["attachments"] = json::array{json::object{{"caption", "c"}}};
  body["scientificMetadataValid"] = true;
  EXPECT_TRUE(validate_dataset(body, "raw", false).empty());
  EXPECT_TRUE(validate_dataset_v4(json::object{{"origdatablocks", blocks}, {"scientificMetadataValid", true}}, true).empty());
  auto kept_none = [](const json::object& doc) {
    for (const char* f : {"attachments", "origdatablocks", "datablocks", "scientificMetadataValid"})
      if (doc.contains(f)) return false;
    return true;
  };
  json::object created = body;
  complete_new_dataset(created, DatasetDefaults{.pid = "p/1"});
  EXPECT_TRUE(kept_none(created));
  json::object patched = merge_dataset_update(created, body);
  EXPECT_TRUE(kept_none(patched));
  EXPECT_EQ(patched.at("owner"), "o");
  json::object replaced = body;  // a PUT body becomes the document
  normalize_dataset(replaced);
  EXPECT_TRUE(kept_none(replaced));
}

TEST(DatasetTest, AliasesStayInStepAndV4DropsSingulars) {
  json::object d{{"proposalIds", json::array{"a", "b"}}};
  normalize_dataset(d);
  EXPECT_EQ(d["proposalId"], "a");
  d["proposalId"] = "b";
  d.erase("proposalIds");
  normalize_dataset(d);
  EXPECT_EQ(d["proposalIds"], json::array{"b"});
  json::object v4 = dataset_v4_view(d);
  EXPECT_FALSE(v4.contains("proposalId"));
  EXPECT_EQ(v4["proposalIds"], json::array{"b"});
}

TEST(DatasetTest, V4HasOneDtoWithPluralFields) {
  json::object b{{"type", "derived"}, {"datasetName", "n"}, {"ownerGroup", "g"}, {"contactEmail", "a@x.org; b@y.org"},
                 {"sourceFolder", "/d"}, {"creationTime", "2024-03-01T10:00:00Z"},
                 {"principalInvestigators", json::array{"pi"}}, {"proposalIds", json::array{"p"}}};
  EXPECT_TRUE(validate_dataset_v4(b, false).empty());  // no owner, investigator, inputDatasets needed
  b["investigator"] = "inv";
  b["contactEmail"] = "a@x.org;nope";
  b.erase("datasetName");
  auto e = validate_dataset_v4(b, false);
  EXPECT_TRUE(has(e, "property investigator should not exist"));
  EXPECT_TRUE(has(e, "Expected an email or a list of semicolon separated emails, got a@x.org;nope"));
  EXPECT_TRUE(has(e, "datasetName should not be empty"));
  EXPECT_EQ(e.size(), 3u);
  EXPECT_TRUE(validate_dataset_v4(json::object{{"sampleIds", json::array{"s"}}}, true).empty());
}

TEST(DatasetTest, DerivedInvestigatorIsTheFirstPrincipalInvestigator) {
  json::object d{{"type", "derived"}, {"investigator", "inv"}};
  normalize_dataset(d);
  EXPECT_EQ(d["principalInvestigators"], json::array{"inv"});
  EXPECT_EQ(d["principalInvestigator"], "inv");
  json::object v4 = dataset_v4_view(d);
  EXPECT_FALSE(v4.contains("investigator"));
  EXPECT_FALSE(v4.contains("principalInvestigator"));
  // a v4 change of the list moves every v3 name along
  json::object changed = merge_dataset_update(d, json::object{{"principalInvestigators", json::array{"a", "b"}}});
  EXPECT_EQ(changed["investigator"], "a");
  EXPECT_EQ(changed["principalInvestigator"], "a");
  // a v3 change of the investigator replaces the list
  changed = merge_dataset_update(changed, json::object{{"investigator", "c"}});
  EXPECT_EQ(changed["principalInvestigators"], json::array{"c"});
  EXPECT_EQ(changed["principalInvestigator"], "c");
  // a raw dataset's investigator is a plain field
  json::object raw{{"type", "raw"}, {"principalInvestigator", "pi"}, {"investigator", "other"}};
  normalize_dataset(raw);
  EXPECT_EQ(raw["principalInvestigators"], json::array{"pi"});
  EXPECT_EQ(raw["investigator"], "other");
}

TEST(DatasetTest, LifecycleUpdatesAreValidated) {
  EXPECT_TRUE(validate_lifecycle(json::object{{"archivable", true}, {"archiveStatusMessage", "x"}}).empty());
  auto e = validate_lifecycle(json::object{{"archivable", "yes"}, {"notALifecycleKey", 1}});
  EXPECT_TRUE(has(e, "archivable must be a boolean value"));
  EXPECT_TRUE(has(e, "property notALifecycleKey should not exist"));
}

}  // namespace
}  // namespace openem
