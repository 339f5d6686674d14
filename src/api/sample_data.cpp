#include "api/sample_data.h"

#include <boost/json.hpp>

#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "core/ids.h"
#include "core/time.h"
#include "model/dataset.h"
#include "model/scientific_metadata.h"

namespace openem {
namespace json = boost::json;

int seed_sample_catalog(App& app) {
  CatalogStore& store = app.store();
  if (store.count(schemas::datasets(), Condition::always_true()) > 0) return 0;
  Principal seeder{"", "openem-sample", "", {"admin"}};
  int created = 0;
  store.transaction([&] {
    json::object proposal{{"proposalId", "20210906"}, {"_id", "20210906"},
                          {"title", "Apoferritin at 1.2 Å: a benchmark data set"},
                          {"email", "pi@example.org"}, {"ownerGroup", "em-facility"},
                          {"accessGroups", json::array{"structural-biology"}}, {"isPublished", true},
                          {"type", "Default Proposal"}};  // numberOfDatasets is counted per reader
    stamp(proposal, seeder, true);
    store.insert(schemas::proposals(), proposal);
    const char* instruments[][2] = {{"krios-1", "Titan Krios G4 (cryo-EM 1)"}, {"glacios-1", "Glacios (screening)"}};
    for (auto& [unique, name] : instruments) {
      json::object inst{{"pid", std::string("instrument/") + unique}, {"_id", std::string("instrument/") + unique},
                        {"uniqueName", unique}, {"name", name}, {"customMetadata", json::object()}};
      stamp(inst, seeder, true);
      store.insert(schemas::instruments(), inst);
    }
    const char* samples[] = {"apoferritin", "beta-galactosidase", "ribosome 70S", "spike protein"};
    for (int i = 0; i < 12; ++i) {
      std::string session = "2021090" + std::to_string(6 + i % 3) + "-" + std::to_string(40 + i);
      bool krios = i % 3 != 2;
      json::object sm{
          {"acquisition",
           json::object{{"dose_per_movie", json::object{{"value", 40.0 + i}, {"unit", "e/Å²"}}},
                        {"pixel_size", json::object{{"value", krios ? 0.83 : 1.1}, {"unit", "Å"}}},
                        {"nominal_defocus_min", json::object{{"value", -0.8}, {"unit", "µm"}}},
                        {"nominal_defocus_max", json::object{{"value", -2.2}, {"unit", "µm"}}},
                        {"voltage", json::object{{"value", krios ? 300 : 200}, {"unit", "kV"}}},
                        {"detector", krios ? "Falcon 4i" : "Falcon 3EC"},
                        {"nominal_magnification", krios ? 165000 : 120000},
                        {"temperature", json::object{{"value", -192}, {"unit", "°C"}}}}},
          {"sample", json::object{{"name", samples[i % 4]}}}};
      json::object ds{{"type", "raw"},
                      {"ownerGroup", i < 8 ? "em-facility" : "structural-biology"},
                      {"accessGroups", json::array{"structural-biology"}},
                      {"owner", "Sample Owner"},
                      {"contactEmail", "owner@example.org"},
                      {"sourceFolder", "/data/em/" + session},
                      {"creationTime", iso_utc(now_millis() - (12 - i) * 86400000LL)},
                      {"principalInvestigator", "pi@example.org"},
                      {"creationLocation", krios ? "krios-1" : "glacios-1"},
                      {"instrumentId", std::string("instrument/") + (krios ? "krios-1" : "glacios-1")},
                      {"proposalId", "20210906"},
                      {"datasetName", std::string(samples[i % 4]) + " session " + session},
                      {"description", std::string("Single-particle acquisition of ") + samples[i % 4]},
                      {"keywords", json::array{"cryo-EM", "SPA", samples[i % 4]}},
                      {"isPublished", i % 4 == 0},
                      {"scientificMetadata", with_si_values(sm)}};
      DatasetDefaults d;
      d.pid = (app.config().pid_prefix.empty() ? std::string("openem") : app.config().pid_prefix) + "/" + uuid_v4();
      d.tape_redundancy = ensure_policy_for_group(app, seeder, std::string(ds["ownerGroup"].as_string()), "");
      complete_new_dataset(ds, d);
      stamp(ds, seeder, true);
      store.insert(schemas::datasets(), ds);
      json::array files;
      std::int64_t total = 0;
      for (int f = 0; f < 3; ++f) {
        std::int64_t size = 250'000'000 + f * 1000;
        total += size;
        files.emplace_back(json::object{{"path", "Movies/FoilHole_" + std::to_string(1000 + f) + "_fractions.tiff"},
                                        {"size", size}, {"time", now_iso()}, {"chk", ""}});
      }
      std::string block_id = uuid_v4();
      json::object block{{"_id", block_id}, {"id", block_id}, {"datasetId", d.pid}, {"size", total},
                         {"dataFileList", std::move(files)}};
      inherit_ownership(block, ds);
      stamp(block, seeder, true);
      store.insert(schemas::origdatablocks(), block);
      recompute_file_totals(app, d.pid);
      ++created;
    }
  });
  return created;
}

}  // namespace openem
