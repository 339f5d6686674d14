// `openem export PID_OR_FILE --format mmcif|empiar|ro-crate|datacite|datacite-json|jsonld|oscem [-o FILE]`:
// a deposition or exchange document of one dataset (docs/export.md). A pid is read from the
// catalog (--server, with the usual login; public datasets need none); a local OSC-EM JSON file
// (or a SciCat dataset JSON holding it) works offline. The report goes to stderr, one line per
// problem with its OSC-EM path. Exit codes: 0 written, 2 usage, 3 the metadata cannot make a
// valid document (nothing written), 4 the catalog refused or is unreachable. The output file
// appears whole or not at all (written beside it, then renamed).
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/server_auth.h"
#include "core/json_fields.h"
#include "ingest/http_client.h"
#include "ingest/scicat_client.h"
#include "publish/export/dataset_export.h"
#include "publish/export/oscem_pdbx_mapping.h"

namespace openem::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace in = openem::ingest;

struct ExportArgs {
  std::string subject, format, output, server, token, username, password, credentials, model, dictionary;
  std::string organization, country, release_date, publisher;
  int experiment_type = 0;
  bool allow_incomplete = false;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

json::object parse_object(const std::string& text, const std::string& what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) throw std::invalid_argument(what + " is not a JSON object");
  return std::move(v.get_object());
}

void add_authorship(in::ScicatClient& client, ExportSubject& subject);

// A dataset from the catalog: its document and the files of its original datablocks.
ExportSubject fetch(const ExportArgs& a) {
  in::ScicatClient client(a.server, resolve_server_auth({a.server, a.token, a.username, a.password, a.credentials}, true),
                          10);
  std::string base = "/api/v3/datasets/" + in::url_encode(a.subject);
  ExportSubject subject;
  subject.dataset = parse_object(client.call("GET", base).body, "the dataset");
  if (auto it = subject.dataset.find("scientificMetadata"); it != subject.dataset.end() && it->value().is_object()) {
    subject.oscem = it->value().get_object();
  }
  json::value blocks = json::parse(client.call("GET", base + "/origdatablocks").body);
  if (blocks.is_array()) {
    for (const json::value& block : blocks.get_array()) {
      const json::object* b = block.if_object();
      auto list = b ? b->find("dataFileList") : nullptr;
      if (!b || list == b->end() || !list->value().is_array()) continue;
      for (const json::value& f : list->value().get_array()) {
        const json::object* o = f.if_object();
        if (!o || !o->contains("path") || !o->at("path").is_string()) continue;
        ExportFile file{std::string(o->at("path").get_string()), 0, ""};
        if (auto size = o->find("size"); size != o->end() && size->value().is_number()) {
          file.size = size->value().to_number<std::int64_t>();
        }
        if (auto chk = o->find("chk"); chk != o->end() && chk->value().is_string()) {
          std::string c(chk->value().get_string());
          file.sha256 = c.rfind("sha256:", 0) == 0 ? c.substr(7) : c;
        }
        subject.files.push_back(std::move(file));
      }
    }
  }
  if (parse_export_format(a.format) == ExportFormat::kEmpiar) add_authorship(client, subject);
  return subject;
}

// EMPIAR's authors and citation: the dataset's proposal and the published-data records that
// include it, as far as the caller may read them — the catalog answers under the caller's
// rules, and a refused or missing record is simply left out (403/404), as the API route does.
void add_authorship(in::ScicatClient& client, ExportSubject& subject) {
  std::string proposal = json_string(subject.dataset, "proposalId");
  if (const json::value* ids = subject.dataset.if_contains("proposalIds");
      proposal.empty() && ids && ids->is_array() && !ids->get_array().empty() && ids->get_array()[0].is_string()) {
    proposal = std::string(ids->get_array()[0].get_string());
  }
  auto get_object = [&](const std::string& target) -> json::value {
    try {
      return json::parse(client.call("GET", target).body);
    } catch (const in::ApiCallError& e) {
      if (e.status() == 403 || e.status() == 404 || e.status() == 401) return nullptr;
      throw;
    }
  };
  if (!proposal.empty()) {
    json::value p = get_object("/api/v3/proposals/" + in::url_encode(proposal));
    if (p.is_object()) subject.proposal = std::move(p.get_object());
  }
  std::string pid = json_string(subject.dataset, "pid");
  json::value filter = json::object{{"where", json::object{{"datasetPids", pid}}}, {"limits", json::object{{"limit", 20}}}};
  json::value records = get_object("/api/v4/publisheddata?filter=" + in::url_encode(json::serialize(filter)));
  if (records.is_array()) {
    for (json::value& r : records.get_array()) {
      if (r.is_object()) subject.published_data.push_back(std::move(r.get_object()));
    }
  }
}

