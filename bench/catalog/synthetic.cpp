#include "synthetic.h"

#include <cstdio>
#include <ctime>
#include <vector>

namespace openem::bench {
namespace json = boost::json;
namespace {

struct Instrument {
  const char* location;  // creationLocation
  const char* model;
  const char* detector;
  double kv;
  double cs_mm;
};

// ~10 instruments across a facility network.
const Instrument kInstruments[] = {
    {"ETH/ScopeM/Krios-G4", "Titan Krios G4", "Falcon 4i", 300, 2.7},
    {"ETH/ScopeM/Glacios", "Glacios", "Falcon 4", 200, 2.7},
    {"UNIBAS/C-CINA/Krios-1", "Titan Krios G3i", "K3", 300, 2.7},
    {"UNIBAS/C-CINA/Talos-Arctica", "Talos Arctica", "Falcon 3EC", 200, 2.7},
    {"EPFL/DCI/Krios-G4", "Titan Krios G4", "Falcon 4i", 300, 2.7},
    {"EPFL/DCI/Glacios-2", "Glacios 2", "Falcon 4i", 200, 2.7},
    {"UNIGE/Dubochet/Krios", "Titan Krios", "K3", 300, 2.7},
    {"PSI/Cryo-EM/Krios-G4", "Titan Krios G4", "Falcon 4i", 300, 2.7},
    {"PSI/Cryo-EM/Tundra", "Tundra", "Ceta-F", 100, 2.7},
    {"UZH/CEMF/Krios-Selectris", "Titan Krios G4", "Falcon 4i", 300, 2.7},
};
constexpr int kNumInstruments = sizeof(kInstruments) / sizeof(kInstruments[0]);

const std::vector<std::string> kSamples = {"apoferritin", "ribosome", "proteasome", "spike", "nucleosome", "gabaa",
                                           "tmem16",      "aldolase", "chaperonin", "kinesin", "ryanodine", "vlp"};
const char* kTechniques[] = {"spa", "subtomo", "cellular_tomo"};
const char* kExtraKeywords[] = {"screening", "collection", "high-resolution", "membrane-protein", "cryo-ET",
                                "grid-optimisation", "time-resolved", "ligand", "nanodisc", "detergent",
                                "graphene-oxide", "lamella", "FIB-milled", "in-situ", "tutorial", "benchmark"};
const char* kSoftware[] = {"EPU 3.5", "EPU 3.6", "SerialEM 4.1", "Tomo 5.14", "EPU 3.7"};

json::object quantity(double value, const char* unit) { return json::object{{"value", value}, {"unit", unit}}; }

double round_to(double v, double step) { return static_cast<double>(static_cast<long long>(v / step + 0.5)) * step; }

std::string iso_time(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

std::string compact_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

}  // namespace

const std::vector<std::string>& sample_names() { return kSamples; }

std::string pid_of(std::uint64_t index) {
  std::uint64_t a = mix(index ^ 0x5eedULL), b = mix(a + index);
  char buf[64];
  std::snprintf(buf, sizeof buf, "20.500.12613/%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

json::object dataset_body(std::uint64_t index, int published_percent) {
  Rng r(index, 1);
  const Instrument& ins = kInstruments[r.next() % kNumInstruments];
  int owner = 1 + static_cast<int>(r.next() % kOwnerGroups);
  int acc1 = 1 + static_cast<int>(r.next() % kOwnerGroups), acc2 = 1 + static_cast<int>(r.next() % kOwnerGroups);
  const std::string& sample = kSamples[r.next() % kSamples.size()];
  const char* technique = kTechniques[r.next() % 3];
  // Sessions spread over 2019-01-01 .. 2025-12-31, not in insertion order.
  std::time_t t0 = 1546300800, span = 7 * 365 * 86400L;
  std::time_t created = t0 + static_cast<std::time_t>(r.next() % static_cast<std::uint64_t>(span));
  int session = r.range(1, 99);
  std::string day = compact_date(created);
  std::string session_id = day + "-" + std::to_string(session);
  std::string group = "group" + std::to_string(owner);
  std::string user = "user" + std::to_string(r.range(1, 400));

  json::array keywords{json::string(sample), json::string(technique)};
  int extra = r.range(0, 2);
  for (int k = 0; k < extra; ++k) keywords.emplace_back(kExtraKeywords[r.next() % std::size(kExtraKeywords)]);

  bool tomo = technique[0] != 's' || technique[1] != 'p';
  double pixel = round_to(r.uniform(0.4, 1.5), 1e-4);        // Å
  double dose = round_to(r.uniform(30.0, 80.0), 1e-3);       // e/Å²
  double defocus_min = round_to(r.uniform(-3.0, -0.5), 0.1); // µm
  double defocus_max = round_to(defocus_min - r.uniform(0.2, 1.5), 0.1);
  int frames = r.range(20, 60);
  double exposure = round_to(r.uniform(0.5, 5.0), 1e-3);
  int movies = r.range(200, 20000);
  json::object acquisition{
      {"technique", technique},
      {"date_time", iso_time(created)},
      {"dose_per_movie", quantity(dose, "e/Å²")},
      {"pixel_size", quantity(pixel, "Å")},
      {"nominal_magnification", r.range(3, 27) * 10000},
      {"nominal_defocus", json::object{{"minimal", quantity(defocus_min, "µm")},
                                       {"maximal", quantity(defocus_max, "µm")}}},
      {"calibrated_defocus", json::object{{"minimal", quantity(round_to(defocus_min * 1000 * r.uniform(0.97, 1.03), 0.01), "nm")},
                                          {"maximal", quantity(round_to(defocus_max * 1000 * r.uniform(0.97, 1.03), 0.01), "nm")}}},
      {"exposure_time", quantity(exposure, "s")},
      {"frames_per_movie", frames},
      {"images_generated", movies},
      {"detectors", json::array{json::object{{"name", ins.detector}, {"mode", r.next() % 2 ? "counting" : "super-resolution"}}}},
      {"energy_filter", json::object{{"used", ins.kv >= 300}, {"width_energy_filter", quantity(r.range(5, 20), "eV")}}},
      {"beamtilt", json::object{{"x_max", quantity(round_to(r.uniform(-0.05, 0.05), 1e-5), "mrad")},
                                {"y_max", quantity(round_to(r.uniform(-0.05, 0.05), 1e-5), "mrad")}}},
      {"image_size", json::object{{"width", 4096}, {"height", 4096}}},
      {"binning_camera", json::object{{"width", 1}, {"height", 1}}},
      {"microscope_software", kSoftware[r.next() % std::size(kSoftware)]},
      {"gainref_flip_rotate", "none"},
  };
  if (tomo) {
    int tmax = r.range(40, 66);
    acquisition["tilt_angle"] = json::object{{"minimal", quantity(-tmax, "°")},
                                             {"maximal", quantity(tmax, "°")},
                                             {"increment", quantity(r.range(1, 4), "°")}};
    acquisition["tilt_scheme"] = r.next() % 2 ? "dose-symmetric" : "bidirectional";
  }
  json::object instrument{
      {"microscope", json::object{{"model", ins.model}, {"location", ins.location}}},
      {"acceleration_voltage", quantity(ins.kv, "kV")},
      {"beam_energy", quantity(ins.kv, "keV")},
      {"cs", quantity(ins.cs_mm, "mm")},
      {"c2_aperture", quantity(r.next() % 2 ? 50 : 70, "µm")},
      {"objective_aperture", quantity(r.next() % 3 ? 100 : 0, "µm")},
      {"electron_source", "FieldEmission"},
      {"illumination", "Parallel"},
      {"imaging", "BrightField"},
  };
  json::object sci{
      {"acquisition", std::move(acquisition)},
      {"instrument", std::move(instrument)},
      {"sample", json::object{{"name", sample + "-" + std::to_string(r.range(1, 30))},
                              {"type", tomo ? "cell" : "protein"},
                              {"grid", json::object{{"type", r.next() % 2 ? "Quantifoil R1.2/1.3" : "UltrAuFoil R1.2/1.3"},
                                                    {"material", r.next() % 2 ? "Au" : "Cu"}}}}},
      {"organizational", json::object{{"project", "P" + std::to_string(r.range(1000, 1999))},
                                      {"facility", ins.location}}},
  };

  json::object ds{
      {"pid", pid_of(index)},
      {"type", "raw"},
      {"ownerGroup", group},
      {"accessGroups", json::array{json::string("group" + std::to_string(acc1)),
                                   json::string("group" + std::to_string(acc2))}},
      {"owner", user},
      {"contactEmail", user + "@example.org"},
      {"ownerEmail", user + "@example.org"},
      {"principalInvestigator", "pi" + std::to_string(owner) + "@example.org"},
      {"creationLocation", ins.location},
      {"creationTime", iso_time(created)},
      {"sourceFolder", "/data/emf/" + group + "/" + session_id + "_" + sample},
      {"datasetName", session_id + "_" + sample},
      {"description", std::string(technique) + " session of " + sample + " on " + ins.model},
      {"size", static_cast<std::int64_t>(movies) * frames * 8 * 1024 * 1024},
      {"numberOfFiles", movies + 2},
      {"keywords", std::move(keywords)},
      {"isPublished", published_percent < 0 ? r.next() % 20 == 0 : static_cast<int>(r.next() % 100) < published_percent},
      {"scientificMetadata", std::move(sci)},
  };
  return ds;
}

}  // namespace openem::bench
