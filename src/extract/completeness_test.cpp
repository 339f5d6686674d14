#include "extract/completeness.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace openem::extract {
namespace {

std::vector<std::string> fields(const std::vector<Gap>& gaps) {
  std::vector<std::string> out;
  for (const auto& g : gaps) out.push_back(g.field);
  return out;
}

TEST(Completeness, ListsSchemaAndEmdbFields) {
  auto doc = boost::json::parse(R"({"acquisition": {"detectors": [], "pixel_size": {"value": 1, "unit": "A"}},
                                    "instrument": {"acceleration_voltage": {"value": 300, "unit": "kV"}}})").as_object();
  auto tomo = find_gaps(doc, Technique::kSubtomo);
  EXPECT_EQ(fields(tomo), (std::vector<std::string>{"instrument.microscope.model", "instrument.illumination",
                                                     "instrument.imaging", "instrument.electron_source",
                                                     "acquisition.technique", "acquisition.date_time",
                                                     "acquisition.binning_camera", "acquisition.detectors[0].name",
                                                     "acquisition.dose_per_movie", "acquisition.tilt_angle",
                                                     "acquisition.tilt_axis_angle"}));
  EXPECT_EQ(tomo[0].describe(),
            "missing instrument.microscope.model (needed by the OSC-EM subtomo schema and EMDB _em_imaging.microscope_model)");
  EXPECT_EQ(tomo[7].describe(),
            "missing acquisition.detectors[0].name (needed by EMDB _em_image_recording.film_or_detector_model)");
  auto general = fields(find_gaps(doc, Technique::kGeneral));  // no technique, no tilt fields
  EXPECT_EQ(std::count(general.begin(), general.end(), "acquisition.technique"), 0);
  EXPECT_EQ(std::count(general.begin(), general.end(), "acquisition.tilt_angle"), 0);
}

TEST(Completeness, NullIsMissingAndACompleteDocumentHasNoGaps) {
  auto doc = boost::json::parse(R"({
    "acquisition": {"technique": "spa", "detectors": [{"name": "Falcon 4i"}], "date_time": "2024-01-01T00:00:00Z",
                    "binning_camera": {"height": 1, "width": 1}, "pixel_size": {"value": 1, "unit": "A"},
                    "dose_per_movie": {"value": 40, "unit": "1/A^2"}},
    "instrument": {"microscope": {"model": "Krios"}, "illumination": "Parallel", "imaging": "BrightField",
                   "electron_source": "FEG", "acceleration_voltage": {"value": 300, "unit": "kV"}}})").as_object();
  EXPECT_TRUE(find_gaps(doc, Technique::kSpa).empty());
  doc["acquisition"].as_object()["dose_per_movie"] = nullptr;
  EXPECT_EQ(fields(find_gaps(doc, Technique::kSpa)), std::vector<std::string>{"acquisition.dose_per_movie"});
}

}  // namespace
}  // namespace openem::extract
