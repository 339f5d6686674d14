#include "extract/acquisition_choice.h"

namespace openem::extract {
namespace {

std::string examples(const KindData& k) {
  std::string out;
  for (const auto& e : k.examples) out += (out.empty() ? "" : ", ") + e;
  if (k.files > static_cast<std::int64_t>(k.examples.size())) out += ", ...";
  return out;
}

bool has(const SessionData& d, AcquisitionKind k) { return d.kind(k).files > 0; }

}  // namespace

bool has_acquisition(const SessionData& d, bool single_file) {
  return single_file || d.counts.epu_movies > 0 || d.counts.image_files > 0 || has(d, AcquisitionKind::kTiltSeries) ||
         has(d, AcquisitionKind::kMovies) || has(d, AcquisitionKind::kMaps);
}

AcquisitionChoice choose_acquisition(const SessionData& d, Technique technique, bool single_file,
                                     std::vector<std::string>& warnings) {
  AcquisitionChoice c;
  c.images = d.counts.image_files > 0;
  bool movies = has(d, AcquisitionKind::kMovies) || d.counts.epu_movies > 0;
  if (is_tomography(technique)) {
    if (has(d, AcquisitionKind::kTiltSeries)) c.mdoc_kind = AcquisitionKind::kTiltSeries;
  } else if (technique == Technique::kSpa) {
    if (has(d, AcquisitionKind::kMovies)) c.mdoc_kind = AcquisitionKind::kMovies;
    c.epu = d.counts.epu_movies > 0;
  } else {  // auto, general: what the session is mostly about
    if (has(d, AcquisitionKind::kTiltSeries)) {
      c.mdoc_kind = AcquisitionKind::kTiltSeries;
    } else if (movies) {
      if (has(d, AcquisitionKind::kMovies)) c.mdoc_kind = AcquisitionKind::kMovies;
      c.epu = d.counts.epu_movies > 0;
    } else if (has(d, AcquisitionKind::kMaps)) {
      c.mdoc_kind = AcquisitionKind::kMaps;
    }
  }
  // One file asked for by name is described, even a montage or an EPU overview image.
  if (single_file && !c.mdoc_kind && !c.epu) {
    if (d.counts.epu_movies + d.counts.epu_overviews > 0) c.epu = true;
    for (AcquisitionKind k : kAllKinds)
      if (has(d, k)) c.mdoc_kind = k;
  }

  const std::string document =
      technique == Technique::kAuto ? "the document" : "the " + std::string(technique_name(technique)) + " document";
  for (AcquisitionKind k : kAllKinds) {
    const KindData& kd = d.kind(k);
    if (kd.files == 0 || (c.mdoc_kind && *c.mdoc_kind == k)) continue;
    std::string what = std::to_string(kd.files) + " .mdoc file" + (kd.files > 1 ? "s" : "") + " of " +
                       std::string(kind_name(k)) + " (" + examples(kd) + ")";
    if (k == AcquisitionKind::kOverview)
      warnings.push_back(what + " not used: overview images never set acquisition values");
    else
      warnings.push_back(what + " not used: " + document + " describes " +
                         (c.mdoc_kind ? std::string(kind_name(*c.mdoc_kind)) : std::string("other files")));
  }
  if (d.counts.epu_movies > 0 && !c.epu)
    warnings.push_back(std::to_string(d.counts.epu_movies) + " EPU movie XMLs not used: " + document + " describes " +
                       (c.mdoc_kind ? std::string(kind_name(*c.mdoc_kind)) : std::string("other files")));
  if (is_tomography(technique) && !c.mdoc_kind && has_acquisition(d, single_file))
    warnings.push_back("no tilt series in this session: the " + std::string(technique_name(technique)) +
                       " document has no acquisition values from its files");
  if (technique == Technique::kSpa && !c.mdoc_kind && !c.epu && has_acquisition(d, single_file))
    warnings.push_back("no single-particle movies in this session: the spa document has no acquisition values from its files");
  return c;
}

}  // namespace openem::extract
