#include "extract/image_headers.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "extract/extract_error.h"
#include "extract/mrc_reader.h"
#include "extract/session_discovery.h"
#include "extract/tiff_reader.h"

namespace openem::extract {
namespace {

namespace json = boost::json;

// TIFF's SampleFormat × BitsPerSample as a voxel type name.
std::string tiff_voxel_type(const TiffLayout& l) {
  if (l.is_eer()) return "eer_events";  // electron events, run-length coded: no pixel type
  if (l.samples_per_pixel == 3 && l.bits_per_sample == 8) return "rgb8";
  if (l.samples_per_pixel != 1) return "";
  switch (l.bits_per_sample) {
    case 1: return "bit";
    case 4: return l.sample_format == 1 ? "uint4" : "";
    case 8: case 16: case 32: case 64: {
      std::string bits = std::to_string(l.bits_per_sample);
      if (l.sample_format == 1) return l.bits_per_sample == 64 ? "" : "uint" + bits;
      if (l.sample_format == 2) return l.bits_per_sample == 64 ? "" : "int" + bits;
      if (l.sample_format == 3) return l.bits_per_sample == 8 ? "" : "float" + bits;
      return "";
    }
    default: return "";
  }
}

// One group's agreement so far: the first value seen, or "differs".
template <class T>
struct Agreed {
  std::optional<T> value;
  bool differs = false;
  void see(const T& v) {
    if (!value) value = v;
    else if (*value != v) differs = true;
  }
};

struct Group {
  std::string directory, extension;
  std::int64_t files = 0, read = 0, unreadable = 0;
  Agreed<std::string> format, voxel_type;
  Agreed<std::int64_t> width, height, frames;
};

}  // namespace

ImageHeaderFacts read_image_header_facts(const std::filesystem::path& path) {
  ImageHeaderFacts f;
  if (image_format_of(path) == ImageFormat::kMrc) {
    MrcHeader h = read_mrc_header(path).header;
    f.format = "MRC";
    f.voxel_type = h.voxel_type();
    f.width = h.nx;
    f.height = h.ny;
    f.frames = h.nz;
    return f;
  }
  TiffLayout l = read_tiff_layout(path);  // .tif, .tiff, .eer (and throws for anything else)
  f.format = l.is_eer() ? "EER" : "TIFF";
  f.voxel_type = tiff_voxel_type(l);
  f.width = l.width;
  f.height = l.height;
  f.frames = l.pages;
  return f;
}

json::array summarize_image_headers(const std::vector<ImageFile>& files, std::size_t max_files) {
  std::map<std::pair<std::string, std::string>, Group> groups;
  std::size_t budget = max_files;
  for (const ImageFile& file : files) {
    if (image_format_of(file.path) == ImageFormat::kNone) continue;
    auto slash = file.path.rfind('/');
    std::string directory = slash == std::string::npos ? "" : file.path.substr(0, slash);
    std::string name = slash == std::string::npos ? file.path : file.path.substr(slash + 1);
    std::string extension = name.substr(name.rfind('.') + 1);
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    Group& g = groups[{directory, extension}];
    g.directory = directory;
    g.extension = extension;
    ++g.files;
    if (budget == 0) continue;
    --budget;
    try {
      ImageHeaderFacts f = read_image_header_facts(file.source);
      ++g.read;
      g.format.see(f.format);
      if (!f.voxel_type.empty()) g.voxel_type.see(f.voxel_type);
      if (f.width > 0) g.width.see(f.width);
      if (f.height > 0) g.height.see(f.height);
      if (f.frames > 0) g.frames.see(f.frames);
    } catch (const std::exception&) {  // ExtractError, or bad_alloc on an absurd header
      ++g.unreadable;  // a file named .tif that is none: the export asks the user instead
    }
  }
  json::array out;
  for (const auto& [key, g] : groups) {
    json::object o{{"directory", g.directory}, {"extension", g.extension}, {"files", g.files}, {"read", g.read}};
    if (g.unreadable) o["unreadable"] = g.unreadable;
    json::array differing;
    auto put = [&](const char* name, const auto& agreed) {
      if (agreed.differs) differing.emplace_back(name);
      else if (agreed.value) o[name] = *agreed.value;
    };
    put("format", g.format);
    put("voxel_type", g.voxel_type);
    put("width", g.width);
    put("height", g.height);
    put("frames", g.frames);
    if (!differing.empty()) o["differing"] = std::move(differing);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace openem::extract
