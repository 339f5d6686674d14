#pragma once
// Quotas (docs/security.md, "Quotas"): how many bytes an owner group may register in file lists
// (OPENEM_GROUP_QUOTAS) and how many unfinished uploads one user may hold (OPENEM_MAX_OPEN_UPLOADS).
// Without them one account could fill the disk, or hold thousands of staging files open.
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/app.h"
#include "api/tus_uploads.h"

namespace openem {

// The group's quota in bytes: its own entry, else "default", else none (unlimited).
std::optional<std::int64_t> group_quota(const Config& config, const std::string& owner_group);

// Bytes the group's datasets register in their file lists (the sum of their sizes).
std::int64_t group_registered_bytes(App& app, const std::string& owner_group);

// Inside the transaction that changed a dataset's file list, after its size was recomputed:
// 413 when the change grew the group's registered bytes past its quota (the transaction then
// rolls back). A change that shrinks or keeps the size always passes, so a group over a lowered
// quota can still clean up.
void check_registration_quota(App& app, const std::string& owner_group, std::int64_t size_before,
                              std::int64_t size_after);

// Before a tus upload is created for a dataset of `owner_group`: 429 when the user already holds
// max_open_uploads unfinished uploads; 413 when an upload not yet in a file list (awaitFileList)
// would take the group past its quota, counting its other such uploads still receiving.
void check_upload_quota(App& app, TusUploads& uploads, const std::string& user_id, const std::string& owner_group,
                        std::int64_t length, bool registered);

// GET /api/v3/admin/usage (admins): per owner group datasets, registered bytes, quota, and
// unfinished uploads with their bytes.
boost::json::object usage_report(App& app, TusUploads& uploads);

}  // namespace openem
