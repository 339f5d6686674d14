#include "publish/export/dataset_export.h"

#include <boost/json.hpp>

#include "core/json_fields.h"
#include "publish/datacite_metadata.h"
#include "publish/landing_page.h"
#include "publish/export/pdbx_dictionary.h"

namespace openem {
namespace {

namespace json = boost::json;

std::string base_name(const ExportSubject& subject) {
  std::string pid = json_string(subject.dataset, "pid");
  return pid.empty() ? "dataset" : mmcif_entry_id(pid);
}

std::string pretty(const json::value& v) { return json::serialize(v) + "\n"; }

ExportOutput mmcif(const ExportSubject& subject, const ExportRequest& request) {
  ExportOutput out;
  out.content_type = "chemical/x-mmcif";
  out.file_name = base_name(subject) + ".cif";
  auto dictionary = PdbxDictionary::shared(request.dictionary_path);
  if (auto* error = std::get_if<std::string>(&dictionary)) {
    out.problems.push_back({ExportProblem::Severity::kError, "", "", *error});
    return out;
  }
  const PdbxDictionary& dict = *std::get<std::shared_ptr<const PdbxDictionary>>(dictionary);
  MmcifOptions options{mmcif_entry_id(json_string(subject.dataset, "pid").empty() ? "openem" : json_string(subject.dataset, "pid")),
                       request.allow_incomplete};
  MmcifResult result = request.model.empty() ? mmcif_metadata_only(subject.oscem, dict, options)
                                             : mmcif_merged_into_model(subject.oscem, request.model, dict, options);
  out.body = std::move(result.text);
  out.problems = std::move(result.problems);
  return out;
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "mmcif" || name == "cif") return ExportFormat::kMmcif;
  if (name == "empiar") return ExportFormat::kEmpiar;
  if (name == "ro-crate" || name == "rocrate") return ExportFormat::kRoCrate;
  if (name == "datacite" || name == "datacite-xml") return ExportFormat::kDataCiteXml;
  if (name == "datacite-json") return ExportFormat::kDataCiteJson;
  if (name == "jsonld" || name == "schema.org") return ExportFormat::kJsonLd;
  if (name == "oscem") return ExportFormat::kOscem;
  return std::nullopt;
}

std::string_view export_format_names() { return "mmcif|empiar|ro-crate|datacite|datacite-json|jsonld|oscem"; }

ExportOutput export_dataset(const ExportSubject& subject, const ExportRequest& request) {
  std::string name = base_name(subject);
  switch (request.format) {
    case ExportFormat::kMmcif:
      return mmcif(subject, request);
    case ExportFormat::kEmpiar: {
      EmpiarOptions options = request.empiar;
      options.allow_incomplete = request.allow_incomplete;
      EmpiarResult r = empiar_deposition(subject, options);
      ExportOutput out{r.document.empty() ? "" : pretty(r.document), "application/json", name + "-empiar.json",
                       std::move(r.problems)};
      return out;
    }
    case ExportFormat::kRoCrate:
      return {pretty(ro_crate_metadata(subject, {request.site_url, request.publisher, request.doi})),
              "application/ld+json", "ro-crate-metadata.json", {}};
    case ExportFormat::kOscem:
      return {pretty(subject.oscem), "application/json", name + "-oscem.json", {}};
    case ExportFormat::kDataCiteXml:
    case ExportFormat::kDataCiteJson:
    case ExportFormat::kJsonLd:
      break;
  }
  // The publishing side's builders need a dataset document; an OSC-EM file alone gets a minimal one.
  json::object dataset = subject.dataset;
  if (dataset.empty()) dataset = {{"pid", "dataset"}, {"datasetName", "OSC-EM dataset"}, {"scientificMetadata", subject.oscem}};
  std::string pid = json_string(dataset, "pid");
  if (request.format == ExportFormat::kJsonLd) {
    LandingContext context{request.site_url, request.publisher, {}, static_cast<std::int64_t>(subject.files.size())};
    for (const ExportFile& f : subject.files) {
      if (context.files.size() < 100) context.files.emplace_back(f.path, f.size);
    }
    return {pretty(dataset_jsonld(dataset, context)), "application/ld+json", name + ".jsonld", {}};
  }
  DataCiteSubject d{dataset, std::nullopt, std::nullopt, std::nullopt, std::nullopt, request.doi,
                    request.site_url + "/datasets/" + pid, request.publisher};
  if (request.format == ExportFormat::kDataCiteXml) {
    return {datacite_kernel4_xml(d), "application/vnd.datacite.datacite+xml", name + "-datacite.xml", {}};
  }
  return {pretty(json::object{{"data", json::object{{"type", "dois"}, {"attributes", datacite_attributes(d)}}}}),
          "application/vnd.api+json", name + "-datacite.json", {}};
}

}  // namespace openem
