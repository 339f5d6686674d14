#include "publish/export/empiar_imagesets.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "core/json_fields.h"
#include "core/json_path.h"
#include "core/units.h"

namespace openem {
namespace {

namespace json = boost::json;

std::optional<double> number_at(const json::object& root, std::string_view path, std::string_view unit = "") {
  const json::value* v = value_at_path(root, path);
  if (!v) return std::nullopt;
  std::string given;
  if (const json::object* q = v->if_object()) {
    given = json_string(*q, "unit");
    auto value = q->find("value");
    v = value == q->end() ? nullptr : &value->value();
  }
  if (!v || !v->is_number()) return std::nullopt;
  double d = v->to_number<double>();
  if (unit.empty() || given.empty()) return d;
  return UnitConverter::instance().convert(d, given, unit);
}

// The ingestor's header summary of one folder and extension (extract/image_headers.h).
struct HeaderFacts {
  std::string voxel_type;
  std::int64_t width = 0, height = 0, frames = 0;
  std::set<std::string> differing;
  bool present = false;
};

HeaderFacts header_facts(const json::object& oscem, const std::string& directory, const std::string& extension) {
  HeaderFacts f;
  const json::value* headers = oscem.if_contains("image_headers");
  if (!headers || !headers->is_array()) return f;
  for (const json::value& h : headers->get_array()) {
    const json::object* o = h.if_object();
    if (!o || json_string(*o, "directory") != directory || json_string(*o, "extension") != extension) continue;
    f.present = json_text(*o, "read") != "0";
    f.voxel_type = json_string(*o, "voxel_type");
    auto integer = [&](const char* key) -> std::int64_t {
      const json::value* v = o->if_contains(key);
      return v && v->is_int64() && v->get_int64() > 0 ? v->get_int64() : 0;
    };
    f.width = integer("width");
    f.height = integer("height");
    f.frames = integer("frames");
    if (const json::value* d = o->if_contains("differing"); d && d->is_array()) {
      for (const json::value& name : d->get_array()) {
        if (name.is_string()) f.differing.insert(std::string(name.get_string()));
      }
    }
  }
  return f;
}

struct Group {
  std::string category, format, directory, extension;
  int count = 0;
};

constexpr std::string_view kMicrographs = "('T1', '')", kMovies = "('T2', '')", kTiltSeries = "('T9', '')",
                           kGain = "('OT', 'gain reference')";

}  // namespace

std::string empiar_voxel_type(std::string_view voxel_type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kTypes{{
      {"uint8", "('T1', '')"}, {"int8", "('T2', '')"}, {"uint16", "('T3', '')"}, {"int16", "('T4', '')"},
      {"uint32", "('T5', '')"}, {"int32", "('T6', '')"}, {"float32", "('T7', '')"}, {"bit", "('T8', '')"},
      {"uint4", "('T9', '')"}, {"float16", "('OT', '16 BIT FLOAT')"}, {"float64", "('OT', '64 BIT FLOAT')"},
      {"complex_int16", "('OT', 'COMPLEX 16 BIT INTEGER')"}, {"complex_float32", "('OT', 'COMPLEX 32 BIT FLOAT')"},
      {"rgb8", "('OT', 'RGB 8 BIT')"}, {"eer_events", "('OT', 'EER ELECTRON EVENTS')"},
  }};
  for (auto [name, empiar] : kTypes) {
    if (name == voxel_type) return std::string(empiar);
  }
  return "";
}

json::array empiar_imagesets(const ExportSubject& subject, std::vector<ExportProblem>& problems) {
  auto fill_in = [&](std::string target, std::string what) {
    problems.push_back({ExportProblem::Severity::kWarning, "", std::move(target), "to fill in: " + std::move(what)});
  };
  const json::value* t = value_at_path(subject.oscem, "acquisition.technique");
  std::string technique = t && t->is_string() ? std::string(t->get_string()) : "";
  bool tomography = technique == "subtomo" || technique == "cellular_tomo" || technique == "env_tomo";
  std::set<std::string> stacks_with_mdoc;  // "TS_01.mrc" when "TS_01.mrc.mdoc" is in the list
  for (const ExportFile& f : subject.files) {
    if (f.path.size() > 5 && f.path.compare(f.path.size() - 5, 5, ".mdoc") == 0) {
      stacks_with_mdoc.insert(f.path.substr(0, f.path.size() - 5));
    }
  }
  std::map<std::string, Group> groups;  // by directory + kind
  for (const ExportFile& f : subject.files) {
    auto slash = f.path.rfind('/');
    std::string directory = slash == std::string::npos ? "" : f.path.substr(0, slash);
    std::string name = slash == std::string::npos ? f.path : f.path.substr(slash + 1);
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    auto dot = lower.rfind('.');
    std::string ext = dot == std::string::npos ? "" : lower.substr(dot + 1);
    std::string format = ext == "eer" ? "T9" : (ext == "tif" || ext == "tiff") ? "T3" : ext == "mrc" || ext == "st" ? "T1"
                         : ext == "mrcs" ? "T2" : ext == "dm4" ? "T6" : ext == "dm3" ? "T5" : "";
    if (format.empty()) continue;  // metadata files (.mdoc, .xml, .dm) travel with their image set
    Group g{"", format, directory, ext};
    bool gain = lower.find("gain") != std::string::npos || lower.find("countref") != std::string::npos;
    if (gain) {
      g.category = kGain;
    } else if (stacks_with_mdoc.count(f.path) || ext == "st" || (tomography && ext == "mrc")) {  // .st: IMOD's tilt stacks
      g.category = kTiltSeries;
    } else if (ext == "eer" || ext == "tif" || ext == "tiff" || ext == "mrcs" || lower.find("fractions") != std::string::npos) {
      g.category = kMovies;
    } else {
      g.category = kMicrographs;
    }
    Group& slot = groups.try_emplace(directory + "\n" + g.category + "\n" + ext, g).first->second;
    ++slot.count;
  }
  if (groups.empty()) {
    problems.push_back({ExportProblem::Severity::kError, "files", "imagesets",
                        "no image files (.eer, .tif, .mrc, .mrcs, .dm4) in the dataset"});
    return {};
  }
  auto frames = number_at(subject.oscem, "acquisition.frames_per_movie");
  auto pixel = number_at(subject.oscem, "acquisition.pixel_size", "Å");
  auto width = number_at(subject.oscem, "acquisition.image_size.width");
  auto height = number_at(subject.oscem, "acquisition.image_size.height");
  json::array out;
  int index = 0;
  for (const auto& [key, g] : groups) {
    std::string target = "imagesets[" + std::to_string(index++) + "]";
    static const std::map<std::string_view, std::string> kNames = {
        {kMicrographs, "micrographs"}, {kMovies, "movies"}, {kTiltSeries, "tilt series"}, {kGain, "gain reference"}};
    std::string name = kNames.at(g.category) + " (" + g.extension + ")" + (g.directory.empty() ? "" : " in " + g.directory);
    json::object set{{"name", name.substr(0, 200)},
                     {"directory", ("data/" + g.directory).substr(0, 200)},
                     {"category", g.category},
                     {"header_format", "('" + g.format + "', '')"},
                     {"data_format", "('" + g.format + "', '')"},
                     {"num_images_or_tilt_series", g.count}};
    HeaderFacts header = header_facts(subject.oscem, g.directory, g.extension);
    bool stack = g.category == kMovies || g.category == kTiltSeries;  // frames of a movie, tilts of a series
    std::optional<std::int64_t> per_image;
    if (stack && header.frames > 0) per_image = header.frames;
    else if (g.category == kMovies && frames) per_image = static_cast<std::int64_t>(*frames);
    if (per_image) {
      set["frames_per_image"] = *per_image;
      set["frame_range_min"] = 1;
      set["frame_range_max"] = *per_image;
    } else if (stack) {
      set["frames_per_image"] = 0;
      fill_in(target + ".frames_per_image", std::string(header.differing.count("frames") ? "the files differ in frames"
                                                                                          : "frames per image not known") +
                                                " (0 written)");
    } else {
      set["frames_per_image"] = 1;
      // Sections tell a movie saved as .mrc from a volume only by convention (writers leave
      // MRC2014's ispg and mz unreliable), so the user decides; the count is given.
      if (header.frames > 1 && g.category == kMicrographs) {
        fill_in(target + ".category", "each file holds " + std::to_string(header.frames) +
                                          " sections: if they are movies, category ('T2', '') and frames_per_image " +
                                          std::to_string(header.frames));
      }
    }
    std::string voxel = empiar_voxel_type(header.voxel_type);
    if (!voxel.empty()) {
      set["voxel_type"] = voxel;
    } else {
      set["voxel_type"] = g.extension == "eer" ? "('OT', 'EER ELECTRON EVENTS')" : "('OT', 'UNKNOWN')";
      std::string why = header.differing.count("voxel_type") ? " (the files' headers differ)"
                        : header.present                      ? " (the headers name no type EMPIAR knows)"
                                                               : " (no header was read at ingest)";
      fill_in(target + ".voxel_type", "the pixel data type of the " + g.extension + " files" + why);
    }
    if (pixel && g.category != kGain) {
      set["pixel_width"] = *pixel;
      set["pixel_height"] = *pixel;
    }
    if (header.width > 0 && header.height > 0) {  // this set's own size: a gain reference may differ
      set["image_width"] = header.width;
      set["image_height"] = header.height;
    } else if (width && height) {
      set["image_width"] = static_cast<std::int64_t>(*width);
      set["image_height"] = static_cast<std::int64_t>(*height);
    }
    out.push_back(std::move(set));
  }
  return out;
}

}  // namespace openem
