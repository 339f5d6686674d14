#include "publish/export/pdbx_dictionary.h"

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "publish/export/cif_reader.h"

namespace openem {
namespace {

std::optional<double> number(const cif::Value* v) {
  if (!v || v->is_null()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(v->text.c_str(), &end);
  if (end == v->text.c_str() || *end != '\0') return std::nullopt;
  return d;
}

std::string text(const cif::Value* v) { return v && !v->is_null() ? v->text : std::string(); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<PdbxRange> ranges_of(const cif::Frame& frame, std::string_view min_tag, std::string_view max_tag) {
  std::vector<PdbxRange> out;
  auto mins = frame.column(min_tag);
  auto maxs = frame.column(max_tag);
  for (std::size_t i = 0; i < mins.size() && i < maxs.size(); ++i) out.push_back({number(mins[i]), number(maxs[i])});
  return out;
}

std::vector<std::string> values_of(const cif::Frame& frame, std::string_view tag) {
  std::vector<std::string> out;
  for (const cif::Value* v : frame.column(tag)) {
    if (!v->is_null()) out.push_back(v->text);
  }
  return out;
}

}  // namespace

bool PdbxItem::in_ranges(const std::vector<PdbxRange>& ranges, double value) {
  if (ranges.empty()) return true;
  for (const PdbxRange& r : ranges) {
    if (r.min && r.max && *r.min == *r.max) {
      if (value == *r.min) return true;
      continue;
    }
    if ((!r.min || value > *r.min) && (!r.max || value < *r.max)) return true;
  }
  return false;
}

std::variant<PdbxDictionary, std::string> PdbxDictionary::parse(std::string_view content) {
  auto read = cif::read_cif(content);
  if (auto* e = std::get_if<cif::ReadError>(&read)) {
    return "line " + std::to_string(e->line) + ": " + e->message;
  }
  const cif::Document& doc = std::get<cif::Document>(read);
  const cif::Block& block = doc.blocks.front();
  PdbxDictionary dict;
  dict.title_ = text(block.find("_dictionary.title"));
  dict.version_ = text(block.find("_dictionary.version"));

  std::map<std::string, bool> numeric_types;  // _item_type_list: code → primitive is numb
  {
    auto codes = block.column("_item_type_list.code");
    auto primitives = block.column("_item_type_list.primitive_code");
    for (std::size_t i = 0; i < codes.size() && i < primitives.size(); ++i) {
      numeric_types[codes[i]->text] = primitives[i]->text == "numb";
    }
  }

  for (const cif::Frame& frame : block.save_frames) {
    if (frame.name.empty()) continue;
    if (frame.name[0] != '_') {  // a category frame
      std::string id = lower(text(frame.find("_category.id")));
      if (id.empty()) continue;
      PdbxCategory& category = dict.categories_[id];
      category.id = id;
      for (const cif::Value* key : frame.column("_category_key.name")) category.keys.push_back(lower(key->text));
      continue;
    }
    auto names = frame.column("_item.name");
    auto item_categories = frame.column("_item.category_id");
    auto mandatory = frame.column("_item.mandatory_code");
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::string key = lower(names[i]->text);
      bool own_frame = key == lower(frame.name);
      auto [it, added] = dict.items_.try_emplace(key);
      if (!added && !own_frame) continue;  // a child listed in its parent's frame: its own frame wins
      PdbxItem& item = it->second;
      item.name = names[i]->text;
      item.category = i < item_categories.size() ? lower(item_categories[i]->text) : "";
      if (item.category.empty()) {
        auto dot = key.find('.');
        item.category = dot == std::string::npos ? "" : key.substr(1, dot - 1);
      }
      item.mandatory = i < mandatory.size() && lower(mandatory[i]->text) == "yes";
      item.type = text(frame.find("_item_type.code"));
      auto numeric = numeric_types.find(item.type);
      item.numeric = numeric != numeric_types.end() && numeric->second;
      item.units = text(frame.find("_item_units.code"));
      item.enumeration = values_of(frame, "_item_enumeration.value");
      item.advisory_enumeration = values_of(frame, "_pdbx_item_enumeration.value");
      item.ranges = ranges_of(frame, "_item_range.minimum", "_item_range.maximum");
      item.advisory_ranges = ranges_of(frame, "_pdbx_item_range.minimum", "_pdbx_item_range.maximum");
      if (added) {
        PdbxCategory& category = dict.categories_[item.category];
        category.id = item.category;
        category.items.push_back(item.name);
      }
    }
  }
  if (dict.items_.empty()) return std::string("no item definitions (save__category.item frames): not a DDL2 dictionary");
  return dict;
}

std::variant<PdbxDictionary, std::string> PdbxDictionary::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read the PDBx/mmCIF dictionary " + path;
  std::ostringstream content;
  content << in.rdbuf();
  auto parsed = parse(content.str());
  if (auto* error = std::get_if<std::string>(&parsed)) return "PDBx/mmCIF dictionary " + path + ": " + *error;
  return parsed;
}

std::string PdbxDictionary::default_path() {
  if (const char* env = std::getenv("OPENEM_PDBX_DICTIONARY"); env && *env) return env;
  return "/usr/share/libcifpp/mmcif_pdbx.dic";
}

std::variant<std::shared_ptr<const PdbxDictionary>, std::string> PdbxDictionary::shared(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const PdbxDictionary>> loaded;
  std::string file = path.empty() ? default_path() : path;
  std::lock_guard lock(mutex);
  if (auto it = loaded.find(file); it != loaded.end()) return it->second;
  auto result = load(file);
  if (auto* error = std::get_if<std::string>(&result)) {
    return *error + (path.empty() ? " (install Debian's libcifpp-data or set OPENEM_PDBX_DICTIONARY)" : "");
  }
  auto dict = std::make_shared<const PdbxDictionary>(std::move(std::get<PdbxDictionary>(result)));
  loaded.emplace(file, dict);
  return dict;
}

const PdbxItem* PdbxDictionary::item(std::string_view name) const {
  auto it = items_.find(lower(std::string(name)));
  return it == items_.end() ? nullptr : &it->second;
}

const PdbxCategory* PdbxDictionary::category(std::string_view id) const {
  auto it = categories_.find(lower(std::string(id)));
  return it == categories_.end() ? nullptr : &it->second;
}

}  // namespace openem
