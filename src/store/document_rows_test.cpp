#include "store/document_rows.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>

#include "core/error.h"
#include "store/store_errors.h"
#include "model/access_set.h"
#include "model/scientific_metadata.h"

namespace openem {
namespace {
namespace json = boost::json;

json::object dataset() {
  json::object doc{{"pid", "PFX/1"},
                   {"ownerGroup", "g1"},
                   {"accessGroups", json::array{"g2", "g1"}},
                   {"sharedWith", json::array{"a@x.org"}},
                   {"isPublished", true},
                   {"type", "raw"},
                   {"size", 42},
                   {"datasetName", "apoferritin 20210906-46"},
                   {"keywords", json::array{"cryo", "spa", "cryo"}},
                   {"creationTime", "2021-09-06T12:00:00+02:00"},
                   {"datasetlifecycle", json::object{{"archiveStatusMessage", "datasetCreated"}}},
                   {"scientificMetadata", json::parse(R"({"beam_energy":{"value":300,"unit":"keV"},
                      "frames":[3,4],"detector":"Falcon 4i","odd":{"value":7,"unit":"furlongs-per-blob"}})")}};
  doc["scientificMetadata"] = with_si_values(doc["scientificMetadata"]);
  return doc;
}

FieldValue column_in(const DocumentRows& rows, const std::string& field) {
  const auto& cols = schemas::datasets().columns;
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (cols[i].field == field) return rows.columns.at(i);
  throw std::logic_error("no column " + field);
}

TEST(DocumentRows, HoldWhatTheDocumentSays) {
  json::object doc = dataset();
  DocumentRows rows = document_rows(schemas::datasets(), doc);
  EXPECT_EQ(rows.schema, &schemas::datasets());
  EXPECT_EQ(rows.id, "PFX/1");
  EXPECT_EQ(json::parse(rows.json), json::value(doc));
  ASSERT_EQ(rows.columns.size(), schemas::datasets().columns.size());
  EXPECT_EQ(column_in(rows, "type"), FieldValue(std::string("raw")));
  EXPECT_EQ(column_in(rows, "size"), FieldValue(std::int64_t{42}));
  EXPECT_EQ(column_in(rows, "isPublished"), FieldValue(std::int64_t{1}));
  // dates are stored as the UTC instant they name
  EXPECT_EQ(column_in(rows, "creationTime"), FieldValue(std::string("2021-09-06T10:00:00.000Z")));
  EXPECT_EQ(column_in(rows, "datasetlifecycle.archiveStatusMessage"), FieldValue(std::string("datasetCreated")));
  EXPECT_EQ(column_in(rows, "owner"), FieldValue(nullptr));
  EXPECT_EQ(rows.access_set, access_set_key({"g:g1", "g:g2", "g:", "s:a@x.org"}));
  ASSERT_TRUE(std::holds_alternative<std::string>(rows.search_text));
  EXPECT_NE(std::get<std::string>(rows.search_text).find("20210906-46"), std::string::npos);
}

TEST(DocumentRows, SideValuesKeepDuplicatesForTheTableToDrop) {
  DocumentRows rows = document_rows(schemas::datasets(), dataset());
  auto values_of = [&](const std::string& field) {
    std::vector<std::string> out;
    for (const auto& [f, v] : rows.values)
      if (f == field) out.push_back(v);
    return out;
  };
  EXPECT_EQ(values_of("#access"), (std::vector<std::string>{"g1", "g2", "g1", ""}));
  EXPECT_EQ(values_of("keywords"), (std::vector<std::string>{"cryo", "spa", "cryo"}));
  EXPECT_EQ(values_of("sharedWith"), std::vector<std::string>{"a@x.org"});
  EXPECT_TRUE(values_of("proposalIds").empty());
}

TEST(DocumentRows, LeavesAreNumberedAndConverted) {
  DocumentRows rows = document_rows(schemas::datasets(), dataset());
  ASSERT_EQ(rows.leaves.size(), 5u);
  for (std::size_t i = 0; i < rows.leaves.size(); ++i) EXPECT_EQ(rows.leaves[i].ord, static_cast<std::int64_t>(i));
  auto leaf = [&](const std::string& path) {
    auto it = std::find_if(rows.leaves.begin(), rows.leaves.end(), [&](const ScientificRow& r) { return r.path == path; });
    if (it == rows.leaves.end()) throw std::logic_error("no leaf " + path);
    return *it;
  };
  ScientificRow energy = leaf("beam_energy");
  EXPECT_EQ(energy.num, FieldValue(300.0));
  ASSERT_TRUE(std::holds_alternative<double>(energy.num_si));
  EXPECT_NEAR(std::get<double>(energy.num_si), 300e3 * 1.602176634e-19, 1e-25);
  EXPECT_EQ(leaf("detector").text, FieldValue(std::string("Falcon 4i")));
  EXPECT_EQ(leaf("detector").num, FieldValue(nullptr));
  // a unit nobody converts is kept as given, and the raw number stands in for the SI one
  EXPECT_EQ(leaf("odd").unit_si, "furlongs-per-blob");
  EXPECT_EQ(leaf("odd").num_si, FieldValue(7.0));
  EXPECT_EQ(std::count_if(rows.leaves.begin(), rows.leaves.end(), [](const ScientificRow& r) { return r.path == "frames"; }),
            2);
}

TEST(DocumentRows, CountedDocumentHasDistinctKeysPerFacet) {
  DocumentRows rows = document_rows(schemas::datasets(), dataset());
  const auto& facets = schemas::datasets().counted_facets;
  ASSERT_EQ(rows.counted.values.size(), facets.size());
  EXPECT_EQ(rows.counted.access_set, rows.access_set);
  auto at = [&](const std::string& f) {
    return rows.counted.values.at(std::find(facets.begin(), facets.end(), f) - facets.begin());
  };
  EXPECT_EQ(at("type"), std::vector<json::value>{json::value("raw")});
  EXPECT_EQ(at("isPublished"), std::vector<json::value>{json::value(true)});
  EXPECT_EQ(at("keywords"), (std::vector<json::value>{json::value("cryo"), json::value("spa")}));
  EXPECT_EQ(at("creationLocation"), std::vector<json::value>{json::value(nullptr)});
}

TEST(DocumentRows, CollectionsWithoutExtrasLeaveThemEmpty) {
  // Policies have no text index, no scientific metadata and no counts.
  json::object policy{{"_id", "p1"}, {"id", "p1"}, {"ownerGroup", "g"}, {"accessGroups", json::array{"h"}}};
  DocumentRows rows = document_rows(schemas::policies(), policy);
  EXPECT_EQ(rows.id, "p1");
  EXPECT_TRUE(rows.leaves.empty());
  EXPECT_EQ(rows.search_text, FieldValue(nullptr));
  EXPECT_TRUE(rows.counted.values.empty());
  EXPECT_EQ(rows.access_set, access_set_key({"g:g", "g:h"}));
  EXPECT_EQ(rows.values.size(), 3u);  // "#access" g and h, accessGroups h
}

TEST(DocumentRows, ADocumentWithoutAStringIdIsRefused) {
  json::object doc = dataset();
  doc["pid"] = 7;
  EXPECT_THROW(document_rows(schemas::datasets(), doc), StoreError);
  doc.erase("pid");
  EXPECT_THROW(document_rows(schemas::datasets(), doc), StoreError);
}

}  // namespace
}  // namespace openem
