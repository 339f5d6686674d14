// `openem ingest PATH --server URL`: registers a session folder as a SciCat dataset (OSC-EM
// metadata, SHA-256 file list) and uploads its files; `--status PATH` shows what a previous
// run left pending; `--watch ROOT` ingests each complete session folder below ROOT.
// Exit codes: 0 done, 1 failure (one line on stderr naming the file or call), 2 usage.
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "cli/commands.h"
#include "cli/server_auth.h"
#include "core/human_bytes.h"
#include "core/time.h"
#include "extract/site_profile.h"
#include "ingest/credentials.h"
#include "ingest/ingest_state.h"
#include "ingest/ingestor.h"
#include "ingest/session_watcher.h"

namespace openem::cli {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace in = openem::ingest;

struct IngestArgs {
  std::string path, server, token, username, password, config, credentials, state_dir;
  std::string owner_group, owner, contact_email, principal_investigator, creation_location, name, description, proposal_id;
  std::vector<std::string> access_groups, keywords;
  std::string technique = "auto", site;
  bool no_upload = false, json_output = false, status = false, quiet = false;
  std::string watch;
  double quiet_period = 300, poll_interval = 5, retry_seconds = 300;
  std::string marker;
  unsigned threads = 0, upload_streams = in::IngestOptions{}.upload_streams;
};

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) {
  g_stop = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once (the run is resumable)
  std::signal(SIGTERM, SIG_DFL);
}

std::vector<std::string> split_commas(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, ','))
      if (!part.empty()) out.push_back(part);
  }
  return out;
}

// Fills options the command line left empty from the TOML config (--config, else
// ~/.config/openem/ingest.toml when present). Unknown keys are an error.
void apply_config(IngestArgs& a) {
  fs::path file = a.config;
  if (file.empty()) {
    const char* x = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    fs::path dir = x && *x ? fs::path(x) : fs::path(home ? home : ".") / ".config";
    file = dir / "openem" / "ingest.toml";
    if (!fs::exists(file)) return;
  }
  toml::table t;
  try {
    t = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(file.string() + ":" + std::to_string(e.source().begin.line) + ": " +
                                std::string(e.description()));
  }
  auto str = [&](const char* key, std::string& dst) {
    if (auto v = t[key].value<std::string>(); v && dst.empty()) dst = *v;
  };
  static const std::vector<std::string> known{"server", "owner_group", "access_groups", "owner", "contact_email",
                                              "principal_investigator", "creation_location", "site", "technique",
                                              "keywords", "state_dir", "marker", "proposal_id"};
  for (const auto& [k, v] : t)
    if (std::find(known.begin(), known.end(), std::string(k.str())) == known.end())
      throw std::invalid_argument(file.string() + ": unknown key '" + std::string(k.str()) + "'");
  str("server", a.server);
  str("owner_group", a.owner_group);
  str("owner", a.owner);
  str("contact_email", a.contact_email);
  str("principal_investigator", a.principal_investigator);
  str("creation_location", a.creation_location);
  str("proposal_id", a.proposal_id);
  str("site", a.site);
  str("state_dir", a.state_dir);
  str("marker", a.marker);
  if (a.technique == "auto") str("technique", a.technique);
  auto list = [&](const char* key, std::vector<std::string>& dst) {
    if (!dst.empty()) return;
    if (auto* arr = t[key].as_array())
      for (auto& e : *arr)
        if (auto s = e.value<std::string>()) dst.push_back(*s);
    if (auto s = t[key].value<std::string>()) dst.push_back(*s);
  };
  list("access_groups", a.access_groups);
  list("keywords", a.keywords);
}

std::shared_ptr<in::Auth> resolve_auth(IngestArgs& a) {
  return resolve_server_auth({a.server, a.token, a.username, a.password, a.credentials});
}

