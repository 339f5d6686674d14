#pragma once
// Permission tiers (reference §7.1): which create/read rights a caller's groups give.
// Pure functions of the configuration and the principal; thread-safe.
#include "core/config.h"
#include "core/principal.h"
#include "query/access.h"

namespace openem {

enum class DatasetCreateTier {
  None,        // may not create
  OwnGroups,   // CREATE_DATASET_GROUPS: own groups, no pid
  WithPid,     // CREATE_DATASET_WITH_PID_GROUPS: own groups, may supply a pid
  Privileged,  // CREATE_DATASET_PRIVILEGED_GROUPS: any ownerGroup, may supply a pid
  Admin,       // ADMIN_GROUPS: everything
};

DatasetCreateTier dataset_create_tier(const Config& c, const Principal& p);
// Read scope for datasets: admins and lifecycle managers read everything.
ReadScope dataset_read_scope(const Config& c, const Principal& p);
// Read scope for proposals: admins and PROPOSAL_GROUPS read every proposal.
ReadScope proposal_read_scope(const Config& c, const Principal& p);
// Read scope for logbook entries: as their proposal, except that reading every entry needs
// reading every dataset too (admins, lifecycle managers), since openem's automatic entries name
// datasets; PROPOSAL_GROUPS members read the entries their groups do.
ReadScope logbook_entry_read_scope(const Config& c, const Principal& p);
// Read scope for samples: admins read every sample; everyone else, SAMPLE_PRIVILEGED_GROUPS
// included, what their groups own or can access and what is published (upstream
// samples.ability.ts gives the privileged groups wider create rights, not wider reads).
ReadScope sample_read_scope(const Config& c, const Principal& p);

// Changes to one sample and its attachments (upstream samples.ability.ts). `owner`: the
// sample's ownerGroup is one of the caller's groups.
//   Update, AttachmentUpdate: admins; owners in SAMPLE_GROUPS or SAMPLE_PRIVILEGED_GROUPS
//   AttachmentCreate: admins, SAMPLE_PRIVILEGED_GROUPS on any sample, owners in SAMPLE_GROUPS
//   AttachmentDelete: admins, DELETE_GROUPS on any sample, owners as for Update
enum class SampleChange { Update, AttachmentCreate, AttachmentUpdate, AttachmentDelete };
bool may_change_sample(const Config& c, const Principal& p, bool owner, SampleChange change);
// Update any dataset (admins) or only owned ones.
bool dataset_update_any(const Config& c, const Principal& p);

}  // namespace openem
