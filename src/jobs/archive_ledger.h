#pragma once
// ArchiveLedger: the archive worker's own record of every bag it writes — its key, the
// dataset it holds, the job that wrote it, the datablock that names it, the digest of its
// manifest, and its state. Datablocks are the API's view of archived copies (anyone who may
// register files may create one, and owners see them); this record is kept in the catalog
// collection `archivecopies`, which no endpoint reads or writes. Retrieve and the retention
// sweep trust only it, so no edit of a datablock can point a dataset at another one's bag.
//
// States: writing (copies being written) → live (verified, its datablock registered) →
// datasetDeleted (the dataset went; the bag may be deleted). A failed attempt is abandoned.
// Functions of a CatalogStore; those marked "in a transaction" join the caller's. Thread-safe
// as the store is.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "store/catalog_store.h"

namespace openem {

struct ArchiveCopy {
  std::string key;              // the bag's name on every tier
  std::string pid;              // the dataset it was written for
  std::string job_id;
  std::string state;            // writing | live | datasetDeleted | abandoned
  std::string datablock_id;     // set when live
  std::string manifest_sha256;  // SHA-256 of the bag's manifest-sha256.txt, set when live
};

// The bag format version recorded in the datablocks the archive worker writes. No one else
// may register a datablock of this version.
inline constexpr const char* kBagVersion = "openem-bagit-1";

namespace archive_ledger {

inline constexpr const char* kWriting = "writing";
inline constexpr const char* kLive = "live";
inline constexpr const char* kDatasetDeleted = "datasetDeleted";
inline constexpr const char* kAbandoned = "abandoned";

// The key of the bag job `job_id` writes for `pid`: "<tar_top_name(pid)>/<job id>.tar".
std::string bag_key(const std::string& pid, const std::string& job_id);

std::optional<ArchiveCopy> find(CatalogStore& store, const std::string& key);

// Before the first byte of a bag is written (its own transaction): records the key as being
// written for `pid`. False, recording nothing, when the dataset no longer exists or the key is
// already live or was released with its dataset.
bool begin(CatalogStore& store, const std::string& key, const std::string& pid, const std::string& job_id);

// In a transaction, with the datablock's insert: writing → live. False when the copy is no
// longer being written (its dataset was deleted meanwhile): then nothing may be registered.
bool make_live(CatalogStore& store, const std::string& key, const std::string& datablock_id,
               const std::string& manifest_sha256);

// A failed attempt: its bags may be deleted (own transaction; only from writing).
void abandon(CatalogStore& store, const std::string& key);

// In a transaction, with the dataset's delete: every copy of `pid` is released. A dataset
// later created with the same pid never reaches them.
void release_dataset(CatalogStore& store, const std::string& pid);

// Copies of `pid` that are live (the retention rule counts them).
std::vector<ArchiveCopy> live_copies(CatalogStore& store, const std::string& pid);

// Copies whose bags may be deleted: released with their dataset, abandoned, or left writing
// by a job that has ended. At most `limit`.
std::vector<ArchiveCopy> deletable(CatalogStore& store, std::int64_t limit);

// Drops the record once every tier's bag is gone.
void forget(CatalogStore& store, const std::string& key);

// Records bags of openem datablocks written before this ledger existed (catalog upgrade):
// a datablock whose key is its own dataset's gets a live record, one whose dataset is gone
// a released record; a datablock naming another dataset's key gets none (it was re-pointed,
// and its bag belongs to the other dataset). Returns the number of records made.
int record_earlier_bags(CatalogStore& store, const std::string& bag_version);

}  // namespace archive_ledger
}  // namespace openem
