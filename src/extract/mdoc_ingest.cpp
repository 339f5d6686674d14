#include "extract/mdoc_ingest.h"

#include <algorithm>
#include <cmath>

#include "extract/date_time.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

constexpr double kDistinctTiltDeg = 0.05;  // stage readback jitter is ~0.001°

bool is_image_section(const std::string& type) { return type == "ZValue" || type == "FrameSet" || type == "Image"; }

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

class Emitter {
 public:
  Emitter(FlatAggregate& out, DateOrder order, std::optional<int> zone) : out_(out), order_(order), zone_(zone) {}

  void entry(const MdocEntry& e) {
    if (e.key == "DateTime") {
      if (auto t = parse_serialem_date(e.value, order_, zone_)) out_.add_time("DateTime", e.value, *t);
      else out_.add("DateTimeUnparsed", e.value);
      return;
    }
    out_.add(e.key, e.value);
    auto tokens = split_ws(e.value);
    if (tokens.size() == 2) {
      auto x = parse_number(tokens[0]), y = parse_number(tokens[1]);
      if (x && y) {
        key_ = e.key;
        key_ += "_x";
        out_.add_number(key_, *x);
        key_.back() = 'y';
        out_.add_number(key_, *y);
      }
    }
    if (e.key == "FrameDosesAndNumber" && tokens.size() >= 2) {
      double total = 0;
      bool ok = true;
      for (size_t i = 0; i + 1 < tokens.size(); i += 2) {
        auto dose = parse_number(tokens[i]), n = parse_number(tokens[i + 1]);
        if (!dose || !n || !std::isfinite(*dose) || !std::isfinite(*n)) { ok = false; break; }
        total += *dose * *n;
      }
      if (ok) out_.add_number("FrameDoseTotal", total);
    }
  }

 private:
  FlatAggregate& out_;
  DateOrder order_;
  std::optional<int> zone_;
  std::string key_;
};

}  // namespace

std::optional<double> mdoc_tilt_axis_angle(const MdocDocument& doc) {
  for (const auto& t : doc.titles) {
    if (auto v = number_after(t, "Tilt axis angle")) return v;
    if (auto v = number_after(t, "TiltAxisAngle")) return v;
  }
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

std::optional<double> tilt_step(std::vector<double> angles) {
  angles.erase(std::remove_if(angles.begin(), angles.end(), [](double a) { return !std::isfinite(a); }), angles.end());
  std::sort(angles.begin(), angles.end());
  std::vector<double> distinct;
  for (double a : angles)
    if (distinct.empty() || a - distinct.back() > kDistinctTiltDeg) distinct.push_back(a);
  if (distinct.size() < 3) return std::nullopt;
  std::vector<double> gaps;
  for (size_t i = 1; i < distinct.size(); ++i) gaps.push_back(distinct[i] - distinct[i - 1]);
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
  double median = gaps[gaps.size() / 2];
  return std::round(median * 1000.0) / 1000.0;
}

MdocFacts ingest_mdoc(const MdocDocument& doc, const MdocContext& ctx, FlatAggregate& out) {
  MdocFacts facts;
  std::string_view title0 = doc.titles.empty() ? std::string_view{} : std::string_view(doc.titles.front());
  bool tomo5 = title0.starts_with("Tomography");
  DateOrder order = tomo5 ? DateOrder::kYearFirst : DateOrder::kDayFirst;
  Emitter emit(out, order, ctx.zone_offset_minutes);

  // Software: the reference takes title 1's program, overridden by a Version key.
  if (auto* v = doc.find_global("Version"); v && !v->value.empty()) out.add("Software", v->value);
  else if (title0.starts_with("SerialEM")) out.add("Software", "SerialEM");
  else if (tomo5) out.add("Software", "Tomo5");
  if (!title0.empty()) out.add("Title", title0);
  if (tomo5) {  // "Tomography: TITAN52337180  22-Feb-04 ..." names the instrument code
    auto tokens = split_ws(title0.substr(title0.find(':') == std::string_view::npos ? 0 : title0.find(':') + 1));
    if (!tokens.empty() && tokens[0].find('-') == std::string_view::npos) out.add("InstrumentCode", tokens[0]);
  }
  if (auto t = title_time(title0, order, ctx.zone_offset_minutes)) out.add_time("TitleDateTime", title0, *t);
  if (auto axis = mdoc_tilt_axis_angle(doc)) out.add_number("TiltAxisAngle", *axis);

  std::map<int, std::string> cameras = title_cameras(title0);
  for (const auto& [i, name] : ctx.cameras) cameras[i] = name;  // properties beat the title

  for (const auto& e : doc.global) emit.entry(e);
  std::vector<double> tilts;
  for (const auto& s : doc.sections) {
    if (!is_image_section(s.type)) continue;  // MontSection: montage set-up, not an image
    ++facts.images;
    if (s.type == "FrameSet") ++facts.frame_sets;
    for (const auto& e : s.entries) emit.entry(e);
    if (auto* ci = s.find("CameraIndex")) {
      if (auto idx = parse_number(ci->value); idx && *idx >= 0 && *idx < 64) {
        auto it = cameras.find(static_cast<int>(*idx));
        if (it != cameras.end()) out.add("CameraUsed", it->second);
      }
    }
    if (s.type == "ZValue")
      if (auto* ta = s.find("TiltAngle"))
        if (auto a = parse_number(ta->value)) tilts.push_back(*a);
  }
  const MdocEntry* montage = doc.find_global("Montage");
  bool is_montage = montage && montage->value != "0";
  if (auto step = tilt_step(tilts); step && !is_montage) {
    facts.tilt_series = true;
    facts.tilts = static_cast<std::int64_t>(tilts.size());
    out.add_number("NumberOfTilts", static_cast<double>(tilts.size()));
    out.add_number("TiltIncrement", *step);
  }
  return facts;
}

}  // namespace openem::extract
