#pragma once
// upload_states: the catalog's record of tus uploads shared by several API processes
// (collection `tusuploads`, which no endpoint reads or writes). An upload started on one
// process continues on another: its offset, length, metadata, owner, checksum state and the
// list of acknowledged parts (whose bytes are in the blob store) live here.
//
// Every change is a compare-and-set on `version` inside one catalog transaction, and
// transactions are serial across processes (docs/deploy.md), so of two writers that read the
// same version exactly one succeeds: two PATCHes at one offset cannot both be acknowledged.
// Functions of a CatalogStore; thread-safe as the store is.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/catalog_store.h"

namespace openem {

// Acknowledged bytes [offset, offset + length) of an upload, kept as one object `name` of the
// upload's part area, with the SHA-256 (hex) it had when acknowledged.
struct UploadPart {
  std::int64_t offset = 0, length = 0;
  std::string name, sha256;
  bool operator==(const UploadPart&) const = default;
};

struct UploadState {
  std::string id;
  std::string dataset_id, path, filename, owner, metadata;
  std::int64_t length = 0, offset = 0;
  std::string state = "receiving";  // receiving | committing | stored | failed
  std::int64_t expires = 0;         // unix seconds
  std::string sha256, error;        // whole-file digest once known; why it failed
  std::vector<UploadPart> parts;    // in offset order, contiguous from 0 to offset
  std::int64_t version = 0;         // set by insert and compare_and_set
};

namespace upload_states {

// Records a new upload (version 1). std::invalid_argument when the id is empty; StoreError
// (store_errors.h) for a duplicate id, as any insert.
void insert(CatalogStore& store, UploadState& state);

std::optional<UploadState> get(CatalogStore& store, const std::string& id);

// Replaces the record when its stored version is still state.version, and then bumps
// state.version. False, changing nothing, when the upload changed meanwhile or is gone.
bool compare_and_set(CatalogStore& store, UploadState& state);

// Removes the record; false when there was none.
bool remove(CatalogStore& store, const std::string& id);
// A client's termination: removes the record unless its file is being stored ("committing",
// which always ends stored: a retried commit finishes it), as one process serializes a DELETE
// after the commit under way. False when there was none or it is committing.
bool remove_unless_committing(CatalogStore& store, const std::string& id);

// Uploads still receiving bytes, and uploads whose expiry is before `now` (at most `limit`).
std::vector<UploadState> receiving(CatalogStore& store);
std::vector<UploadState> expired(CatalogStore& store, std::int64_t now, std::int64_t limit);

}  // namespace upload_states
}  // namespace openem
