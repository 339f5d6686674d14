#include "extract/extract.h"

#include <algorithm>

#include "extract/acquisition_choice.h"
#include "extract/extract_error.h"
#include "extract/oscem_mapper.h"
#include "extract/session_discovery.h"
#include "extract/summary_builder.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

void add_counts(std::map<std::string, std::string>& flat, const SessionCounts& c) {
  auto put = [&](const char* k, std::int64_t v) {
    if (v > 0) flat[k] = std::to_string(v);
  };
  put("NumberOfMovies", c.epu_movies);
  put("NumberOfMdocFiles", c.mdoc_files);
  put("NumberOfImages", c.mdoc_images + c.epu_movies);
  put("NumberOfTiltSeries", c.tilt_series);
  put("NumberOfTilts", c.tilts);
  put("NumberOfImageFiles", c.image_files);
}

// What an overview-only folder holds, for the error that says why nothing is described.
std::string overview_only(const SessionFiles& files, const SessionData& data) {
  std::string what;
  const KindData& k = data.kind(AcquisitionKind::kOverview);
  if (k.files > 0) {
    what = std::to_string(k.files) + " montage/overview .mdoc file" + (k.files > 1 ? "s" : "") + " (";
    for (std::size_t i = 0; i < k.examples.size(); ++i) what += (i ? ", " : "") + k.examples[i];
    what += k.files > static_cast<std::int64_t>(k.examples.size()) ? ", ...)" : ")";
  }
  if (!files.epu_overviews.empty()) {
    if (!what.empty()) what += " and ";
    what += std::to_string(files.epu_overviews.size()) + " EPU grid-square/foil-hole image" +
            (files.epu_overviews.size() > 1 ? "s" : "") + " (" + files.epu_overviews.front().filename().string() +
            (files.epu_overviews.size() > 1 ? ", ...)" : ")");
  }
  return "only overview images here: " + what +
         "; they never describe an acquisition (no tilt series, movies or single images); give one file as PATH to "
         "describe that image";
}

// Names what the key limit dropped; the keys the summary reads are never among them.
std::string dropped_keys_warning(std::uint64_t samples, const FlatAggregate& mdoc, const FlatAggregate& epu) {
  std::vector<std::string> names = mdoc.dropped_keys();
  names.insert(names.end(), epu.dropped_keys().begin(), epu.dropped_keys().end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() > FlatAggregate::kDroppedKeyExamples) names.resize(FlatAggregate::kDroppedKeyExamples);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return std::to_string(samples) + " values of keys beyond the first " + std::to_string(FlatAggregate::kMaxKeys) +
         " distinct keys were dropped, keys " + list +
         " and maybe more (the keys openem reads are always kept, so no OSC-EM value is lost; --flat lacks them)";
}

}  // namespace

ExtractResult extract_session(const std::filesystem::path& path, const ExtractOptions& options) {
  SessionFiles files = discover_session(path, options.epu_mirror);
  SiteProfile site = options.site.value_or(SiteProfile{});

  ReadOptions read;
  read.threads = options.threads;
  read.read_image_headers = options.always_read_image_headers || files.metadata_count() == 0;
  SessionData data = read_session(files, site, read);

  if (data.counts.epu_movies + data.counts.epu_overviews + data.counts.mdoc_files + data.counts.image_files == 0) {
    if (data.first_error) throw *data.first_error;  // it names file and line
    if (!files.epu_overviews.empty()) throw ExtractError(path.string(), 0, overview_only(files, data));
    throw ExtractError(path.string(), 0,
                       files.single_file ? "no acquisition metadata in this file"
                                         : "no SerialEM .mdoc, EPU .xml or image files found in this folder");
  }
  if (!has_acquisition(data, files.single_file)) throw ExtractError(path.string(), 0, overview_only(files, data));

  ExtractResult r;
  r.counts = data.counts;
  r.files_used = data.used;
  r.warnings = data.warnings;
  for (const auto& e : data.errors) r.warnings.push_back(e + " (file skipped)");
  if (!files.single_file && !files.epu_overviews.empty())
    r.warnings.push_back(std::to_string(files.epu_overviews.size()) +
                         " EPU grid-square/foil-hole images not read: overview images never set acquisition values");

  AcquisitionChoice choice = choose_acquisition(data, options.technique, files.single_file, r.warnings);
  DatasetSummary summary = build_summary(data, choice, site, r.warnings, r.conflicts);
  r.technique = options.technique == Technique::kAuto ? detect_technique(summary) : options.technique;
  r.oscem = map_to_oscem(summary, r.technique, r.warnings);
  for (const auto& c : r.conflicts) r.warnings.push_back("conflict: " + c.describe());
  if (std::uint64_t dropped = data.mdoc.dropped_samples() + data.epu.dropped_samples())
    r.warnings.push_back(dropped_keys_warning(dropped, data.mdoc, data.epu));
  r.gaps = find_gaps(r.oscem, r.technique);
  for (const auto& g : r.gaps) r.warnings.push_back(g.describe());

  // Flat view: EPU first, then image headers, then mdoc keys over them (the reference's order).
  r.flat = data.image.flat_view();
  for (auto& [k, v] : data.epu.flat_view()) r.flat[k] = std::move(v);
  for (auto& [k, v] : data.mdoc.flat_view()) r.flat[k] = std::move(v);
  for (auto& [k, v] : data.session.flat_view()) r.flat[k] = std::move(v);
  add_counts(r.flat, data.counts);
  if (summary.tilt_increment) r.flat["TiltIncrement"] = format_number(*summary.tilt_increment);
  if (summary.dose_per_image) r.flat["DoseAverage"] = format_number(*summary.dose_per_image);

  if (options.validate) r.validation_errors = validate_oscem(boost::json::value(r.oscem), r.technique, options.schema_dir);
  return r;
}

}  // namespace openem::extract
