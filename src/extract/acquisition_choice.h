#pragma once
// AcquisitionChoice: which of a session's files the document describes. A technique
// describes one kind of acquisition (tomography: tilt series; spa: movies; general: the
// first of tilt series, movies, single images); the other kinds are named in a warning, and
// montages and EPU overview images never set a value, unless the path given is one such
// file. Stateless function, thread-safe.
#include <optional>
#include <string>
#include <vector>

#include "extract/acquisition_kind.h"
#include "extract/session_reader.h"
#include "extract/technique.h"

namespace openem::extract {

struct AcquisitionChoice {
  std::optional<AcquisitionKind> mdoc_kind;  // autodocs of this kind
  bool epu = false;     // the EPU XMLs read (movies; or the one overview image asked for)
  bool images = false;  // image headers (read when there is no .mdoc/.xml metadata)

  bool empty() const { return !mdoc_kind && !epu && !images; }
};

// `single_file`: the path given was one file, which is then described whatever its kind.
AcquisitionChoice choose_acquisition(const SessionData& data, Technique technique, bool single_file,
                                     std::vector<std::string>& warnings);

// True when the session holds something other than overviews (so an empty choice is the
// technique's doing, not an overview-only folder).
bool has_acquisition(const SessionData& data, bool single_file);

}  // namespace openem::extract
