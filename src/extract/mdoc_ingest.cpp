#include "extract/mdoc_ingest.h"

#include <algorithm>
#include <cmath>

#include "extract/date_time.h"
#include "extract/extract_error.h"
#include "extract/file_io.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

// Longer values are dropped: no real value is near it (paths, labels and titles are < 300
// bytes), and with FlatAggregate::kMaxKeys it bounds what one file can make an aggregate
// hold (4 MiB).
constexpr std::size_t kMaxValueBytes = 1024;
constexpr std::size_t kMaxWarningsPerFile = 20;

// Keys SerialEM and Tomo5 write as one number; an unparseable value is reported, not lost.
bool is_number_key(std::string_view k) {
  static constexpr std::string_view kKeys[] = {
      "TiltAngle",     "StageZ",       "Magnification",  "MagIndex",          "Intensity",     "ExposureDose",
      "DoseRate",      "PixelSpacing", "SpotSize",       "Defocus",           "TargetDefocus", "RotationAngle",
      "ExposureTime",  "Binning",      "CameraIndex",    "DividedBy2",        "Voltage",       "NumSubFrames",
      "PriorRecordDose", "CountsPerElectron", "LowDoseConSet", "DataMode", "CameraLength", "EMmode", "EMMode"};
  return std::find(std::begin(kKeys), std::end(kKeys), k) != std::end(kKeys);
}
bool is_vector_key(std::string_view k) {
  return k == "ImageSize" || k == "StagePosition" || k == "ImageShift" || k == "FilterSlitAndLoss" ||
         k == "FrameDosesAndNumber";
}
// Keys the summary reads besides the numbers and vectors above. With those and the values
// this reader derives, they are FlatAggregate KeyKind::kKnown: kept however many other keys
// a file brings.
bool is_known_text_key(std::string_view k) {
  return k == "DateTime" || k == "Source" || k == "PhasePlateInserted" || k == "SubFramePath" || k == "Version";
}
constexpr KeyKind kDerived = KeyKind::kKnown;  // keys this reader makes up (Software, TiltIncrement, ...)

// SerialEM writes NaN for these when they do not apply (CameraLength outside diffraction):
// a NaN there is the instrument saying "none", not a fault to report.
bool nan_means_none(std::string_view k) { return k == "CameraLength"; }

bool is_montage_key(std::string_view k) {
  return k == "PieceCoordinates" || k == "AlignedPieceCoords" || k == "AlignedPieceCoordsVS" || k == "MontSection" ||
         k == "MontageSection";
}

std::optional<double> number_after(std::string_view text, std::string_view label) {
  auto pos = text.find(label);
  if (pos == std::string_view::npos) return std::nullopt;
  auto rest = text.substr(pos + label.size());
  auto eq = rest.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  rest = trim(rest.substr(eq + 1));
  size_t end = 0;
  while (end < rest.size() && rest[end] != ',' && rest[end] != ' ' && rest[end] != '\t' && rest[end] != ']') ++end;
  return parse_number(rest.substr(0, end));
}

// "dd-Mon-yy", "yy-Mon-dd", "dd-Mon-yyyy": two dashes around a three-letter month.
bool looks_like_date(std::string_view token) {
  auto a = token.find('-'), b = token.rfind('-');
  if (a == std::string_view::npos || a == b || b - a != 4) return false;
  for (char c : token.substr(a + 1, 3))
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

// "dd-Mon-yy  HH:MM:SS" somewhere in a title.
std::optional<AcquisitionTime> title_time(std::string_view title, DateOrder order, std::optional<int> zone) {
  auto tokens = split_ws(title);
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    auto t = tokens[i];
    if (std::count(t.begin(), t.end(), '-') != 2 || tokens[i + 1].find(':') == std::string_view::npos) continue;
    std::string s(t);
    s += ' ';
    s += tokens[i + 1];
    if (auto at = parse_serialem_date(s, order, zone)) return at;
  }
  return std::nullopt;
}

std::optional<std::string> camera_name(int index, const std::map<int, std::string>& properties,
                                       const std::map<int, std::string>& title, const std::map<int, std::string>& site) {
  for (const auto* source : {&properties, &title, &site})
    if (auto it = source->find(index); it != source->end()) return it->second;
  return std::nullopt;
}

}  // namespace

