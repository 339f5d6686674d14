#include "cli/commands.h"

namespace openem::cli {
namespace {
int g_exit_code = 0;
}
void set_exit_code(int code) { g_exit_code = code; }
int exit_code() { return g_exit_code; }

void add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Run the catalog server");
  cmd->callback([] { set_exit_code(0); });
}

}  // namespace openem::cli
