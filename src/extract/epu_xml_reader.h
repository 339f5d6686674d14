#pragma once
// EpuXmlReader: flattens one EPU/Tomo5 `MicroscopeImage` XML (.NET DataContract) into
// key/value pairs, resolving elements by namespace URI rather than by prefix.
// Stateless functions, thread-safe.
#include <cstddef>
#include <filesystem>
#include <string>

#include "extract/key_value_sink.h"

namespace openem::extract {

namespace epu_ns {
inline constexpr const char* kShared = "http://schemas.datacontract.org/2004/07/Fei.SharedObjects";
inline constexpr const char* kArrays = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
inline constexpr const char* kXsi = "http://www.w3.org/2001/XMLSchema-instance";
inline constexpr const char* kEpuPersistence = "http://schemas.datacontract.org/2004/07/Applications.Epu.Persistence";
}  // namespace epu_ns

// Keys are the reference converter's: the dotted local-name path from the root for elements
// ("MicroscopeImage.microscopeData.gun.AccelerationVoltage"), the bare key for each
// CustomData pair ("DoseOnCamera", "AppliedDefocus", "Aperture[C2].Name"), and
// "<path>.<Key>" for other key/value lists (CameraSpecificInput). Lists of repeated elements
// give "<path>.Count" and the first item. i:nil values are skipped.
// `buffer` is parsed in place (modified). Throws ExtractError(file, line, reason) for
// malformed XML or a root that is not a MicroscopeImage in the Fei.SharedObjects namespace.
void parse_epu_image_xml(char* buffer, std::size_t size, const std::string& file, KeyValueSink& sink);
void read_epu_image_xml(const std::filesystem::path& path, KeyValueSink& sink);

// EpuSession.dm (EpuSessionXml) or Tomo5 Session.dm (TomographySession): a few session-level
// values as "Session.<Name>" keys (Name, StartDateTime, software, formats).
void read_epu_session_file(const std::filesystem::path& path, KeyValueSink& sink);
void parse_epu_session(char* buffer, std::size_t size, const std::string& file, KeyValueSink& sink);

}  // namespace openem::extract
