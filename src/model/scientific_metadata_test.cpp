#include "model/scientific_metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"

namespace openem {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;

constexpr double kDa = 1.66053906660e-27;

void expect_rel(std::optional<double> actual, double expected) {
  ASSERT_TRUE(actual.has_value());
  EXPECT_NEAR(*actual, expected, std::abs(expected) * 1e-9) << "expected " << expected;
}

std::vector<const ScientificLeaf*> at(const std::vector<ScientificLeaf>& leaves,
                                      std::string_view path) {
  std::vector<const ScientificLeaf*> out;
  for (const auto& l : leaves)
    if (l.path == path) out.push_back(&l);
  return out;
}

const ScientificLeaf& one(const std::vector<ScientificLeaf>& leaves, std::string_view path) {
  auto found = at(leaves, path);
  if (found.size() != 1) {
    ADD_FAILURE() << path << ": " << found.size() << " leaves";
    static const ScientificLeaf kNone;
    return kNone;
  }
  return *found[0];
}

// A real OSC-EM document (SPA, EPU on a Titan Krios), as the OSC-EM → mmCIF converter ships it.
json::value example_metadata() {
  std::ifstream in(std::string(OPENEM_SHARED_DIR) +
                   "/testdata/oscem/osc-em_converter-OSCEM-to-mmCIF/data/example_metadata.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str()).at("scientificMetadata");
}

TEST(ScientificMetadataTest, IndexesRealOscemDocument) {
  auto leaves = index_scientific_metadata(example_metadata());
  EXPECT_EQ(leaves.size(), 102u);
  EXPECT_TRUE(unknown_unit_paths(leaves).empty());

  const auto& px = one(leaves, "acquisition.pixel_size");
  EXPECT_EQ(px.unit, "\u00C5");
  EXPECT_EQ(px.number, 0.4150152790871608);
  expect_rel(px.value_si, 0.4150152790871608e-10);
  EXPECT_EQ(px.unit_si, "m");
  EXPECT_FALSE(px.unit_unknown);
  EXPECT_FALSE(px.text);

  const auto& dose = one(leaves, "acquisition.dose_per_movie");
  EXPECT_EQ(dose.unit, "1/\u00C5\u00B2");
  expect_rel(dose.value_si, 4.8221501034695535e20);
  EXPECT_EQ(dose.unit_si, "m^-2");

  const auto& kv = one(leaves, "instrument.acceleration_voltage");
  expect_rel(kv.value_si, 300000);
  EXPECT_EQ(kv.unit_si, "(kg m^2) / (s^3 A)");

  const auto& mw = one(leaves, "sample.overall_molecule.molecular_weight");
  expect_rel(mw.value_si, 474e3 * kDa);
  EXPECT_EQ(mw.unit_si, "kg");

  const auto& humidity = one(leaves, "sample.specimen.humidity");
  expect_rel(humidity.value_si, 0.9);
  EXPECT_EQ(humidity.unit_si, "1");

  const auto& conc = one(leaves, "sample.specimen.concentration");
  expect_rel(conc.value_si, 1.26);
  EXPECT_EQ(conc.unit_si, "kg / m^3");

  const auto& shift = one(leaves, "acquisition.beamshift.x_min");
  expect_rel(shift.value_si, -0.0430131442844868e-3);
  EXPECT_EQ(shift.unit_si, "rad");

  const auto& mag = one(leaves, "acquisition.nominal_magnification");
  EXPECT_EQ(mag.number, 270000);
  EXPECT_EQ(mag.value_si, 270000);
  EXPECT_EQ(mag.unit, "");
  EXPECT_EQ(mag.unit_si, "");

  const auto& phaseplate = one(leaves, "acquisition.specialist_optics.phaseplate.used");
  EXPECT_EQ(phaseplate.text, "false");
  EXPECT_FALSE(phaseplate.number);
  EXPECT_FALSE(phaseplate.value_si);

  // Numbers written as strings are both text and number.
  const auto& taxon = one(leaves, "sample.molecule.taxonomy_id_source");
  EXPECT_EQ(taxon.text, "9606");
  EXPECT_EQ(taxon.number, 9606);
  const auto& orcid = at(leaves, "organizational.authors.orcid");
  ASSERT_EQ(orcid.size(), 3u);  // one leaf per array element, same path
  EXPECT_EQ(orcid[0]->text, "0000-0002-7026-7646");
  EXPECT_FALSE(orcid[0]->number);
  EXPECT_EQ(orcid[2]->text, "0000-0002-1200-1698");
}

TEST(ScientificMetadataTest, EmQuantities) {
  auto sm = json::parse(R"({"acquisition": {
      "dose_per_movie": {"value": 40, "unit": "e/\u00C5\u00B2"},
      "pixel_size": {"v": 0.83, "u": "\u00C5/px"},
      "dose_rate": {"value": 7.5, "unit": "e/px/s"},
      "tilt": {"value": -60, "unit": "deg"},
      "temperature": {"value": "-180", "unit": "\u00B0C"}}})");
  auto leaves = index_scientific_metadata(sm);
  ASSERT_EQ(leaves.size(), 5u);
  const auto& dose = one(leaves, "acquisition.dose_per_movie");
  EXPECT_EQ(dose.number, 40);
  expect_rel(dose.value_si, 40 * 1e20);
  EXPECT_EQ(dose.unit_si, "m^-2");
  const auto& px = one(leaves, "acquisition.pixel_size");
  EXPECT_EQ(px.unit, "\u00C5/px");
  expect_rel(px.value_si, 0.83e-10);
  EXPECT_EQ(px.unit_si, "m");
  EXPECT_EQ(one(leaves, "acquisition.dose_rate").unit_si, "s^-1");
  expect_rel(one(leaves, "acquisition.tilt").value_si, -60 * 3.141592653589793 / 180);
  const auto& t = one(leaves, "acquisition.temperature");
  EXPECT_EQ(t.text, "-180");
  EXPECT_EQ(t.number, -180);
  expect_rel(t.value_si, 93.15);
  EXPECT_EQ(t.unit_si, "K");
}

