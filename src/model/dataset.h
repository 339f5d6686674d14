#pragma once
// Dataset documents: the v3 create/update DTOs (raw, derived, custom), the defaults the server
// fills in on create, the lifecycle sub-document, and the v3/v4 output shapes. Storage keeps
// both the plural arrays (v4: proposalIds, ...) and the singular v3 aliases, so either API
// version reads the same document. Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "model/dto.h"

namespace openem {

// Validation messages for a v3 create (partial=false) or update body of the given type: the
// raw and derived DTOs, and the v4 DTO for any other type (reference §3.2).
std::vector<std::string> validate_dataset(const boost::json::object& body, const std::string& type, bool partial);

// Validation messages for an API v4 body: one DTO for every dataset type (upstream
// create-dataset.dto.ts / update-dataset.dto.ts).
std::vector<std::string> validate_dataset_v4(const boost::json::object& body, bool partial);

struct DatasetDefaults {
  std::string pid;               // already decided (generated or validated)
  std::string version = "3";     // API version of the route
  std::string tape_redundancy = "low";  // from the owner group's policy
  int retention_years = -1;      // POLICY_RETENTION_SHIFT
  double publication_years = 3;  // the owner group policy's embargoPeriod, else POLICY_PUBLICATION_SHIFT
  // Retention is the archive system's to set (docs/security.md); anyone else's
  // datasetlifecycle.archiveRetentionTime is replaced by the policy's.
  bool may_set_retention = false;
};

// The classification a dataset gets from its owner group's tape redundancy (reference §3.3).
std::string dataset_classification(std::string_view tape_redundancy);

// Validation messages for a datasetlifecycle update.
std::vector<std::string> validate_lifecycle(const boost::json::object& body);

// Fills server-set fields of a new dataset (reference §3.3): pid/_id, version, defaults of
// counters and lists, classification, lifecycle defaults merged under the given lifecycle,
// normalised dates, singular/plural aliases. Does not stamp createdBy/At.
void complete_new_dataset(boost::json::object& doc, const DatasetDefaults& d);

// What a read adds to a dataset and clients send back with it (the frontend echoes what it
// read, and the DTOs tolerate it): the relations an include brings (attachments,
// origdatablocks, datablocks) and scientificMetadataValid, which upstream computes. None of
// them is part of the dataset: a stored copy would go stale, and would show file lists and
// attachments to every reader of the dataset, past the access rule of each.
const std::vector<std::string>& echoed_read_fields();

// The form a dataset is stored in, after a create or any update: echoed_read_fields dropped,
// singular v3 fields and plural v4 arrays in step, dates normalised.
void normalize_dataset(boost::json::object& doc);

// Lifecycle defaults for a dataset created now.
boost::json::object default_lifecycle(int retention_years, double publication_years);

// Output shapes: v4 drops the singular aliases (and a derived dataset's investigator).
boost::json::object dataset_v4_view(boost::json::object doc);

// PATCH of a stored dataset: top-level keys of `body` replace the stored ones; of the names of
// one list (proposalId/proposalIds, ..., principalInvestigator/principalInvestigators and a
// derived dataset's investigator) the ones the body sets win. Returns the normalized result.
boost::json::object merge_dataset_update(boost::json::object stored, const boost::json::object& body);

}  // namespace openem
