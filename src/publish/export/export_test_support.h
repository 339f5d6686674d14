#pragma once
// Shared by the export tests: fixture paths, the PDBx dictionary of ../shared/testdata, reading
// files and running the independent validators (gemmi) as commands.
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace openem::testing_support {

inline std::string dictionary_path() {
  return std::string(OPENEM_SHARED_DIR) + "/testdata/mmcif-dict/mmcif_pdbx_v50-v5.362.dic";
}

inline std::string fixture(const std::string& name) { return std::string(OPENEM_SOURCE_DIR) + "/tests/data/export/" + name; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs a shell command; its standard output (a missing program shows up in it via 2>&1).
inline std::string run_command(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int status = pclose(pipe);
  if (status != 0 && out.empty()) out = "exit status " + std::to_string(status);
  return out;
}

// `gemmi validate -d <dictionary> [options] file`: its findings, one per line, "" when valid.
// Lines that only say a category is marked WWPDB_LOCAL are notes, not findings: those are the
// wwPDB's own deposition categories (_pdbx_contact_author, _em_grid_pretreatment), which OneDep wants.
inline std::string gemmi_findings(const std::string& options, const std::string& file) {
  std::string out = run_command("gemmi validate " + options + " -d '" + dictionary_path() + "' '" + file + "' 2>&1");
  std::string kept;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Category indicated as WWPDB_LOCAL: ", 0) == 0) continue;
    kept += line + "\n";
  }
  return kept;
}

}  // namespace openem::testing_support
