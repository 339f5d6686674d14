#pragma once
// ImageHeaders: what the headers of a session's image files say about each image set — voxel
// type, image size and frames (sections, pages, EER frames) — grouped by folder and extension,
// as EMPIAR's image sets want them. The ingestor stores the summary in the dataset's
// scientificMetadata under "image_headers" (beside the OSC-EM sections; the OSC-EM schemas allow
// further top-level keys) because only the ingestor has every file at hand: the export runs
// on the server or on a laptop, where the files may be in S3 or on tape, and reading a header
// there would cost a download per file; at ingest every byte is read anyway for its checksum.
// Stateless functions, thread-safe.
#include <boost/json/array.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace openem::extract {

struct ImageHeaderFacts {
  std::string format;      // "MRC", "TIFF", "EER"
  std::string voxel_type;  // "int8", "uint8", "int16", "uint16", "int32", "uint32", "float16", "float32",
                           // "float64", "complex_int16", "complex_float32", "rgb8", "bit", "uint4",
                           // "eer_events"; "" when the header names none openem knows
  std::int64_t width = 0, height = 0;
  std::int64_t frames = 0;  // MRC sections, TIFF pages, EER frames
};

// Throws ExtractError(file, 0, reason) for a file that is not a readable MRC/TIFF/EER file.
ImageHeaderFacts read_image_header_facts(const std::filesystem::path& path);

struct ImageFile {
  std::string path;                 // relative to the session, '/'-separated
  std::filesystem::path source;     // what is read
};

// One object per (folder, extension) of the image files among `files` (others are skipped):
//   {"directory": "frames", "extension": "tif", "files": 40, "read": 40, "unreadable": 0,
//    "format": "TIFF", "voxel_type": "uint16", "width": 4096, "height": 4096, "frames": 50,
//    "differing": ["frames"]}
// A fact is written only when every read file of the group agrees; one that differs is named
// in "differing" instead. At most `max_files` headers are read in all (the rest count as
// files, not as read), so a huge session costs a bounded time.
boost::json::array summarize_image_headers(const std::vector<ImageFile>& files, std::size_t max_files = 20000);

}  // namespace openem::extract
