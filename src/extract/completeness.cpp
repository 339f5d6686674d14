#include "extract/completeness.h"

#include <string_view>

namespace openem::extract {
namespace {

enum Need : unsigned { kSchemaAll = 1, kSchemaTechnique = 2, kSchemaTomo = 4, kEmdb = 8 };

struct Field {
  const char* path;  // dotted; "[0]" for the first array item
  unsigned need;
  const char* emdb_item;  // nullptr when EMDB does not require it
};

// OSC-EM v1.0.2 required properties (every technique: instrument.*, acquisition.detectors,
// date_time, binning_camera, pixel_size; spa and tomography: technique; tomography:
// tilt_angle, tilt_axis_angle) and the EMDB items acquisition files can fill.
constexpr Field kFields[] = {
    {"instrument.microscope.model", kSchemaAll | kEmdb, "_em_imaging.microscope_model"},
    {"instrument.illumination", kSchemaAll | kEmdb, "_em_imaging.illumination_mode"},
    {"instrument.imaging", kSchemaAll | kEmdb, "_em_imaging.mode"},
    {"instrument.electron_source", kSchemaAll | kEmdb, "_em_imaging.electron_source"},
    {"instrument.acceleration_voltage", kSchemaAll | kEmdb, "_em_imaging.accelerating_voltage"},
    {"acquisition.technique", kSchemaTechnique, nullptr},
    {"acquisition.date_time", kSchemaAll, nullptr},
    {"acquisition.binning_camera", kSchemaAll, nullptr},
    {"acquisition.pixel_size", kSchemaAll, nullptr},
    {"acquisition.detectors[0].name", kEmdb, "_em_image_recording.film_or_detector_model"},
    {"acquisition.dose_per_movie", kEmdb, "_em_image_recording.avg_electron_dose_per_image"},
    {"acquisition.tilt_angle", kSchemaTomo, nullptr},
    {"acquisition.tilt_axis_angle", kSchemaTomo, nullptr},
};

const boost::json::value* find(const boost::json::object& doc, std::string_view path) {
  const boost::json::value* cur = nullptr;
  const boost::json::object* obj = &doc;
  while (!path.empty()) {
    auto dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    bool first_item = part.ends_with("[0]");
    if (first_item) part.remove_suffix(3);
    if (!obj) return nullptr;
    auto it = obj->find(part);
    if (it == obj->end() || it->value().is_null()) return nullptr;
    cur = &it->value();
    if (first_item) {
      if (!cur->is_array() || cur->get_array().empty()) return nullptr;
      cur = &cur->get_array()[0];
    }
    obj = cur->if_object();
  }
  return cur;
}

}  // namespace

std::vector<Gap> find_gaps(const boost::json::object& doc, Technique t) {
  std::vector<Gap> out;
  std::string schema = "the OSC-EM " + std::string(technique_name(t == Technique::kAuto ? Technique::kGeneral : t)) +
                       " schema";
  bool technique_schema = t == Technique::kSpa || is_tomography(t);
  for (const Field& f : kFields) {
    bool schema_needs = (f.need & kSchemaAll) || ((f.need & kSchemaTechnique) && technique_schema) ||
                        ((f.need & kSchemaTomo) && is_tomography(t));
    bool emdb_needs = (f.need & kEmdb) != 0;
    if (!schema_needs && !emdb_needs) continue;
    if (find(doc, f.path)) continue;
    std::string by;
    if (schema_needs) by = schema;
    if (emdb_needs) by += (by.empty() ? "" : " and ") + std::string("EMDB ") + f.emdb_item;
    out.push_back({f.path, by});
  }
  return out;
}

}  // namespace openem::extract
