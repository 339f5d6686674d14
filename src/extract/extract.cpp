#include "extract/extract.h"

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

}  // namespace

ExtractResult extract_session(const std::filesystem::path& path, const ExtractOptions& options) {
  SessionFiles files = discover_session(path, options.epu_mirror);
  SiteProfile site = options.site.value_or(SiteProfile{});

  ReadOptions read;
  read.threads = options.threads;
  read.read_image_headers = options.always_read_image_headers || files.metadata_count() == 0;
  SessionData data = read_session(files, site, read);

  if (data.counts.epu_movies + data.counts.mdoc_files + data.counts.image_files == 0) {
    if (data.first_error) throw *data.first_error;  // it names file and line
    throw ExtractError(path.string(), 0,
                       files.single_file ? "no acquisition metadata in this file"
                                         : "no SerialEM .mdoc, EPU .xml or image files found in this folder");
  }

  ExtractResult r;
  r.counts = data.counts;
  r.files_used = data.used;
  r.warnings = data.warnings;
  for (const auto& e : data.errors) r.warnings.push_back(e + " (file skipped)");

  DatasetSummary summary = build_summary(data, site, r.warnings);
  r.technique = options.technique == Technique::kAuto ? detect_technique(summary) : options.technique;
  r.oscem = map_to_oscem(summary, r.technique, r.warnings);

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