in::IngestOptions make_options(IngestArgs& a) {
  in::IngestOptions o;
  o.server = a.server;
  o.auth = resolve_auth(a);
  o.fields.owner = a.owner;
  o.fields.owner_group = a.owner_group;
  o.fields.contact_email = a.contact_email;
  o.fields.principal_investigator = a.principal_investigator;
  o.fields.creation_location = a.creation_location;
  o.fields.dataset_name = a.name;
  o.fields.description = a.description;
  o.fields.proposal_id = a.proposal_id;
  o.fields.access_groups = split_commas(a.access_groups);
  o.fields.keywords = split_commas(a.keywords);
  auto t = openem::extract::parse_technique(a.technique);
  if (!t) throw std::invalid_argument("unknown technique '" + a.technique + "'");
  o.extract.technique = *t;
  if (!a.site.empty()) o.extract.site = openem::extract::load_site_profile(a.site);
  o.upload = !a.no_upload;
  o.hash_threads = a.threads;
  o.upload_streams = a.upload_streams;
  o.retry_seconds = a.retry_seconds;
  o.state_dir = a.state_dir;
  if (!a.marker.empty()) o.ignore_names.push_back(a.marker);
  return o;
}

std::string jstr(const std::string& s) { return json::serialize(json::value(s)); }

void report_summary(const IngestArgs& a, const in::IngestSummary& s, const fs::path& path) {
  if (a.json_output) {
    json::object o{{"event", "done"},          {"session", path.string()},  {"pid", s.pid},
                   {"created", s.created},      {"files", s.files},          {"bytes", s.bytes},
                   {"hashed", s.hashed},        {"registered", s.registered}, {"uploaded", s.uploaded},
                   {"uploadedBytes", s.uploaded_bytes}, {"hashSeconds", s.hash_seconds},
                   {"registerSeconds", s.register_seconds}, {"uploadSeconds", s.upload_seconds},
                   {"totalSeconds", s.total_seconds}};
    json::array w;
    for (const auto& x : s.warnings) w.emplace_back(x);
    o["warnings"] = std::move(w);
    std::cout << json::serialize(o) << std::endl;
    return;
  }
  if (!a.quiet)
    for (const auto& w : s.warnings) std::cerr << "warning: " << w << "\n";
  std::cout << "dataset " << s.pid << (s.created ? " (new)" : "") << ": " << s.files << " files, "
            << human_bytes(double(s.bytes), 2) << "; hashed " << s.hashed << ", registered " << s.registered
            << (a.no_upload ? std::string(", upload skipped") : ", uploaded " + std::to_string(s.uploaded))
            << " in " << in::human_duration(s.total_seconds) << "\n";
}

int report_error(const IngestArgs& a, const std::exception& e) {
  if (a.json_output) std::cout << json::serialize(json::object{{"event", "error"}, {"message", e.what()}}) << std::endl;
  std::cerr << "openem ingest: " << e.what() << "\n";
  if (auto* ie = dynamic_cast<const in::IngestError*>(&e); ie && ie->details().size() > 1 && !a.quiet)
    for (std::size_t i = 1; i < ie->details().size() && i < 50; ++i) std::cerr << "  " << ie->details()[i] << "\n";
  return 1;
}

