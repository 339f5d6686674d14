#include "publish/export/mmcif_export.h"

#include <algorithm>
#include <set>

#include "publish/export/cif_reader.h"
#include "publish/export/oscem_pdbx_mapping.h"

namespace openem {
namespace {

// Categories in the order a depositor reads them: entry, people and money, sample, imaging.
constexpr std::string_view kCategoryOrder[] = {
    "entry", "pdbx_audit_support", "pdbx_contact_author", "entity", "entity_poly", "entity_src_gen",
    "pdbx_entry_details", "em_experiment", "em_entity_assembly", "em_entity_assembly_naturalsource",
    "em_entity_assembly_recombinant", "em_specimen", "em_buffer", "em_sample_support", "em_support_film",
    "em_grid_pretreatment", "em_vitrification", "em_imaging", "em_imaging_optics", "em_image_recording",
    "em_image_scans", "em_software", "em_image_processing", "em_3d_reconstruction"};

std::vector<std::string> ordered_categories(const PdbxMetadata& metadata) {
  std::vector<std::string> out;
  for (std::string_view c : kCategoryOrder) {
    if (metadata.categories.count(std::string(c))) out.emplace_back(c);
  }
  for (const auto& [c, rows] : metadata.categories) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

// Item names of a category's rows in dictionary order (unknown ones after, by name).
std::vector<std::string> ordered_items(const std::string& category, const std::vector<PdbxRow>& rows,
                                       const PdbxDictionary& dictionary) {
  std::set<std::string> present;
  for (const PdbxRow& row : rows) {
    for (const auto& [name, value] : row) present.insert(name);
  }
  std::vector<std::string> out;
  if (const PdbxCategory* def = dictionary.category(category)) {
    for (const std::string& name : def->items) {
      if (present.erase(name)) out.push_back(name);
    }
  }
  out.insert(out.end(), present.begin(), present.end());
  return out;
}

// "?" and "." in a row are CIF's unknown and inapplicable, never text.
std::string cif_text(const std::string& value) {
  return value == "?" || value == "." ? value : cif::quote_value(value);
}

// One category as CIF: aligned pairs for one row, a loop for several; "?" for a row's missing item.
std::string render_category(const std::string& category, const std::vector<PdbxRow>& rows,
                            const PdbxDictionary& dictionary) {
  std::vector<std::string> items = ordered_items(category, rows, dictionary);
  std::string out;
  if (rows.size() == 1) {
    std::size_t width = 0;
    for (const std::string& name : items) width = std::max(width, name.size());
    for (const std::string& name : items) {
      std::string value = cif_text(rows.front().at(name));
      out += name + std::string(width - name.size() + 2, ' ') + value + "\n";
    }
  } else {
    out += "loop_\n";
    for (const std::string& name : items) out += name + "\n";
    for (const PdbxRow& row : rows) {
      std::string line;
      for (const std::string& name : items) {
        auto it = row.find(name);
        std::string value = it == row.end() ? "?" : cif_text(it->second);
        if (!line.empty() && value[0] != '\n') line += ' ';
        line += value;
        if (value[0] == '\n') line += '\n';
      }
      out += line + "\n";
    }
  }
  return out + "#\n";
}

std::vector<ExportProblem> only_errors_allowed_if(bool allow, std::vector<ExportProblem> problems, bool& stop) {
  stop = !allow && has_errors(problems);
  return problems;
}

// Rows of the model's category: item (dictionary spelling) → value text, "?"/"." as nulls.
std::vector<PdbxRow> model_rows(const cif::Block& block, const std::string& category,
                                const PdbxDictionary& dictionary) {
  std::vector<PdbxRow> rows;
  for (const cif::Statement& s : block.statements) {
    if (s.category() != category) continue;
    std::size_t count = s.rows();
    if (rows.size() < count) rows.resize(count);
    for (std::size_t r = 0; r < count; ++r) {
      for (std::size_t t = 0; t < s.tags.size(); ++t) {
        const cif::Value& v = s.values[r * s.tags.size() + t];
        const PdbxItem* item = dictionary.item(s.tags[t]);
        rows[r][item ? item->name : s.tags[t]] = v.text;
      }
    }
  }
  return rows;
}

// Metadata rows merged over the model's: item by item when the row counts agree, else replaced.
std::vector<PdbxRow> merged_rows(std::vector<PdbxRow> model, const std::vector<PdbxRow>& metadata) {
  if (model.size() != metadata.size()) return metadata;
  for (std::size_t r = 0; r < model.size(); ++r) {
    for (const auto& [name, value] : metadata[r]) {
      if (value == "?" && model[r].count(name)) continue;  // the model knows what the metadata does not
      model[r][name] = value;
    }
  }
  return model;
}

}  // namespace

std::string mmcif_entry_id(std::string_view pid) {
  std::string out;
  for (char c : pid) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.';
    out += ok ? c : '_';
  }
  if (out.empty()) out = "openem";
  return out.substr(0, 80);
}

MmcifResult mmcif_metadata_only(const boost::json::object& oscem, const PdbxDictionary& dictionary,
                                const MmcifOptions& options) {
  std::string entry = mmcif_entry_id(options.entry_id);
  PdbxMetadata metadata = map_oscem_to_pdbx(oscem, dictionary, entry);
  MmcifResult result;
  bool stop = false;
  result.problems = only_errors_allowed_if(options.allow_incomplete, std::move(metadata.problems), stop);
  if (stop) return result;
  std::string out = "data_" + entry + "\n#\n";
  for (const std::string& category : ordered_categories(metadata)) {
    out += render_category(category, metadata.categories.at(category), dictionary);
  }
  result.text = std::move(out);
  return result;
}

MmcifResult mmcif_merged_into_model(const boost::json::object& oscem, std::string_view model,
                                    const PdbxDictionary& dictionary, const MmcifOptions& options) {
  MmcifResult result;
  auto read = cif::read_cif(model);
  if (auto* e = std::get_if<cif::ReadError>(&read)) {
    result.problems.push_back({ExportProblem::Severity::kError, "model", "",
                               "not an mmCIF file: line " + std::to_string(e->line) + ": " + e->message});
    return result;
  }
  const cif::Document& doc = std::get<cif::Document>(read);
  const cif::Block& block = doc.blocks.front();
  if (block.statements.empty()) {
    result.problems.push_back({ExportProblem::Severity::kError, "model", "", "the model's first data block is empty"});
    return result;
  }
  const cif::Value* model_entry = block.find("_entry.id");
  std::string entry = model_entry && !model_entry->is_null() ? model_entry->text : mmcif_entry_id(options.entry_id);
  PdbxMetadata metadata = map_oscem_to_pdbx(oscem, dictionary, entry);
  bool stop = false;
  result.problems = only_errors_allowed_if(options.allow_incomplete, std::move(metadata.problems), stop);
  if (stop) return result;
  if (model_entry) metadata.categories.erase("entry");  // the model's own _entry stays as written

  // Copy the model piece by piece: each statement from its start to the next one's start (so
  // comments and spacing stay), except statements of categories the metadata owns.
  std::size_t block_end = doc.blocks.size() > 1 ? doc.blocks[1].begin : model.size();
  std::string out(model.substr(0, block.statements.front().begin));
  std::set<std::string> written;
  const auto& statements = block.statements;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const cif::Statement& s = statements[i];
    std::size_t piece_end = i + 1 < statements.size() ? statements[i + 1].begin : block_end;
    // Save frames (rare in models) sit inside the block; keep the model's text up to the next
    // statement untouched whatever it holds.
    std::string category = s.category();
    auto owned = metadata.categories.find(category);
    if (owned == metadata.categories.end()) {
      out.append(model.substr(s.begin, piece_end - s.begin));
      continue;
    }
    if (written.insert(category).second) {
      out += render_category(category, merged_rows(model_rows(block, category, dictionary), owned->second), dictionary);
    }
    // the rest of an owned category's statements are dropped; their text is in the merge
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  for (const std::string& category : ordered_categories(metadata)) {
    if (written.count(category)) continue;
    out += render_category(category, metadata.categories.at(category), dictionary);
  }
  out.append(model.substr(block_end));
  result.text = std::move(out);
  return result;
}

}  // namespace openem
