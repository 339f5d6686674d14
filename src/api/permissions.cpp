#include "api/permissions.h"

namespace openem {

DatasetCreateTier dataset_create_tier(const Config& c, const Principal& p) {
  if (!p.authenticated()) return DatasetCreateTier::None;
  if (c.admin_groups.matches(p.groups, true)) return DatasetCreateTier::Admin;
  if (c.create_dataset_privileged_groups.matches(p.groups, true)) return DatasetCreateTier::Privileged;
  if (c.create_dataset_with_pid_groups.matches(p.groups, true)) return DatasetCreateTier::WithPid;
  if (c.create_dataset_groups.matches(p.groups, true)) return DatasetCreateTier::OwnGroups;
  return DatasetCreateTier::None;
}

ReadScope dataset_read_scope(const Config& c, const Principal& p) {
  ReadScope s;
  s.read_any = p.authenticated() && (c.admin_groups.matches(p.groups, true) ||
                                     c.update_dataset_lifecycle_groups.matches(p.groups, true));
  return s;
}

ReadScope proposal_read_scope(const Config& c, const Principal& p) {
  return ReadScope{c.admin_groups.matches(p.groups, p.authenticated()) || c.proposal_groups.matches(p.groups, p.authenticated()),
                   true};
}

ReadScope logbook_entry_read_scope(const Config& c, const Principal& p) {
  ReadScope s = proposal_read_scope(c, p);
  if (s.read_any && !dataset_read_scope(c, p).read_any) s.read_any = false;  // PROPOSAL_GROUPS: by their groups
  return s;
}

ReadScope sample_read_scope(const Config& c, const Principal& p) {
  return ReadScope{c.admin_groups.matches(p.groups, p.authenticated()), true};
}

bool may_change_sample(const Config& c, const Principal& p, bool owner, SampleChange change) {
  if (!p.authenticated()) return false;
  if (c.admin_groups.matches(p.groups, true)) return true;
  const bool member = c.sample_groups.matches(p.groups, true);
  const bool privileged = c.sample_privileged_groups.matches(p.groups, true);
  switch (change) {
    case SampleChange::Update:
    case SampleChange::AttachmentUpdate:
      return owner && (member || privileged);
    case SampleChange::AttachmentCreate:
      return privileged || (owner && member);
    case SampleChange::AttachmentDelete:
      return c.delete_groups.matches(p.groups, true) || (owner && (member || privileged));
  }
  return false;
}

bool dataset_update_any(const Config& c, const Principal& p) {
  return p.authenticated() && c.admin_groups.matches(p.groups, true);
}

}  // namespace openem
