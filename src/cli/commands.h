#pragma once
// Subcommand registration. A subcommand's callback stores its exit status with
// set_exit_code(); main returns it after CLI11 has run the callback.
#include <CLI/CLI.hpp>

namespace openem::cli {

void add_serve_command(CLI::App& app);
void add_extract_command(CLI::App& app);
void add_ingest_command(CLI::App& app);
void add_login_command(CLI::App& app);
void add_archiver_command(CLI::App& app);
void add_export_command(CLI::App& app);

void set_exit_code(int code);
int exit_code();

}  // namespace openem::cli
