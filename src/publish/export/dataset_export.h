#pragma once
// One entry point for every export format, used by `openem export` (cli/export_command.cpp)
// and `GET /api/v3/datasets/{pid}/export` (api/publishing/export_routes.cpp), so both give the
// same bytes: mmcif (EMDB metadata-only, or PDB mode merged into a model), empiar, ro-crate,
// datacite (kernel-4 XML), datacite-json, jsonld (schema.org, the landing page's) and oscem
// (the OSC-EM document as stored). DataCite and JSON-LD come from the publishing side's
// builders (publish/datacite_metadata.h, publish/landing_page.h): one mapping, two callers.
// Pure apart from reading the PDBx dictionary file (cached); thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "publish/export/empiar_export.h"
#include "publish/export/export_problem.h"
#include "publish/export/export_subject.h"
#include "publish/export/mmcif_export.h"
#include "publish/export/ro_crate.h"

namespace openem {

enum class ExportFormat { kMmcif, kEmpiar, kRoCrate, kDataCiteXml, kDataCiteJson, kJsonLd, kOscem };

std::optional<ExportFormat> parse_export_format(std::string_view name);
std::string_view export_format_names();  // "mmcif|empiar|ro-crate|datacite|datacite-json|jsonld|oscem"

struct ExportRequest {
  ExportFormat format = ExportFormat::kOscem;
  std::string model;            // mmcif: a model mmCIF's text for PDB mode, "" for EMDB mode
  std::string dictionary_path;  // mmcif: "" = PdbxDictionary::default_path()
  bool allow_incomplete = false;
  EmpiarOptions empiar;
  std::string site_url;   // "https://data.example.org": landing pages and dataset links
  std::string publisher;  // site name
  std::string doi;        // the dataset's DOI when published
};

struct ExportOutput {
  std::string body;  // empty when the export failed
  std::string content_type;
  std::string file_name;  // suggested: "<pid>.cif", "<pid>-empiar.json", "ro-crate-metadata.json"
  std::vector<ExportProblem> problems;
  bool ok() const { return !body.empty(); }
};

ExportOutput export_dataset(const ExportSubject& subject, const ExportRequest& request);

}  // namespace openem