std::optional<double> title_tilt_axis_angle(std::string_view title) {
  if (auto v = number_after(title, "Tilt axis angle")) return v;
  return number_after(title, "TiltAxisAngle");
}

std::optional<double> mdoc_tilt_axis_angle(const MdocDocument& doc) {
  for (const auto& t : doc.titles)
    if (auto v = title_tilt_axis_angle(t)) return v;
  return std::nullopt;
}

std::map<int, std::string> title_cameras(std::string_view title) {
  std::map<int, std::string> out;
  auto pos = title.find("Camera ->");
  if (pos == std::string_view::npos) return out;
  for (auto tok : split_ws(title.substr(pos + 9))) {
    auto colon = tok.find(':');
    if (colon == std::string_view::npos || colon == 0) break;
    auto idx = parse_number(tok.substr(0, colon));
    if (!idx || *idx < 0 || *idx > 64) break;
    out[static_cast<int>(*idx)] = std::string(tok.substr(colon + 1));
  }
  return out;
}

std::optional<std::string> tomo5_instrument_code(std::string_view title) {
  auto colon = title.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto tokens = split_ws(title.substr(colon + 1));
  if (tokens.empty() || looks_like_date(tokens[0]) || tokens[0].find(':') != std::string_view::npos) return std::nullopt;
  return std::string(tokens[0]);
}

MdocIngest::MdocIngest(const MdocContext& ctx, std::string file, FlatAggregate& out)
    : ctx_(ctx), file_(std::move(file)), out_(out) {}

void MdocIngest::warn(std::size_t line, const std::string& reason) {
  if (warnings_.size() < kMaxWarningsPerFile) warnings_.push_back(file_ + ":" + std::to_string(line) + ": " + reason);
}

void MdocIngest::on_title(std::string_view text, std::size_t) {
  if (!title0_) {
    title0_ = std::string(text);
    tomo5_ = text.starts_with("Tomography");
    if (text.size() <= kMaxValueBytes) out_.add("Title", text, kDerived);
    if (tomo5_)  // "Tomography: TITAN52337180  22-Feb-04 ..." names the instrument code
      if (auto code = tomo5_instrument_code(text)) out_.add("InstrumentCode", *code, kDerived);
    DateOrder order = tomo5_ ? DateOrder::kYearFirst : DateOrder::kDayFirst;
    if (auto t = title_time(text, order, ctx_.zone_offset_minutes)) out_.add_time("TitleDateTime", text, *t, kDerived);
    title_cameras_ = title_cameras(text);
  }
  if (!axis_found_)
    if (auto axis = title_tilt_axis_angle(text)) {
      out_.add_number("TiltAxisAngle", *axis, kDerived);
      axis_found_ = true;
    }
}

void MdocIngest::on_section(std::string_view type, std::string_view, std::size_t) {
  section_has_data_ = false;
  section_saved_frames_ = false;
  section_type_.assign(type);
  if (type == "FrameSet") {
    scope_ = Scope::kFrameSet;
  } else if (type == "ZValue" || type == "Image") {
    // A frame-stack mdoc of one movie lists its slices as [ZValue] sections after the
    // [FrameSet] (frame_set_multiple): parts of that movie, not further images.
    scope_ = (type == "ZValue" && facts_.frame_sets > 0) ? Scope::kSlice : Scope::kImage;
  } else {
    scope_ = Scope::kOther;  // MontSection: the montage's set-up, not an image
    if (type == "MontSection" && !montage_) {
      montage_ = true;
      montage_why_ = "[MontSection] section";
    }
  }
}

void MdocIngest::open_image_section() {
  section_has_data_ = true;
  ++facts_.images;
  if (scope_ == Scope::kFrameSet) ++facts_.frame_sets;
}