// Writes beside the target and renames, so a failed or interrupted export leaves no partial file.
void write_whole(const std::string& path, const std::string& body) {
  fs::path target(path);
  fs::path temp = target;
  temp += ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << body;
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      throw std::runtime_error("cannot write " + temp.string());
    }
  }
  fs::rename(temp, target);
}

int run_export(const ExportArgs& a) {
  auto format = parse_export_format(a.format);
  if (!format) {
    std::cerr << "openem export: --format must be one of " << export_format_names() << "\n";
    return 2;
  }
  ExportSubject subject;
  bool is_file = fs::is_regular_file(a.subject);
  try {
    if (is_file) {
      json::object input = parse_object(read_file(a.subject), a.subject);
      subject.oscem = oscem_document_of(input);
      if (input.contains("scientificMetadata")) subject.dataset = input;
    } else {
      if (a.server.empty()) {
        std::cerr << "openem export: " << a.subject << " is not a file; a pid needs --server URL (or OPENEM_SERVER)\n";
        return 2;
      }
      subject = fetch(a);
    }
  } catch (const std::invalid_argument& e) {  // not JSON, or no way to sign in
    std::cerr << "openem export: " << e.what() << "\n";
    return is_file ? 3 : 2;
  } catch (const std::runtime_error& e) {  // the catalog refused (ApiCallError) or is unreachable
    std::cerr << "openem export: " << e.what() << "\n";
    return 4;
  }
  ExportRequest request;
  request.format = *format;
  request.dictionary_path = a.dictionary;
  request.allow_incomplete = a.allow_incomplete;
  if (!a.model.empty()) request.model = read_file(a.model);
  request.empiar = {a.organization, a.country, a.release_date,
                    a.experiment_type ? std::optional<int>(a.experiment_type) : std::nullopt, false};
  request.site_url = a.server.empty() ? "" : in::origin_of(a.server);
  request.publisher = a.publisher;
  ExportOutput out = export_dataset(subject, request);
  for (const ExportProblem& p : out.problems) std::cerr << describe(p) << "\n";
  if (!out.ok()) {
    std::cerr << "openem export: no " << a.format << " written: the metadata above must be corrected"
              << (a.allow_incomplete ? "" : " (or pass --allow-incomplete to leave those values out)") << "\n";
    return 3;
  }
  if (a.output.empty() || a.output == "-") {
    std::cout << out.body;
  } else {
    write_whole(a.output, out.body);
  }
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  if (const char* s = std::getenv("OPENEM_SERVER")) a->server = s;
  auto* cmd = app.add_subcommand("export", "Write a deposition or exchange document of a dataset");
  cmd->add_option("SUBJECT", a->subject, "A dataset pid (read from --server) or a local OSC-EM / dataset JSON file")
      ->required();
  cmd->add_option("-f,--format", a->format, std::string(export_format_names()))->required();
  cmd->add_option("-o,--output", a->output, "Write to FILE (whole or not at all) instead of stdout");
  cmd->add_option("--server", a->server, "Catalog URL for a pid (OPENEM_SERVER)");
  cmd->add_option("--token", a->token, "API token (else the one `openem login` saved; public datasets need none)");
  cmd->add_option("-u,--username", a->username, "Sign in as this user (with --password or OPENEM_PASSWORD)");
  cmd->add_option("--password", a->password, "Password for --username");
  cmd->add_option("--credentials", a->credentials, "Credentials file of `openem login`");
  cmd->add_option("--model", a->model, "mmcif: merge into this model mmCIF (PDB mode) instead of metadata only (EMDB)");
  cmd->add_option("--dictionary", a->dictionary,
                  "mmcif: PDBx/mmCIF dictionary (default OPENEM_PDBX_DICTIONARY or /usr/share/libcifpp/mmcif_pdbx.dic)");
  cmd->add_flag("--allow-incomplete", a->allow_incomplete, "Write the document without the values in error");
  cmd->add_option("--organization", a->organization, "empiar: organization of the authors when the metadata has none");
  cmd->add_option("--country", a->country, "empiar: their country (ISO code or English name)");
  cmd->add_option("--release-date", a->release_date, "empiar: RE, EP, HP (default) or HO");
  cmd->add_option("--experiment-type", a->experiment_type, "empiar: experiment type code (default 3)");
  cmd->add_option("--publisher", a->publisher, "datacite/jsonld/ro-crate: the publisher's name");
  cmd->callback([a] {
    try {
      set_exit_code(run_export(*a));
    } catch (const std::exception& e) {  // an unreadable --model, an unwritable -o
      std::cerr << "openem export: " << e.what() << "\n";
      set_exit_code(2);
    }
  });
}

}  // namespace openem::cli
