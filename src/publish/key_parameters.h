#pragma once
// The handful of acquisition parameters a person looks for first on a dataset's page — the
// microscope, voltage, pixel size, dose, exposure, magnification, detector — read from the
// OSC-EM metadata openem's extraction stores in scientificMetadata (reference/oscem.md).
// Used by landing pages, their schema.org variableMeasured and citations. Pure; thread-safe.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace openem {

struct KeyParameter {
  std::string name;   // "Pixel size"
  std::string path;   // "acquisition.pixel_size"
  std::string value;  // as stored, shortest form: "0.83"
  std::string unit;   // as stored: "Å"; "" for counts and names
  std::optional<double> number;
};

std::vector<KeyParameter> key_parameters(const boost::json::object& scientific_metadata);

}  // namespace openem