int run_status(const IngestArgs& a) {
  try {
    in::SessionStatus st = in::session_status(a.path, a.state_dir, a.marker.empty() ? std::vector<std::string>{}
                                                                                 : std::vector<std::string>{a.marker});
    std::string phase = !st.has_state            ? "not started"
                        : st.pid.empty()         ? "hashed, no dataset yet"
                        : !st.registered         ? "dataset created, files not all registered"
                        : !st.upload_done && !st.lifecycle_set ? "registered, upload pending"
                        : !st.lifecycle_set      ? "uploaded, lifecycle pending"
                        : st.changed_files > 0   ? "done, but the folder changed since"
                                                 : "done";
    if (a.json_output) {
      json::object o{{"session", st.session.string()}, {"stateFile", st.state_file.string()},
                     {"phase", phase}, {"server", st.server}, {"pid", st.pid}, {"files", st.files},
                     {"localFiles", st.local_files}, {"hashed", st.hashed}, {"uploaded", st.uploaded},
                     {"bytes", st.bytes}, {"bytesPendingUpload", st.bytes_pending_upload},
                     {"registered", st.registered}, {"uploadDone", st.upload_done},
                     {"lifecycleSet", st.lifecycle_set}, {"changedFiles", st.changed_files},
                     {"updatedAt", st.updated_at}};
      std::cout << json::serialize(o) << std::endl;
    } else {
      std::cout << "session:   " << st.session.string() << "\n"
                << "status:    " << phase << "\n";
      if (st.has_state) {
        std::cout << "server:    " << st.server << "\n"
                  << "dataset:   " << (st.pid.empty() ? "-" : st.pid) << "\n"
                  << "files:     " << st.files << " (" << human_bytes(double(st.bytes), 2) << "), " << st.hashed
                  << " hashed, registered: " << (st.registered ? "all" : "not all") << "\n"
                  << "uploaded:  " << st.uploaded << "/" << st.files << " files, "
                  << human_bytes(double(st.bytes_pending_upload), 2) << " pending\n"
                  << "changed:   " << st.changed_files << " file(s) new, changed or removed since the last run\n"
                  << "updated:   " << st.updated_at << "\n";
      }
    }
    return 0;
  } catch (const std::exception& e) {
    return report_error(a, e);
  }
}

int run_one(IngestArgs& a) {
  try {
    in::IngestOptions opt = make_options(a);
    in::ProgressStyle style = a.json_output ? in::ProgressStyle::kJson
                              : (a.quiet || !::isatty(2)) ? in::ProgressStyle::kNone
                                                          : in::ProgressStyle::kTerminal;
    in::Progress progress(style, a.json_output ? stdout : stderr);
    in::IngestSummary s = in::ingest_session(a.path, opt, progress);
    progress.end();
    report_summary(a, s, a.path);
    return 0;
  } catch (const std::exception& e) {
    return report_error(a, e);
  }
}

int run_watch(IngestArgs& a) {
  try {
    in::IngestOptions opt = make_options(a);
    if (!fs::is_directory(a.watch)) throw std::invalid_argument(a.watch + ": not a folder");
    in::WatchOptions w;
    w.quiet_seconds = a.quiet_period;
    w.marker = a.marker;
    w.poll_seconds = a.poll_interval;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    in::ProgressStyle style = a.json_output ? in::ProgressStyle::kJson : in::ProgressStyle::kNone;
    auto ingest_one = [&](const fs::path& session) {
      in::Progress progress(style, stdout);
      progress.event("session", "\"session\":" + jstr(session.string()), "ingesting " + session.string());
      try {
        in::IngestSummary s = in::ingest_session(session, opt, progress);
        progress.end();
        report_summary(a, s, session);
        return true;
      } catch (const std::exception& e) {
        report_error(a, e);
        return false;
      }
    };
    auto is_done = [&](const fs::path& session) {
      try {
        in::SessionStatus st = in::session_status(session, a.state_dir, opt.ignore_names);
        return st.has_state && st.lifecycle_set && st.changed_files == 0 && (st.upload_done || !opt.upload) &&
               st.server == in::origin_of(a.server);
      } catch (const std::exception&) {
        return false;
      }
    };
    if (!a.json_output)
      std::cerr << "watching " << a.watch << " ("
                << (a.marker.empty() ? "quiet period " + std::to_string(int(a.quiet_period)) + " s"
                                     : "marker " + a.marker)
                << "); Ctrl-C stops\n";
    in::SessionWatcher watcher(a.watch, w, ingest_one, is_done);
    watcher.run([] { return g_stop.load(); });
    return 0;
  } catch (const std::exception& e) {
    return report_error(a, e);
  }
}

