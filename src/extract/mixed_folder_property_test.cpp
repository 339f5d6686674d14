// Property (issue 18): for any mix of acquisition files in a folder — SerialEM tilt series,
// frame-stack mdocs, single images/maps, EPU movies, with random values — adding overview
// images (SerialEM montages, EPU grid-square and foil-hole images) never changes a value of
// the document, its technique or the conflicts reported, whatever technique is asked for.
#include <gtest/gtest.h>

#include <random>

#include "extract/extract.h"
#include "extract/json_writer.h"
#include "extract/test_sessions.h"
#include "extract/test_support.h"

namespace openem::extract {
namespace {

using namespace openem::extract::testing;

template <class T>
T pick(std::mt19937& rng, std::initializer_list<T> options) {
  return *(options.begin() + std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng));
}

SerialEmSeries random_series(std::mt19937& rng, const std::string& name) {
  SerialEmSeries s;
  s.image_file = name;
  s.pixel_a = pick(rng, {1.3, 2.7, 5.4});
  s.voltage_kv = pick(rng, {200.0, 300.0});
  s.magnification = pick(rng, {33000, 42000, 53000});
  s.first_tilt = pick(rng, {-60.0, -51.0, -45.0});
  s.tilt_step = pick(rng, {2.0, 3.0});
  s.tilts = std::uniform_int_distribution<int>(5, 41)(rng);
  s.dose = std::uniform_real_distribution<double>(1.0, 4.0)(rng);
  s.camera_index = pick(rng, {0, 1});
  return s;
}

// Writes one random acquisition file of a random kind; returns its short description.
std::string write_acquisition(std::mt19937& rng, const std::filesystem::path& dir, int i) {
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0: {
      SerialEmSeries s = random_series(rng, "TS_" + std::to_string(i) + ".mrc");
      write_file(dir / (s.image_file + ".mdoc"), serialem_mdoc(s));
      return "tilt series";
    }
    case 1: {
      SerialEmFrameSet f;
      f.movie_dose = std::uniform_real_distribution<double>(40, 80)(rng);
      f.slices = std::uniform_int_distribution<int>(0, 20)(rng);
      f.pixel_a = pick(rng, {0.83, 1.2827});
      write_file(dir / "frames" / ("movie_" + std::to_string(i) + ".tif.mdoc"), serialem_frame_set(f));
      return "frame set";
    }
    case 2: {
      SerialEmSeries map = random_series(rng, "anchor_" + std::to_string(i) + ".mrc");
      map.tilts = 1;
      map.frames_saved = false;
      map.pixel_a = pick(rng, {12.5, 25.0});
      write_file(dir / (map.image_file + ".mdoc"), serialem_mdoc(map));
      return "map";
    }
    default: {
      EpuImage e;
      e.dose_per_m2 = std::uniform_real_distribution<double>(3e21, 7e21)(rng);
      e.dose_on_camera = *e.dose_per_m2 * 1e-20 * 1.285 * 1.285;
      e.magnification = pick(rng, {105000L, 130000L});
      write_file(dir / "Images-Disc1" / "GridSquare_1" / "Data" /
                     ("FoilHole_1_Data_" + std::to_string(i) + "_1_20240831_2005" + std::to_string(10 + i) + ".xml"),
                 epu_image_xml(e));
      return "EPU movie";
    }
  }
}

// Writes one random overview file; returns its short description.
std::string write_overview(std::mt19937& rng, const std::filesystem::path& dir, int i) {
  switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
    case 0: {
      SerialEmSeries m = random_series(rng, "MMM_" + std::to_string(i) + ".mrc");
      m.montage = true;
      m.frames_saved = pick(rng, {true, false});
      m.pixel_a = pick(rng, {53.0, 656.139});
      m.first_tilt = pick(rng, {0.0, 55.0, -30.0});
      m.tilt_step = pick(rng, {0.0, 3.0});  // a montaged tilt series is an overview too
      m.magnification = 135;
      write_file(dir / (m.image_file + ".mdoc"), serialem_mdoc(m));
      return "montage";
    }
    case 1: {
      EpuImage g;
      g.magnification = 2600;
      g.pixel_m = 4.156e-8;
      g.dose_per_m2 = 3.54e16;
      g.dose_on_camera = 61.16;
      write_file(dir / "Images-Disc1" / "GridSquare_1" / ("GridSquare_20250108_1511" + std::to_string(10 + i) + ".xml"),
                 epu_image_xml(g));
      return "EPU grid square";
    }
    default: {
      EpuImage h;
      h.magnification = 8500;
      h.pixel_m = 1.636e-9;
      h.voltage_v = pick(rng, {200000.0, 300000.0});
      write_file(dir / "Images-Disc1" / "GridSquare_1" / "FoilHoles" /
                     ("FoilHole_90158" + std::to_string(10 + i) + "_20250108_1547" + std::to_string(10 + i) + ".xml"),
                 epu_image_xml(h));
      return "EPU foil hole";
    }
  }
}

std::vector<std::string> conflicts_of(const ExtractResult& r) {
  std::vector<std::string> out;
  for (const auto& c : r.conflicts) out.push_back(c.describe());
  return out;
}

TEST(MixedFolderProperty, AddingOverviewsNeverChangesAnAcquisitionValue) {
  std::mt19937 rng(18);
  ExtractOptions options;
  options.site = load_site_profile(fixtures_dir() / "site_krios.toml");
  int compared = 0;
  for (int round = 0; round < 40; ++round) {
    auto dir = fresh_dir("property_" + std::to_string(round));
    std::string mix;
    int files = std::uniform_int_distribution<int>(1, 5)(rng);
    for (int i = 0; i < files; ++i) mix += write_acquisition(rng, dir, i) + ", ";
    std::vector<std::pair<Technique, ExtractResult>> before;
    for (Technique t : {Technique::kAuto, Technique::kSpa, Technique::kSubtomo, Technique::kGeneral}) {
      options.technique = t;
      before.emplace_back(t, extract_session(dir, options));
    }
    std::string added;
    int overviews = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int i = 0; i < overviews; ++i) added += write_overview(rng, dir, i) + ", ";
    for (const auto& [t, b] : before) {
      SCOPED_TRACE("round " + std::to_string(round) + ", technique " + std::string(technique_name(t)) + ", files: " +
                   mix + "added: " + added);
      options.technique = t;
      ExtractResult a = extract_session(dir, options);
      EXPECT_EQ(to_pretty_json(a.oscem), to_pretty_json(b.oscem));
      EXPECT_EQ(a.technique, b.technique);
      EXPECT_EQ(conflicts_of(a), conflicts_of(b));
      ++compared;
    }
    std::filesystem::remove_all(dir);
  }
  EXPECT_EQ(compared, 160);
}

}  // namespace
}  // namespace openem::extract
