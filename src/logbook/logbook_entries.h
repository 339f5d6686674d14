#pragma once
// The electronic logbook (docs/logbook.md): entries written in a proposal's logbook by its
// members, and by openem itself when something happens to the proposal's data (automatic
// entries: a dataset registered, a job's state changed, a DOI registered). An entry is a
// document of the logbook_entries collection: Markdown text, author, time, tags, and the
// datasets, samples and instruments it is about. It carries its proposal's ownerGroup and
// accessGroups (kept in step by follow_proposal_access), so it is read exactly as its proposal
// is, and searched with the same substring search as datasets. Edits are history records.
// Functions of the catalog; thread-safe as the store is.
#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "store/catalog_store.h"

namespace openem {

// A new entry from a body {text, tags, datasetIds, sampleIds, instrumentIds, attachmentIds} (ApiError 400 for
// anything else) in the logbook of `proposal`, by `author`.
boost::json::object new_logbook_entry(const boost::json::object& body, const boost::json::object& proposal,
                                      const std::string& author);
// An edit's changes ({text, tags, datasetIds, sampleIds, instrumentIds}) applied to `entry`.
void change_logbook_entry(boost::json::object& entry, const boost::json::object& changes);

// ApiError 400 unless every one of the entry's attachmentIds is a logbook attachment of its
// proposal (images and files go to the proposal's attachments, marked with the logbookEntryId
// they were added to and read as the entry is; the entry names them). Call in the transaction
// that writes the entry.
void check_entry_attachments(CatalogStore& store, const boost::json::object& entry);

// ApiError 400 unless `url` is a data: URL of a passive media type: no HTML, SVG, XML or
// script, which a browser would render or run.
void check_entry_file(std::string_view url);

// Whether a user with `groups` is a member of the proposal's groups (its ownerGroup or an
// access group): they write in its logbook, as admins do.
bool member_of_proposal(const std::vector<std::string>& groups, const boost::json::object& proposal);

// The proposal's entries, and the attachments they name, take its ownerGroup and accessGroups
// (automatic entries: those of them that read the entry's datasets, see below); call in the
// proposal's change's transaction.
void follow_proposal_access(CatalogStore& store, const boost::json::object& proposal);

// The automatic entries naming `dataset` take the groups of their proposal that read all the
// datasets they name, as they are now; call in the transaction that changed the dataset's
// ownerGroup, accessGroups or isPublished.
void follow_dataset_access(CatalogStore& store, const boost::json::object& dataset);

// Once per catalog (a setting records it): gives the automatic entries written before their
// groups followed their datasets the groups they have now. Call at start-up, before serving.
void refresh_automatic_entry_groups_once(CatalogStore& store);

// An entry by openem itself (author "openem", tag "automatic" and `tags`) in the logbook of each
// proposal the `datasets` belong to (their proposalId, or proposalIds), about those of its
// datasets. Datasets without a proposal write nowhere. The entry is read by those of the
// proposal's groups that read all of its datasets (never by anyone the datasets are hidden
// from; admins only when no group does). Call inside the transaction of the change it tells
// of, so the entry exists exactly when the change does.
void add_automatic_entries(CatalogStore& store, std::span<const boost::json::object> datasets, const std::string& text,
                           const std::vector<std::string>& tags);
// The same for datasets known by pid only (a job's dataset list): each is read first; a pid
// that names no dataset is left out.
void add_automatic_entries_by_pid(CatalogStore& store, const std::vector<std::string>& dataset_pids,
                                  const std::string& text, const std::vector<std::string>& tags);

// The automatic entry of a job's step: "**archive job** `<id>` <what happened>" in the
// logbooks of the datasets of its jobParams.datasetList, tagged "job" and the job's type.
void add_job_entry(CatalogStore& store, const boost::json::object& job, const std::string& what_happened);

}  // namespace openem