TEST(ScientificMetadataTest, RangeValuesGiveOneLeafPerElement) {
  auto sm = json::parse(
      R"({"defocus": {"value": [-0.5, "-2.5", null], "unit": "um", "type": "quantity_range"}})");
  auto leaves = index_scientific_metadata(sm);
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0].path, "defocus");
  EXPECT_EQ(leaves[1].path, "defocus");
  expect_rel(leaves[0].value_si, -0.5e-6);
  expect_rel(leaves[1].value_si, -2.5e-6);
  EXPECT_EQ(leaves[1].text, "-2.5");
  EXPECT_EQ(leaves[1].unit_si, "m");

  auto out = with_si_values(sm);
  const auto& d = out.at("defocus").as_object();
  EXPECT_EQ(d.at("unitSI"), "m");
  const auto& v = d.at("valueSI").as_array();
  ASSERT_EQ(v.size(), 3u);
  EXPECT_NEAR(v[0].as_double(), -0.5e-6, 1e-18);
  EXPECT_NEAR(v[1].as_double(), -2.5e-6, 1e-18);
  EXPECT_TRUE(v[2].is_null());
  EXPECT_EQ(d.at("type"), "quantity_range");  // other keys kept
  EXPECT_EQ(d.at("value"), sm.at("defocus").at("value"));
}