void MdocIngest::on_entry(std::string_view key, std::string_view value, std::size_t line) {
  if (value.size() > kMaxValueBytes) {
    warn(line, "value of '" + std::string(key) + "' is " + std::to_string(value.size()) + " bytes long (limit " +
                   std::to_string(kMaxValueBytes) + "); dropped");
    return;
  }
  switch (scope_) {
    case Scope::kOther:
      return;
    case Scope::kSlice:
      if (!section_has_data_) {
        section_has_data_ = true;
        ++facts_.frame_slices;
      }
      return;
    case Scope::kGlobal:
      if (key == "Version" && !value.empty()) version_ = std::string(value);
      if (key == "Montage" && !value.empty() && value != "0" && !montage_) {
        montage_ = true;
        montage_why_ = "Montage = " + std::string(value);
      }
      emit(key, value, line);
      return;
    case Scope::kImage:
    case Scope::kFrameSet:
      break;
  }
  if (!section_has_data_) open_image_section();
  if (is_montage_key(key) && !montage_) {
    montage_ = true;
    montage_why_ = std::string(key) + " in [" + section_type_ + "] sections";
  }
  if (!section_saved_frames_) {
    double n = key == "NumSubFrames" ? parse_number(value).value_or(0) : 0;
    bool frames = (key == "SubFramePath" && !value.empty()) || (std::isfinite(n) && n > 0);
    if (frames) {
      section_saved_frames_ = true;
      if (scope_ == Scope::kImage) ++images_with_frames_;
    }
  }
  if (key == "CameraIndex") {
    if (auto idx = parse_number(value); idx && *idx >= 0 && *idx < 64) {
      int i = static_cast<int>(*idx);
      if (auto name = camera_name(i, ctx_.cameras, title_cameras_, ctx_.site_cameras))
        out_.add("CameraUsed", *name, kDerived);
      else if (std::find(unnamed_.begin(), unnamed_.end(), i) == unnamed_.end()) unnamed_.push_back(i);
    }
  }
  if (key == "TiltAngle" && scope_ == Scope::kImage)
    if (auto a = parse_number(value)) tilts_.add(*a);
  emit(key, value, line);
}

void MdocIngest::check_number(std::string_view key, std::string_view value, bool scalar, std::size_t line) {
  if (value.empty()) return;
  // What is wrong with one number, or nullptr: infinities and overflow (1e400) parse, but
  // are no measurement, and the aggregate never counts them as numbers.
  auto problem = [&](std::string_view token) -> const char* {
    auto v = parse_number(token);
    if (!v) return "is not a number";
    if (std::isnan(*v)) return nan_means_none(key) ? nullptr : "is not a number";
    if (std::isinf(*v)) return "is not a finite number";
    return nullptr;
  };
  const char* why = nullptr;
  if (scalar) why = problem(value);
  else
    for (auto token : split_ws(value))
      if (!why) why = problem(token);
  if (!why) return;
  if (std::find(warned_keys_.begin(), warned_keys_.end(), key) != warned_keys_.end()) return;
  warned_keys_.emplace_back(key);
  warn(line, "'" + std::string(key) + "' = '" + std::string(value.substr(0, 80)) + "' " + why + "; dropped");
}

void MdocIngest::emit(std::string_view key, std::string_view value, std::size_t line) {
  if (key == "DateTime") {
    DateOrder order = tomo5_ ? DateOrder::kYearFirst : DateOrder::kDayFirst;
    if (auto t = parse_serialem_date(value, order, ctx_.zone_offset_minutes)) {
      out_.add_time("DateTime", value, *t, KeyKind::kKnown);
    } else {
      out_.add("DateTimeUnparsed", value, kDerived);
      if (!value.empty() && std::find(warned_keys_.begin(), warned_keys_.end(), key) == warned_keys_.end()) {
        warned_keys_.emplace_back(key);
        warn(line, "DateTime '" + std::string(value.substr(0, 80)) + "' is not a date; dropped");
      }
    }
    return;
  }
  const bool scalar = is_number_key(key), vector = !scalar && is_vector_key(key);
  if (scalar || vector) check_number(key, value, scalar, line);
  const KeyKind kind = scalar || vector || is_known_text_key(key) ? KeyKind::kKnown : KeyKind::kFile;
  out_.add(key, value, kind);
  auto tokens = split_ws(value);
  if (tokens.size() == 2) {
    auto x = parse_number(tokens[0]), y = parse_number(tokens[1]);
    if (x && y) {
      key_.assign(key);
      key_ += "_x";
      out_.add_number(key_, *x, kind);
      key_.back() = 'y';
      out_.add_number(key_, *y, kind);
    }
  }
  if (key == "FrameDosesAndNumber" && tokens.size() >= 2) {
    double total = 0;
    bool ok = true;
    for (size_t i = 0; i + 1 < tokens.size(); i += 2) {
      auto dose = parse_number(tokens[i]), n = parse_number(tokens[i + 1]);
      if (!dose || !n || !std::isfinite(*dose) || !std::isfinite(*n)) {
        ok = false;
        break;
      }
      total += *dose * *n;
    }
    if (ok) out_.add_number("FrameDoseTotal", without_float_noise(total), kDerived);
  }
}

