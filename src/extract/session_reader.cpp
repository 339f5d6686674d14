#include "extract/session_reader.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "extract/epu_xml_reader.h"
#include "extract/extract_error.h"
#include "extract/file_io.h"
#include "extract/mdoc_ingest.h"
#include "extract/mrc_reader.h"
#include "extract/text_util.h"
#include "extract/tiff_reader.h"

namespace openem::extract {
namespace fs = std::filesystem;
namespace {

// Fixed chunk size, independent of the thread count, so that the floating-point sums of
// each chunk and their merge order never change between runs.
constexpr std::size_t kChunkFiles = 64;
constexpr std::size_t kKindExamples = 3;

class PlainAggregateSink : public KeyValueSink {
 public:
  explicit PlainAggregateSink(FlatAggregate& out) : out_(out) {}
  void on_value(std::string_view key, std::string_view value) override { out_.add(key, value); }

 private:
  FlatAggregate& out_;
};

enum class Kind { kEpu, kEpuOverview, kMdoc, kImage };
struct Job {
  const fs::path* path;
  Kind kind;
};

// The values that must agree between files of one kind, as this file has them (both ends
// when they vary inside the file).
void note_mdoc_constants(const FlatAggregate& file, const std::string& name, ConstantTracker& out) {
  auto number = [&](const char* key, const char* field, const char* unit) {
    const KeyStats* s = file.find(key);
    if (!s || s->numeric == 0) return;
    out.note_number(field, s->min, unit, name);
    if (s->max != s->min) out.note_number(field, s->max, unit, name);
  };
  number("Voltage", "instrument.acceleration_voltage", "kV");
  number("PixelSpacing", "acquisition.pixel_size", "\u212B");
  number("Magnification", "acquisition.nominal_magnification", "");
  if (const KeyStats* cam = file.find("CameraUsed")) out.note_text("acquisition.detectors", cam->first, name);
  else if (const KeyStats* idx = file.find("CameraIndex"); idx && idx->numeric)
    out.note_text("acquisition.detectors", "camera index " + format_number(idx->min), name);
}

void read_mdoc(const fs::path& p, const MdocContext& ctx, SessionData& out) {
  thread_local FlatAggregate scratch;  // one file's samples, merged once the file is complete
  scratch.reset();
  std::vector<std::string> warnings;
  std::uint64_t bytes = 0;
  MdocFacts f = ingest_mdoc_file(p, ctx, scratch, warnings, bytes);
  out.counts.bytes_read += static_cast<std::int64_t>(bytes);
  out.mdoc.merge(scratch);
  KindData& k = out.mdoc_kinds[kind_index(f.kind)];
  k.values.merge(scratch);
  note_mdoc_constants(scratch, p.string(), k.constants);
  ++k.files;
  k.images += f.images;
  k.movies += f.movies;
  k.tilts += f.tilts;
  k.frame_slices += f.frame_slices;
  if (k.examples.size() < kKindExamples) k.examples.push_back(p.filename().string() + " (" + f.why + ")");
  for (int c : f.unnamed_cameras)
    if (std::find(k.unnamed_cameras.begin(), k.unnamed_cameras.end(), c) == k.unnamed_cameras.end())
      k.unnamed_cameras.push_back(c);
  ++out.counts.mdoc_files;
  out.counts.mdoc_images += f.images;
  out.counts.frame_sets += f.frame_sets;
  if (f.tilt_series) {
    ++out.counts.tilt_series;
    out.counts.tilts += f.tilts;
  }
  for (auto& w : warnings) out.warnings.push_back(std::move(w));
}

void read_image_header(const fs::path& p, SessionData& out) {
  FlatAggregate one;
  if (image_format_of(p) == ImageFormat::kMrc) {
    MrcInfo info = read_mrc_header(p);
    const MrcHeader& h = info.header;
    one.add_number("MRC.Width", h.nx);
    one.add_number("MRC.Height", h.ny);
    one.add_number("MRC.Sections", h.nz);
    one.add_number("MRC.Mode", h.mode);
    if (h.pixel_spacing_x() > 0) one.add_number("MRC.PixelSpacing", h.pixel_spacing_x());
    if (!h.exttyp.empty()) one.add("MRC.ExtendedType", h.exttyp);
    for (const auto& rec : info.fei)
      for (const auto& [k, v] : rec) one.add(k, v);
    out.counts.image_sections += h.nz;
    for (auto& w : info.warnings) out.warnings.push_back(std::move(w));
  } else {
    PlainAggregateSink sink(one);
    read_tiff_metadata(p, sink);
    ++out.counts.image_sections;
  }
  out.image.merge(one);
  ++out.counts.image_files;
}

void read_one(const Job& job, const MdocContext& mdoc_ctx, SessionData& out) {
  const fs::path& p = *job.path;
  try {
    switch (job.kind) {
      case Kind::kEpu:
      case Kind::kEpuOverview: {
        std::string buf = read_file_capped(p, 64u << 20);
        out.counts.bytes_read += static_cast<std::int64_t>(buf.size());
        ingest_epu_xml(buf.data(), buf.size(), p.string(), out.epu, out.epu_constants, out.epu_dose, out.warnings);
        ++(job.kind == Kind::kEpu ? out.counts.epu_movies : out.counts.epu_overviews);
        break;
      }
      case Kind::kMdoc:
        read_mdoc(p, mdoc_ctx, out);
        break;
      case Kind::kImage:
        read_image_header(p, out);
        break;
    }
    out.used.push_back(p);
  } catch (const ExtractError& e) {
    out.errors.push_back(e.what());
    if (!out.first_error) out.first_error = e;
  } catch (const std::exception& e) {  // bad_alloc on absurd input, pugixml/libtiff surprises
    out.errors.push_back(p.string() + ": " + e.what());
    if (!out.first_error) out.first_error = ExtractError(p.string(), 0, e.what());
  }
}

MdocContext make_mdoc_context(const SessionFiles& files, const SiteProfile& site, SessionData& data) {
  MdocContext ctx;
  ctx.zone_offset_minutes = site.time_zone_offset_minutes;
  ctx.site_cameras = site.cameras;
  for (const auto& p : files.properties) {
    try {
      auto entries = parse_global_autodoc_entries(read_file_capped(p, 16u << 20), p.string());
      for (const auto& e : entries) {
        data.mdoc.add(e.key, e.value);
        if (e.key.starts_with("Camera") && e.key.size() > 6)
          if (auto idx = parse_number(std::string_view(e.key).substr(6)); idx && *idx >= 0 && *idx < 64)
            ctx.cameras[static_cast<int>(*idx)] = e.value;
      }
      data.used.push_back(p);
    } catch (const ExtractError& e) {
      data.errors.push_back(e.what());
    }
  }
  return ctx;
}

}  // namespace

void KindData::merge(KindData&& later) {
  values.merge(later.values);
  constants.merge(later.constants);
  files += later.files;
  images += later.images;
  movies += later.movies;
  tilts += later.tilts;
  frame_slices += later.frame_slices;
  for (auto& e : later.examples)
    if (examples.size() < kKindExamples) examples.push_back(std::move(e));
  for (int c : later.unnamed_cameras)
    if (std::find(unnamed_cameras.begin(), unnamed_cameras.end(), c) == unnamed_cameras.end()) unnamed_cameras.push_back(c);
}

void SessionData::merge(SessionData&& later) {
  epu.merge(later.epu);
  mdoc.merge(later.mdoc);
  image.merge(later.image);
  session.merge(later.session);
  for (std::size_t k = 0; k < kAcquisitionKinds; ++k) mdoc_kinds[k].merge(std::move(later.mdoc_kinds[k]));
  epu_constants.merge(later.epu_constants);
  epu_dose.merge(later.epu_dose);
  counts.epu_movies += later.counts.epu_movies;
  counts.epu_overviews += later.counts.epu_overviews;
  counts.mdoc_files += later.counts.mdoc_files;
  counts.mdoc_images += later.counts.mdoc_images;
  counts.frame_sets += later.counts.frame_sets;
  counts.tilt_series += later.counts.tilt_series;
  counts.tilts += later.counts.tilts;
  counts.image_files += later.counts.image_files;
  counts.image_sections += later.counts.image_sections;
  counts.bytes_read += later.counts.bytes_read;
  for (auto& p : later.used) used.push_back(std::move(p));
  for (auto& w : later.warnings) warnings.push_back(std::move(w));
  for (auto& e : later.errors) errors.push_back(std::move(e));
  if (!first_error && later.first_error) first_error = std::move(later.first_error);
}

SessionData read_session(const SessionFiles& files, const SiteProfile& site, const ReadOptions& options) {
  SessionData data;
  data.warnings = files.warnings;
  MdocContext ctx = make_mdoc_context(files, site, data);
  for (const auto& p : files.sessions) {
    try {
      PlainAggregateSink sink(data.session);
      read_epu_session_file(p, sink);
      data.used.push_back(p);
    } catch (const ExtractError& e) {
      data.warnings.push_back(std::string(e.what()) + " (session file skipped)");
    }
  }

  std::vector<Job> jobs;
  jobs.reserve(files.epu_images.size() + files.mdoc.size());
  for (const auto& p : files.epu_images) jobs.push_back({&p, Kind::kEpu});
  // An overview image is read only when it is what was asked for; in a folder it never
  // describes the acquisition.
  if (files.single_file)
    for (const auto& p : files.epu_overviews) jobs.push_back({&p, Kind::kEpuOverview});
  for (const auto& p : files.mdoc) jobs.push_back({&p, Kind::kMdoc});
  if (options.read_image_headers) {
    std::size_t n = std::min(files.images.size(), options.max_image_headers);
    for (std::size_t i = 0; i < n; ++i) jobs.push_back({&files.images[i], Kind::kImage});
    if (n < files.images.size())
      data.warnings.push_back("read image headers of the first " + std::to_string(n) + " of " +
                              std::to_string(files.images.size()) + " image files");
  }

  const std::size_t chunks = (jobs.size() + kChunkFiles - 1) / kChunkFiles;
  std::vector<SessionData> partial(chunks);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t c = next++; c < chunks; c = next++) {
      std::size_t end = std::min(jobs.size(), (c + 1) * kChunkFiles);
      for (std::size_t i = c * kChunkFiles; i < end; ++i) read_one(jobs[i], ctx, partial[c]);
    }
  };
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(chunks, 1)));
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
  }
  for (auto& p : partial) data.merge(std::move(p));
  return data;
}

}  // namespace openem::extract