TEST(ScientificMetadataTest, UnknownUnitsAreKeptAndReported) {
  auto sm = json::parse(R"({
      "intensity": {"value": 12, "unit": "counts"},
      "dose": {"value": [40, 41], "unit": "e-/A^2"},
      "length": {"value": 3, "unit": "furlong-per-blob"},
      "ok": {"value": 3, "unit": "nm"}})");
  auto leaves = index_scientific_metadata(sm);
  const auto& i = one(leaves, "intensity");
  EXPECT_TRUE(i.unit_unknown);
  EXPECT_EQ(i.number, 12);
  EXPECT_EQ(i.unit, "counts");
  EXPECT_FALSE(i.value_si);
  EXPECT_EQ(i.unit_si, "");
  EXPECT_THAT(unknown_unit_paths(leaves), ElementsAre("intensity", "dose", "length"));

  // Upstream swallows conversion errors: valueSI = value (type kept), unitSI = unit as given.
  auto out = with_si_values(sm);
  EXPECT_EQ(out.at("intensity"),
            json::parse(R"({"value": 12, "unit": "counts", "valueSI": 12, "unitSI": "counts"})"));
  EXPECT_TRUE(out.at("intensity").at("valueSI").is_int64());
  EXPECT_EQ(out.at("dose").at("valueSI"), json::parse("[40, 41]"));
  EXPECT_EQ(out.at("dose").at("unitSI"), "e-/A^2");
  EXPECT_EQ(out.at("ok").at("unitSI"), "m");
  EXPECT_NEAR(out.at("ok").at("valueSI").as_double(), 3e-9, 1e-21);
}

TEST(ScientificMetadataTest, WithSiValuesOnOscemShapedInput) {
  auto sm = json::parse(R"({"acquisition": {
      "dose_per_movie": {"value": 40, "unit": "e/\u00C5\u00B2"},
      "pixel_size": {"v": 0.83, "u": "\u00C5"},
      "temperature": {"value": 20, "unit": "\u00B0C", "valueSI": 0, "unitSI": "stale"},
      "status": {"value": "n/a", "unit": "nm"},
      "count": {"value": 3, "unit": ""},
      "detector": "Falcon 4i",
      "frames": [{"exposure": {"value": 100, "unit": "ms"}}, 7]}})");
  auto out = with_si_values(sm);
  const auto& a = out.at("acquisition").as_object();
  EXPECT_NEAR(a.at("dose_per_movie").at("valueSI").as_double() / 1e20, 40, 1e-9);
  EXPECT_EQ(a.at("dose_per_movie").at("unitSI"), "m^-2");
  EXPECT_EQ(a.at("dose_per_movie").at("value"), 40);
  EXPECT_NEAR(a.at("pixel_size").at("valueSI").as_double(), 0.83e-10, 1e-22);
  EXPECT_EQ(a.at("pixel_size").at("unitSI"), "m");
  EXPECT_EQ(a.at("pixel_size").at("v"), 0.83);
  EXPECT_NEAR(a.at("temperature").at("valueSI").as_double(), 293.15, 1e-9);
  EXPECT_EQ(a.at("temperature").at("unitSI"), "K");
  EXPECT_EQ(a.at("status").at("valueSI"), "n/a");  // not a number: conversion error semantics
  EXPECT_EQ(a.at("status").at("unitSI"), "nm");
  EXPECT_EQ(a.at("count"), sm.at("acquisition").at("count"));  // empty unit: untouched
  EXPECT_EQ(a.at("detector"), "Falcon 4i");
  EXPECT_EQ(a.at("frames").at(0).at("exposure").at("unitSI"), "s");
  EXPECT_NEAR(a.at("frames").at(0).at("exposure").at("valueSI").as_double(), 0.1, 1e-15);
  EXPECT_EQ(a.at("frames").at(1), 7);
  // The input is not modified.
  EXPECT_FALSE(sm.at("acquisition").at("pixel_size").as_object().contains("valueSI"));
}

