#pragma once
// SessionDiscovery: finds the metadata files of one acquisition session folder (EPU layout,
// SerialEM tilt-series or frame folders, Tomo5), optionally also in the EPU mirror folder
// the microscope PC keeps. Stateless, thread-safe.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace openem::extract {

struct SessionFiles {
  std::vector<std::filesystem::path> mdoc;        // SerialEM/Tomo5 autodocs
  std::vector<std::filesystem::path> epu_images;  // per-movie MicroscopeImage XML
  // EPU images of grid squares and foil holes (GridSquare_*.xml, FoilHole_<id>_<date>.xml
  // without "_Data_"): overviews, read only when the path given is one of them.
  std::vector<std::filesystem::path> epu_overviews;
  std::vector<std::filesystem::path> sessions;    // EpuSession.dm, Tomo5 Session.dm
  std::vector<std::filesystem::path> properties;  // SerialEMproperties (GlobalAutodocEntry)
  std::vector<std::filesystem::path> images;      // .mrc/.mrcs/.st/.map/.eer/.tif(f)
  std::vector<std::string> warnings;
  bool single_file = false;  // the path given was a file, not a folder

  std::size_t metadata_count() const { return mdoc.size() + epu_images.size(); }
};

// Throws ExtractError when `root` does not exist. Every list is sorted by path, so work
// distributed over threads is merged back in a fixed order.
SessionFiles discover_session(const std::filesystem::path& root,
                              const std::optional<std::filesystem::path>& epu_mirror = std::nullopt);

enum class ImageFormat { kNone, kMrc, kEer, kTiff };
ImageFormat image_format_of(const std::filesystem::path& p);

}  // namespace openem::extract
