// `openem login --server URL --username U [--password P]`: logs in once and keeps the token
// in ~/.config/openem/credentials.json (mode 0600) for later `openem ingest` runs.
// `openem login --server URL --token T` (or OPENEM_TOKEN, --token-stdin) keeps a personal API
// token instead (docs/security.md "API tokens"), after checking that the server accepts it.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/time.h"
#include "ingest/credentials.h"
#include "ingest/scicat_client.h"

namespace openem::cli {
namespace {

struct LoginArgs {
  std::string server, username, password, file, token;
  bool password_stdin = false, token_stdin = false;
};

// A personal token: checked with the server, saved with the user name it signs in as.
int save_token(const LoginArgs& a) {
  namespace in = openem::ingest;
  std::string token = a.token;
  if (token.empty()) {
    if (const char* env = std::getenv("OPENEM_TOKEN")) token = env;
  }
  if (token.empty() && a.token_stdin) std::getline(std::cin, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw std::invalid_argument("no token: pass --token, OPENEM_TOKEN or --token-stdin");
  in::SavedCredential c;
  c.server = in::origin_of(a.server);
  c.username = in::ScicatClient::token_user(a.server, token);
  if (!a.username.empty() && a.username != c.username)
    throw std::invalid_argument("the token signs in as '" + c.username + "', not '" + a.username + "'");
  c.token = token;
  if (auto exp = in::jwt_expiry_ms(token)) c.expires_at_ms = *exp;
  std::filesystem::path file = a.file.empty() ? in::default_credentials_path() : std::filesystem::path(a.file);
  in::save_credential(file, c);
  std::cout << "token of " << c.username << " at " << c.server << " saved in " << file.string() << "\n";
  return 0;
}

int run_login(const LoginArgs& a) {
  namespace in = openem::ingest;
  try {
    if (!a.token.empty() || a.token_stdin || (a.username.empty() && std::getenv("OPENEM_TOKEN"))) return save_token(a);
    if (a.username.empty()) throw std::invalid_argument("--username is required (or --token for a personal API token)");
    std::string password = a.password;
    if (password.empty()) {
      if (const char* env = std::getenv("OPENEM_PASSWORD")) password = env;
    }
    if (password.empty() && (a.password_stdin || !::isatty(0))) std::getline(std::cin, password);
    if (password.empty() && ::isatty(0)) {
      char* p = ::getpass("password: ");
      if (p) password = p;
    }
    if (password.empty()) throw std::invalid_argument("no password: pass --password, OPENEM_PASSWORD or stdin");
    in::LoginResult r = in::ScicatClient::login(a.server, a.username, password);
    in::SavedCredential c;
    c.server = in::origin_of(a.server);
    c.username = a.username;
    c.token = r.token;
    if (auto exp = in::jwt_expiry_ms(r.token)) c.expires_at_ms = *exp;
    else if (r.expires_in > 0) c.expires_at_ms = now_millis() + r.expires_in * 1000;
    std::filesystem::path file = a.file.empty() ? in::default_credentials_path() : std::filesystem::path(a.file);
    in::save_credential(file, c);
    std::cout << "logged in to " << c.server << " as " << a.username;
    if (c.expires_at_ms) std::cout << " (token valid until " << iso_utc(c.expires_at_ms) << ")";
    std::cout << "; saved in " << file.string() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "openem login: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

void add_login_command(CLI::App& app) {
  auto args = std::make_shared<LoginArgs>();
  auto* cmd = app.add_subcommand("login", "Log in to a catalog and save the token for `openem ingest`");
  cmd->add_option("--server", args->server, "Catalog URL, e.g. http://127.0.0.1:3000")->required()->envname("OPENEM_SERVER");
  cmd->add_option("-u,--username", args->username, "Account name (not needed with --token)");
  cmd->add_option("--token", args->token, "A personal API token to keep instead of signing in (else OPENEM_TOKEN)");
  cmd->add_flag("--token-stdin", args->token_stdin, "Read the personal API token from the first line of stdin");
  cmd->add_option("-p,--password", args->password, "Password (else OPENEM_PASSWORD, stdin or a prompt)");
  cmd->add_flag("--password-stdin", args->password_stdin, "Read the password from the first line of stdin");
  cmd->add_option("--credentials", args->file, "Credentials file (default ~/.config/openem/credentials.json)");
  cmd->callback([args] { set_exit_code(run_login(*args)); });
}

}  // namespace openem::cli
