#pragma once
// Dataset operations shared by the dataset endpoints and their sub-resources (file lists,
// attachments, datablocks): read access, write rights, file totals, default policies and
// propagation of ownership to sub-documents. Thread-safe (state lives in the store).
#include <boost/json.hpp>

#include <optional>
#include <string>

#include "api/app.h"
#include "api/collection_access.h"
#include "store/dataset_dependants.h"

namespace openem {

CollectionAccess dataset_access(App& app);

// The dataset if p may write it (owner group or admin); otherwise 404 when p cannot read it
// either (unreadable looks like missing), else 403.
boost::json::object dataset_for_write(App& app, const Principal& p, std::string_view pid);
bool may_write_dataset(App& app, const Principal& p, const boost::json::object& dataset);
// Adding file lists: writers and privileged creators (ingestors).
bool may_register_files(App& app, const Principal& p, const boost::json::object& dataset);

// Recomputes size and numberOfFiles of a dataset from its origdatablocks (call inside the
// transaction that changed the blocks); says how the size changed (nullopt: no such dataset).
struct FileTotalsChange {
  std::string owner_group;
  std::int64_t size_before = 0, size_after = 0;
};
std::optional<FileTotalsChange> recompute_file_totals(App& app, const std::string& pid);

// Sets the dataset's packedSize and numberOfFilesArchived to the sums over its datablocks
// (their packedSize and file counts); no-op for an unknown dataset. Inside a transaction.
void recompute_archive_totals(App& app, const std::string& pid);

// What a dataset takes from its owner group's policy; nullopt when the group has none.
struct GroupPolicy {
  std::string tape_redundancy = "low";
  std::optional<double> embargo_years;  // embargoPeriod
};
std::optional<GroupPolicy> group_policy(App& app, const std::string& owner_group);

// Finds the policy of ownerGroup or creates the default one; returns its tapeRedundancy.
std::string ensure_policy_for_group(App& app, const Principal& p, const std::string& owner_group,
                                    const std::string& manager_email);

}  // namespace openem
