#include "cli/commands.h"

namespace openem::cli {

void add_extract_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("extract", "Extract OSC-EM metadata from instrument files");
  cmd->callback([] { set_exit_code(2); });
}

}  // namespace openem::cli