MdocFacts MdocIngest::finish(std::size_t last_line) {
  if (facts_.images == 0 && montage_)  // not truncated: a montage's set-up without its pieces
    throw ExtractError(file_, last_line,
                       "only a montage's set-up (" + montage_why_ +
                           "), no image section with data ([ZValue], [FrameSet] or [Image]): no image to describe");
  if (facts_.images == 0)
    throw ExtractError(file_, last_line,
                       "no image section with data ([ZValue], [FrameSet] or [Image]); the file is truncated or "
                       "holds no image metadata");
  // Software: the reference takes title 1's program, overridden by a Version key.
  std::string_view title0 = title0_ ? std::string_view(*title0_) : std::string_view{};
  if (version_) out_.add("Software", *version_, kDerived);
  else if (title0.starts_with("SerialEM")) out_.add("Software", "SerialEM", kDerived);
  else if (tomo5_) out_.add("Software", "Tomo5", kDerived);

  std::optional<double> step = tilts_.step();
  if (montage_) {
    facts_.kind = AcquisitionKind::kOverview;
    facts_.why = montage_why_;
  } else if (facts_.frame_sets > 0) {
    facts_.kind = AcquisitionKind::kMovies;
    facts_.why = "[FrameSet] section";
    facts_.movies = facts_.frame_sets;
  } else if (step) {
    facts_.kind = AcquisitionKind::kTiltSeries;
    facts_.why = std::to_string(tilts_.size()) + " images at distinct tilt angles";
    facts_.tilt_series = true;
    facts_.tilts = static_cast<std::int64_t>(tilts_.size());
    facts_.tilt_step = step;
    out_.add_number("NumberOfTilts", static_cast<double>(tilts_.size()), kDerived);
    out_.add_number("TiltIncrement", *step, kDerived);
  } else if (images_with_frames_ > 0) {
    facts_.kind = AcquisitionKind::kMovies;
    facts_.why = "images with saved frames (SubFramePath)";
    facts_.movies = images_with_frames_;
  } else {
    facts_.kind = AcquisitionKind::kMaps;
    facts_.why = "single images without saved frames";
  }
  facts_.unnamed_cameras = unnamed_;
  return facts_;
}

MdocFacts ingest_mdoc(const MdocDocument& doc, const MdocContext& ctx, FlatAggregate& out) {
  MdocIngest ingest(ctx, doc.file, out);
  std::size_t last = 0;
  for (const auto& t : doc.titles) ingest.on_title(t, 0);
  for (const auto& e : doc.global) {
    ingest.on_entry(e.key, e.value, e.line);
    last = std::max(last, e.line);
  }
  for (const auto& s : doc.sections) {
    ingest.on_section(s.type, s.name, s.line);
    last = std::max(last, s.line);
    for (const auto& e : s.entries) {
      ingest.on_entry(e.key, e.value, e.line);
      last = std::max(last, e.line);
    }
  }
  return ingest.finish(last);
}

MdocFacts ingest_mdoc_file(const std::filesystem::path& path, const MdocContext& ctx, FlatAggregate& out,
                           std::vector<std::string>& warnings, std::uint64_t& bytes_read) {
  MdocIngest ingest(ctx, path.string(), out);
  MdocStreamParser parser(path.string(), ingest);
  bytes_read = read_file_chunks(path, [&](std::string_view chunk) { parser.feed(chunk); });
  parser.finish();
  MdocFacts facts = ingest.finish(parser.lines());
  warnings = parser.take_warnings();
  for (auto& w : ingest.warnings()) warnings.push_back(std::move(w));
  return facts;
}

}  // namespace openem::extract
