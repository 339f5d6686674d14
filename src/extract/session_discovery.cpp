#include "extract/session_discovery.h"

#include <algorithm>
#include <system_error>

#include "extract/extract_error.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace fs = std::filesystem;
namespace {

bool has_ext(const fs::path& p, std::string_view ext) { return iequals(p.extension().native(), ext); }

bool is_properties_file(const fs::path& p) {
  auto name = p.filename().native();
  return has_ext(p, ".txt") && (istarts_with(name, "SerialEMproperties") || icontains(name, "GlobalAutodocEntry"));
}

// EPU's images of the grid square and of each foil hole (taken to find the targets, at low
// magnification, no movie): GridSquare_<date>_<time>.xml, FoilHole_<id>_<date>_<time>.xml in
// FoilHoles/, atlas tiles. Their names say so wherever the files are.
bool is_epu_overview_xml(const fs::path& p) {
  if (!has_ext(p, ".xml")) return false;
  auto name = p.filename().native();
  if (icontains(name, "_Data_")) return false;
  return istarts_with(name, "GridSquare_") || istarts_with(name, "FoilHole_") || istarts_with(name, "Tile_") ||
         istarts_with(name, "Atlas_");
}

// The reference converter treats XMLs in folders named like "Data" or "Batch" as per-movie
// metadata; EPU names the movie XMLs FoilHole_<id>_Data_<...>.xml.
bool is_epu_image_xml(const fs::path& p, bool top_level) {
  if (!has_ext(p, ".xml")) return false;
  auto name = p.filename().native();
  if (icontains(name, "BatchPositionsList")) return false;
  if (icontains(name, "_Data_")) return true;
  if (is_epu_overview_xml(p)) return false;
  auto parent = p.parent_path().filename().native();
  if (parent.find("Data") != std::string::npos || parent.find("Batch") != std::string::npos) return true;
  return top_level && !istarts_with(name, "GridSquare_") && !istarts_with(name, "EpuSession") && !istarts_with(name, "Atlas");
}

void classify(const fs::path& p, bool top_level, SessionFiles& out) {
  auto name = p.filename().native();
  if (has_ext(p, ".mdoc") || has_ext(p, ".idoc")) out.mdoc.push_back(p);
  else if (iequals(name, "EpuSession.dm") || iequals(name, "Session.dm")) out.sessions.push_back(p);
  else if (is_properties_file(p)) out.properties.push_back(p);
  else if (is_epu_overview_xml(p)) out.epu_overviews.push_back(p);
  else if (is_epu_image_xml(p, top_level)) out.epu_images.push_back(p);
  else if (image_format_of(p) != ImageFormat::kNone) out.images.push_back(p);
}

void walk(const fs::path& root, SessionFiles& out) {
  std::error_code ec;
  auto opts = fs::directory_options::skip_permission_denied;
  fs::recursive_directory_iterator it(root, opts, ec), end;
  if (ec) {
    out.warnings.push_back(root.string() + ": cannot list folder: " + ec.message());
    return;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      out.warnings.push_back(it->path().string() + ": " + ec.message());
      ec.clear();
      continue;
    }
    const auto& p = it->path();
    if (!p.filename().empty() && p.filename().native()[0] == '.') {  // hidden, as the reference
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) classify(p, it.depth() == 0, out);
  }
}

}  // namespace

ImageFormat image_format_of(const fs::path& p) {
  if (has_ext(p, ".mrc") || has_ext(p, ".mrcs") || has_ext(p, ".st") || has_ext(p, ".map") || has_ext(p, ".ali") ||
      has_ext(p, ".rec"))
    return ImageFormat::kMrc;
  if (has_ext(p, ".eer")) return ImageFormat::kEer;
  if (has_ext(p, ".tif") || has_ext(p, ".tiff")) return ImageFormat::kTiff;
  return ImageFormat::kNone;
}

SessionFiles discover_session(const fs::path& root, const std::optional<fs::path>& epu_mirror) {
  SessionFiles out;
  std::error_code ec;
  auto st = fs::status(root, ec);
  if (ec || !fs::exists(st)) throw ExtractError(root.string(), 0, "no such file or folder");
  if (fs::is_regular_file(st)) {
    out.single_file = true;
    classify(root, true, out);
    if (has_ext(root, ".xml") && out.epu_images.empty() && out.epu_overviews.empty()) out.epu_images.push_back(root);
    if (out.metadata_count() == 0 && out.epu_overviews.empty() && out.images.empty() && out.sessions.empty() &&
        out.properties.empty())
      throw ExtractError(root.string(), 0, "not a metadata file this extractor knows (.mdoc, EPU .xml, .dm, .mrc, .eer, .tif)");
  } else {
    walk(root, out);
  }
  if (epu_mirror) {
    // The reference converter concatenates mirror root and session folder name; accept both
    // "<mirror>/<session name>" and a mirror that is itself the session's copy.
    fs::path candidate = *epu_mirror / root.filename();
    if (fs::is_directory(candidate, ec)) walk(candidate, out);
    else if (fs::is_directory(*epu_mirror, ec)) walk(*epu_mirror, out);
    else out.warnings.push_back(epu_mirror->string() + ": EPU mirror folder not found");
  }
  for (auto* v : {&out.mdoc, &out.epu_images, &out.epu_overviews, &out.sessions, &out.properties, &out.images}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return out;
}

}  // namespace openem::extract
