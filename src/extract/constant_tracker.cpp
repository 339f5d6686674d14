#include "extract/constant_tracker.h"

#include <algorithm>
#include <cmath>

#include "extract/text_util.h"

namespace openem::extract {
namespace {

bool same_number(double a, double b) {  // "300" and "300.00", "1.2827" and "1.28270"
  return std::fabs(a - b) <= 1e-6 * std::max({1e-300, std::fabs(a), std::fabs(b)});
}

bool same(const ConstantTracker::Value& a, const ConstantTracker::Value& b) {
  if (a.number && b.number) return same_number(*a.number, *b.number);
  return a.text == b.text;
}

}  // namespace

std::vector<ConstantTracker::Value>& ConstantTracker::slot(std::string_view field) {
  for (auto& [name, values] : fields_)
    if (name == field) return values;
  return fields_.emplace_back(std::string(field), std::vector<Value>{}).second;
}

void ConstantTracker::note(std::string_view field, Value v) {
  auto& values = slot(field);
  for (const auto& have : values)
    if (same(have, v)) return;
  if (values.size() < kMaxValues) values.push_back(std::move(v));
}

void ConstantTracker::note_number(std::string_view field, double value, std::string_view unit, const std::string& file) {
  if (!std::isfinite(value)) return;
  // Every file of a session notes its values: the common case (a value already seen) must
  // not format or copy anything.
  for (const auto& have : slot(field))
    if (have.number && same_number(*have.number, value)) return;
  std::string text = format_number(without_float_noise(value));
  if (!unit.empty()) {
    text += ' ';
    text += unit;
  }
  note(field, Value{std::move(text), value, file});
}

void ConstantTracker::note_text(std::string_view field, std::string_view value, const std::string& file) {
  if (value.empty()) return;
  for (const auto& have : slot(field))
    if (!have.number && have.text == value) return;
  note(field, Value{std::string(value), std::nullopt, file});
}

void ConstantTracker::merge(const ConstantTracker& later) {
  for (const auto& [field, values] : later.fields_)
    for (const auto& v : values) note(field, v);
}

const std::vector<ConstantTracker::Value>& ConstantTracker::values(std::string_view field) const {
  static const std::vector<Value> kNone;
  for (const auto& [name, values] : fields_)
    if (name == field) return values;
  return kNone;
}

std::vector<std::string> ConstantTracker::conflicting_fields() const {
  std::vector<std::string> out;
  for (const auto& [name, values] : fields_)
    if (values.size() > 1) out.push_back(name);
  return out;
}

}  // namespace openem::extract
