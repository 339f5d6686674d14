#pragma once
// File lists (OrigDatablock and Datablock bodies, reference §4): validation of the block and
// of each DataFile entry, including paths, which follow the upload rule exactly
// (relative_path_problem in core/relative_path.h). Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace openem {

// partial: PATCH (no required checks). archive: a Datablock (archiveId required).
std::vector<std::string> validate_file_block(const boost::json::object& body, bool partial, bool archive);

// Dates in dataFileList normalised to ISO UTC.
void normalize_file_block(boost::json::object& block);

}  // namespace openem
