// openem: one binary, many subcommands. Each subcommand lives in its own *_command.cpp and
// registers itself here; main only parses and dispatches.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"openem — data system for electron-microscopy facilities"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "openem 0.1.0");
  openem::cli::add_serve_command(app);
  openem::cli::add_extract_command(app);
  openem::cli::add_ingest_command(app);
  openem::cli::add_login_command(app);
  openem::cli::add_archiver_command(app);
  openem::cli::add_export_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "openem: " << e.what() << "\n";
    return 1;
  }
  return openem::cli::exit_code();
}