int run_ingest(IngestArgs& a) {
  try {
    apply_config(a);
  } catch (const std::exception& e) {
    return report_error(a, e);
  }
  if (a.status) {
    if (a.path.empty()) {
      std::cerr << "openem ingest: --status needs PATH\n";
      return 2;
    }
    return run_status(a);
  }
  if (a.server.empty()) {
    std::cerr << "openem ingest: --server URL is required (or `server` in the config, or OPENEM_SERVER)\n";
    return 2;
  }
  if (!a.watch.empty()) return run_watch(a);
  if (a.path.empty()) {
    std::cerr << "openem ingest: PATH (a session folder) or --watch ROOT is required\n";
    return 2;
  }
  return run_one(a);
}

}  // namespace

void add_ingest_command(CLI::App& app) {
  auto a = std::make_shared<IngestArgs>();
  auto* cmd = app.add_subcommand("ingest", "Register a session folder as a dataset and upload its files");
  cmd->add_option("PATH", a->path, "Session folder");
  cmd->add_option("--server", a->server, "Catalog URL (SciCat v3 API), e.g. http://127.0.0.1:3000")
      ->envname("OPENEM_SERVER");
  cmd->add_option("--token", a->token, "Bearer token")->envname("OPENEM_TOKEN");
  cmd->add_option("-u,--username", a->username, "Log in with this account");
  cmd->add_option("-p,--password", a->password, "Password for --username (or OPENEM_PASSWORD)");
  cmd->add_option("--credentials", a->credentials, "Credentials file of `openem login`");
  cmd->add_option("--config", a->config, "TOML defaults (default ~/.config/openem/ingest.toml)");
  cmd->add_option("--owner-group", a->owner_group, "ownerGroup (default: the account's first group)");
  cmd->add_option("--access-groups", a->access_groups, "accessGroups (comma-separated or repeated)");
  cmd->add_option("--owner", a->owner, "owner (default: the account's display name)");
  cmd->add_option("--contact-email", a->contact_email, "contactEmail (default: the account's e-mail)");
  cmd->add_option("--principal-investigator", a->principal_investigator, "principalInvestigator (default: owner)");
  cmd->add_option("--creation-location", a->creation_location, "creationLocation (default: microscope or host)");
  cmd->add_option("--name", a->name, "datasetName (default: the folder name)");
  cmd->add_option("--description", a->description, "description");
  cmd->add_option("--proposal-id", a->proposal_id, "proposalId: the dataset joins the proposal, and its logbook tells of it");
  cmd->add_option("--keyword", a->keywords, "Extra keywords (comma-separated or repeated)");
  cmd->add_option("--technique", a->technique, "OSC-EM technique (default: detected)");
  cmd->add_option("--site", a->site, "Site profile (TOML) for the metadata extraction");
  cmd->add_flag("--no-upload", a->no_upload, "Register the dataset and its files; do not upload");
  cmd->add_flag("--status", a->status, "Show what a previous run of PATH left pending");
  cmd->add_option("--watch", a->watch, "Ingest every complete session folder below ROOT, forever");
  cmd->add_option("--quiet-period", a->quiet_period, "--watch: seconds without change that mark a session complete");
  cmd->add_option("--marker", a->marker, "--watch: file name that marks a session complete (not registered)");
  cmd->add_option("--poll-interval", a->poll_interval, "--watch: seconds between scans of ROOT");
  cmd->add_option("--threads", a->threads, "Hashing threads (default: all cores)");
  cmd->add_option("--upload-streams", a->upload_streams, "Parallel uploads (default " + std::to_string(a->upload_streams) + ": more streams than cores keep both ends busy while one waits)");
  cmd->add_option("--retry-seconds", a->retry_seconds, "How long to retry an unreachable server (default 300)");
  cmd->add_option("--state-dir", a->state_dir, "Where resume state is kept (default ~/.local/state/openem/ingest)");
  cmd->add_flag("--json", a->json_output, "Machine-readable progress: one JSON object per line on stdout");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress line, no warnings");
  cmd->callback([a] { set_exit_code(run_ingest(*a)); });
}

}  // namespace openem::cli
