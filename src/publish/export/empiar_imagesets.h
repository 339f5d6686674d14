#pragma once
// The image sets of an EMPIAR deposition (part of empiar_export.h), one per folder and kind of
// image file in the dataset's file list: movies, micrographs, tilt series, gain references.
// Voxel type, image size and frames come from the files' headers as the ingestor summarized
// them (scientificMetadata.image_headers, extract/image_headers.h); without them, size and
// frames come from the OSC-EM acquisition and the voxel type is left for the user to fill in.
// Pure; thread-safe.
#include <boost/json/array.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "publish/export/export_problem.h"
#include "publish/export/export_subject.h"

namespace openem {

// An error when the file list holds no image file; warnings for what the user must fill in.
boost::json::array empiar_imagesets(const ExportSubject& subject, std::vector<ExportProblem>& problems);

// A voxel type of extract/image_headers.h in EMPIAR's terms: "uint16" → "('T3', '')",
// "float16" → "('OT', '16 BIT FLOAT')"; "" for a name openem does not know.
std::string empiar_voxel_type(std::string_view voxel_type);

}  // namespace openem
