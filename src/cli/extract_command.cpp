// `openem extract PATH`: OSC-EM metadata from a session folder or one instrument file.
// JSON on stdout (or -o FILE); exit 0 on success, 1 with a one-line reason on failure
// (usage errors included), 3 when --strict and the document does not validate, 4 when
// --strict and it validates but misses a field the schema or EMDB needs, or files conflict.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <charconv>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "extract/extract.h"
#include "extract/extract_error.h"
#include "extract/json_writer.h"

namespace openem::cli {
namespace {

struct ExtractArgs {
  std::string path;
  std::string technique = "auto";
  std::string site;
  std::string output;
  std::string epu_mirror;
  std::string schema_dir;
  std::string threads;  // parsed in run_extract (see add_extract_command)
  std::vector<std::string> extras;
  bool strict = false;
  bool flat = false;
  bool quiet = false;
};

int run_extract(const ExtractArgs& a) {
  namespace ex = openem::extract;
  try {
    if (!a.extras.empty()) throw std::invalid_argument("unexpected argument '" + a.extras.front() + "' (see --help)");
    if (a.path.empty()) throw std::invalid_argument("PATH is required: a session folder or one metadata file");
    ex::ExtractOptions opt;
    if (!a.threads.empty()) {
      auto [end, ec] = std::from_chars(a.threads.data(), a.threads.data() + a.threads.size(), opt.threads);
      if (ec != std::errc() || end != a.threads.data() + a.threads.size() || opt.threads > 1024)
        throw std::invalid_argument("--threads must be a number of threads (0: all cores), not '" + a.threads + "'");
    }
    auto t = ex::parse_technique(a.technique);
    if (!t)
      throw std::invalid_argument("unknown technique '" + a.technique +
                                  "' (spa, subtomo, cellular_tomo, env_tomo, general or auto)");
    opt.technique = *t;
    if (!a.site.empty()) opt.site = ex::load_site_profile(a.site);
    if (!a.epu_mirror.empty()) opt.epu_mirror = std::filesystem::path(a.epu_mirror);
    if (!a.schema_dir.empty()) opt.schema_dir = std::filesystem::path(a.schema_dir);
    ex::ExtractResult r = ex::extract_session(a.path, opt);

    std::string text;
    if (a.flat) {
      boost::json::object o;
      for (const auto& [k, v] : r.flat) o[k] = v;
      text = ex::to_pretty_json(o);
    } else {
      text = ex::to_pretty_json(r.oscem);
    }
    if (a.output.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      std::ofstream f(a.output, std::ios::binary | std::ios::trunc);
      f << text;
      f.close();
      if (!f) throw std::runtime_error("cannot write " + a.output);
    }
    if (!a.quiet) {
      for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
      for (const auto& e : r.validation_errors)
        std::cerr << "invalid (" << ex::technique_name(r.technique) << " schema): "
                  << (e.path.empty() ? "<root>" : e.path) << ": " << e.message << "\n";
    }
    if (a.strict && !r.valid()) {
      const auto& e = r.validation_errors.front();
      std::cerr << "openem extract: document does not validate against the OSC-EM "
                << ex::technique_name(r.technique) << " schema: " << (e.path.empty() ? "<root>" : e.path) << ": "
                << e.message << "\n";
      return 3;
    }
    if (a.strict && !r.complete()) {
      std::cerr << "openem extract: document is incomplete: "
                << (!r.conflicts.empty() ? "conflict: " + r.conflicts.front().describe() : r.gaps.front().describe())
                << "\n";
      return 4;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "openem extract: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

void add_extract_command(CLI::App& app) {
  auto args = std::make_shared<ExtractArgs>();
  auto* cmd = app.add_subcommand("extract", "Extract OSC-EM metadata from instrument files");
  // PATH, --technique, --threads and stray arguments are checked in run_extract, so that a
  // usage error exits 1 with one line like every other failure (CLI11's own checks exit
  // 101..109, codes docs/extract.md does not list).
  cmd->allow_extras();
  cmd->add_option("PATH", args->path, "Session folder or one .mdoc/.xml/.mrc/.eer/.tif file");
  cmd->add_option("--technique", args->technique, "spa|subtomo|cellular_tomo|env_tomo|general (default: detected)");
  cmd->add_option("--site", args->site, "Site profile (TOML) with what instrument files do not carry");
  cmd->add_option("-o,--output", args->output, "Write JSON to FILE instead of stdout");
  cmd->add_option("--epu-mirror", args->epu_mirror, "EPU metadata mirror folder (microscope PC copy)");
  cmd->add_option("--schema-dir", args->schema_dir, "Folder with OSC-EM JSON Schemas (default: built in)");
  cmd->add_option("--threads", args->threads, "Reader threads (default: all cores)");
  cmd->add_flag("--strict", args->strict,
                "Fail when the document does not validate (exit 3), or misses a field the schema or EMDB needs, or "
                "files disagree on a constant (exit 4)");
  cmd->add_flag("--flat", args->flat, "Print the dataset-level key/value view instead of OSC-EM");
  cmd->add_flag("-q,--quiet", args->quiet, "No warnings on stderr");
  cmd->callback([args, cmd] {
    args->extras = cmd->remaining();
    set_exit_code(run_extract(*args));
  });
}

}  // namespace openem::cli