TEST(ScientificMetadataTest, WhatIsAndIsNotAQuantity) {
  auto sm = json::parse(R"({
      "software": {"version": "1.2", "url": "https://example.org"},
      "odd": {"value": 3, "unit": 5},
      "nested": {"value": {"a": 1}, "unit": "nm"},
      "unitless": {"value": 3, "unit": ""},
      "nothing": null,
      "flag": true,
      "Detectors[EF-Falcon].CommercialName": "Falcon 4i",
      "list": [1, "two", [3]]})");
  auto leaves = index_scientific_metadata(sm);
  EXPECT_EQ(one(leaves, "software.version").text, "1.2");
  EXPECT_EQ(one(leaves, "software.version").number, 1.2);
  EXPECT_EQ(one(leaves, "software.url").text, "https://example.org");
  EXPECT_EQ(one(leaves, "odd.value").number, 3);
  EXPECT_EQ(one(leaves, "odd.unit").number, 5);
  EXPECT_EQ(one(leaves, "nested.value.a").number, 1);
  EXPECT_EQ(one(leaves, "nested.unit").text, "nm");
  const auto& unitless = one(leaves, "unitless");
  EXPECT_EQ(unitless.value_si, 3);
  EXPECT_FALSE(unitless.unit_unknown);
  EXPECT_TRUE(at(leaves, "nothing").empty());
  EXPECT_EQ(one(leaves, "flag").text, "true");
  EXPECT_EQ(one(leaves, "Detectors[EF-Falcon].CommercialName").text, "Falcon 4i");
  auto list = at(leaves, "list");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]->number, 1);
  EXPECT_EQ(list[1]->text, "two");
  EXPECT_EQ(list[2]->number, 3);
  EXPECT_EQ(leaves.size(), 12u);

  EXPECT_EQ(with_si_values(sm), sm);  // nothing here gets valueSI
}

TEST(ScientificMetadataTest, EmptyAndNonObjectRoots) {
  EXPECT_TRUE(index_scientific_metadata(json::value()).empty());
  EXPECT_TRUE(index_scientific_metadata(json::object()).empty());
  auto leaves = index_scientific_metadata(json::parse(R"([1, "a"])"));
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0].path, "");
  EXPECT_EQ(with_si_values(json::value()), json::value());
}

json::value nested(int depth, bool arrays) {
  json::value v = 1;
  for (int i = 0; i < depth; ++i) {
    if (arrays) {
      v = json::array{std::move(v)};
    } else {
      json::object o;
      o["a"] = std::move(v);
      v = std::move(o);
    }
  }
  return v;
}

void expect_bad_request(const std::function<void()>& f, const std::string& message) {
  try {
    f();
    ADD_FAILURE() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.what(), message);
  }
}

TEST(ScientificMetadataTest, HostileDepth) {
  const std::string too_deep = "scientificMetadata is nested deeper than 64 levels";
  for (bool arrays : {false, true}) {
    SCOPED_TRACE(arrays ? "arrays" : "objects");
    auto ok = nested(64, arrays);
    EXPECT_EQ(index_scientific_metadata(ok).size(), 1u);
    EXPECT_EQ(with_si_values(ok), ok);
    auto bad = nested(65, arrays);
    expect_bad_request([&] { index_scientific_metadata(bad); }, too_deep);
    expect_bad_request([&] { with_si_values(bad); }, too_deep);
    auto hostile = nested(5000, arrays);
    expect_bad_request([&] { index_scientific_metadata(hostile); }, too_deep);
    expect_bad_request([&] { with_si_values(hostile); }, too_deep);
  }
  // Depth inside a quantity's value counts as well.
  json::object q;
  q["unit"] = "nm";
  q["value"] = nested(64, true);
  json::value deep_quantity = json::object{{"q", q}};
  expect_bad_request([&] { index_scientific_metadata(deep_quantity); }, too_deep);
  expect_bad_request([&] { with_si_values(deep_quantity); }, too_deep);
}

TEST(ScientificMetadataTest, HostileLeafCount) {
  json::array many(kMaxScientificLeaves, json::value(1.5));
  json::value sm = json::object{{"x", many}};
  EXPECT_EQ(index_scientific_metadata(sm).size(), kMaxScientificLeaves);
  sm.at("x").as_array().push_back(2.5);
  expect_bad_request([&] { index_scientific_metadata(sm); },
                     "scientificMetadata has more than 100000 values");
}

}  // namespace
}  // namespace openem
