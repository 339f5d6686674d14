#include "model/collection.h"

namespace openem {

const IndexedColumn* CollectionSchema::column_for(std::string_view field) const {
  for (const auto& c : columns)
    if (c.field == field) return &c;
  return nullptr;
}

bool CollectionSchema::is_array_field(std::string_view field) const {
  for (const auto& f : array_fields)
    if (f == field) return true;
  return false;
}

bool CollectionSchema::is_per_reader_field(std::string_view field) const {
  std::string_view top = field.substr(0, field.find('.'));
  return per_reader_fields.count(top) > 0;
}

bool CollectionSchema::has_access_set() const { return ownable && is_array_field(kAccessField); }

namespace schemas {
namespace {

// Columns every ownable document has.
std::vector<IndexedColumn> ownable_columns() {
  return {{"ownerGroup", "owner_group", ColumnType::Text},
          {"isPublished", "is_published", ColumnType::Bool},
          {"createdAt", "created_at", ColumnType::Date},
          {"updatedAt", "updated_at", ColumnType::Date}};
}

std::vector<IndexedColumn> with_ownable(std::vector<IndexedColumn> cols) {
  auto base = ownable_columns();
  base.insert(base.end(), cols.begin(), cols.end());
  return base;
}

}  // namespace

const CollectionSchema& datasets() {
  static const CollectionSchema s{
      .name = "datasets",
      .table = "datasets",
      .id_field = "pid",
      .columns = with_ownable({
          {"type", "type", ColumnType::Text},
          {"owner", "owner", ColumnType::Text},
          {"datasetName", "dataset_name", ColumnType::Text},
          {"sourceFolder", "source_folder", ColumnType::Text},
          {"creationLocation", "creation_location", ColumnType::Text},
          {"creationTime", "creation_time", ColumnType::Date, /*walk_order=*/true},
          {"size", "size", ColumnType::Integer},
          {"numberOfFiles", "number_of_files", ColumnType::Integer},
          {"datasetlifecycle.archiveStatusMessage", "archive_status", ColumnType::Text},
          {"datasetlifecycle.dateOfPublishing", "date_of_publishing", ColumnType::Date},
      }),
      .array_fields = {"#access", "accessGroups", "sharedWith", "keywords", "proposalIds", "sampleIds",
                       "instrumentIds", "principalInvestigators", "inputDatasets", "techniques.name",
                       "previousVersion", "versionSeries", "usedSoftware"},
      .date_fields = {"creationTime", "createdAt", "updatedAt", "startTime", "endTime",
                      "datasetlifecycle.dateOfDiskPurging", "datasetlifecycle.archiveRetentionTime",
                      "datasetlifecycle.dateOfPublishing", "datasetlifecycle.publishedOn"},
      .ownable = true,
      .text_index = true,
      .scientific_field = "scientificMetadata",
      .text_excluded = {"history"},
      // The SciCat front end's default facets, and the archive view's.
      .counted_facets = {"type", "creationLocation", "ownerGroup", "keywords", "isPublished",
                         "datasetlifecycle.archiveStatusMessage"},
      .public_tombstones = true,
      .history_subsystem = "Dataset",
      .history_excluded = {"history"},
  };
  return s;
}

const CollectionSchema& origdatablocks() {
  static const CollectionSchema s{
      .name = "origdatablocks",
      .table = "origdatablocks",
      .id_field = "_id",
      .columns = with_ownable({{"datasetId", "dataset_id", ColumnType::Text},
                               {"size", "size", ColumnType::Integer},
                               {"chkAlg", "chk_alg", ColumnType::Text}}),
      .array_fields = {"#access", "accessGroups"},
      .date_fields = {"createdAt", "updatedAt", "dataFileList.time"},
      .ownable = true,
      .text_index = true,
      .history_subsystem = "OrigDatablock",
  };
  return s;
}

const CollectionSchema& datablocks() {
  static const CollectionSchema s{
      .name = "datablocks",
      .table = "datablocks",
      .id_field = "_id",
      .columns = with_ownable({{"datasetId", "dataset_id", ColumnType::Text},
                               {"archiveId", "archive_id", ColumnType::Text},
                               {"size", "size", ColumnType::Integer}}),
      .array_fields = {"#access", "accessGroups"},
      .date_fields = {"createdAt", "updatedAt"},
      .history_subsystem = "Datablock",
  };
  return s;
}

const CollectionSchema& attachments() {
  static const CollectionSchema s{
      .name = "attachments",
      .table = "attachments",
      .id_field = "aid",
      .columns = with_ownable({{"datasetId", "dataset_id", ColumnType::Text},
                               {"proposalId", "proposal_id", ColumnType::Text},
                               {"sampleId", "sample_id", ColumnType::Text}}),
      .array_fields = {"#access", "accessGroups"},
      .date_fields = {"createdAt", "updatedAt"},
      .history_subsystem = "Attachment",
  };
  return s;
}

const CollectionSchema& proposals() {
  static const CollectionSchema s{
      .name = "proposals",
      .table = "proposals",
      .id_field = "proposalId",
      .columns = with_ownable({{"title", "title", ColumnType::Text},
                               {"email", "email", ColumnType::Text},
                               {"type", "type", ColumnType::Text},
                               {"startTime", "start_time", ColumnType::Date},
                               {"endTime", "end_time", ColumnType::Date}}),
      .array_fields = {"#access", "accessGroups", "instrumentIds"},
      .date_fields = {"createdAt", "updatedAt", "startTime", "endTime"},
      .text_index = true,
      .per_reader_fields = {"numberOfDatasets"},  // api/proposal_presentation.h
      .history_subsystem = "Proposal",
  };
  return s;
}

const CollectionSchema& samples() {
  static const CollectionSchema s{
      .name = "samples",
      .table = "samples",
      .id_field = "sampleId",
      .columns = with_ownable({{"owner", "owner", ColumnType::Text},
                               {"proposalId", "proposal_id", ColumnType::Text},
                               {"type", "type", ColumnType::Text}}),
      .array_fields = {"#access", "accessGroups"},
      .date_fields = {"createdAt", "updatedAt"},
      .text_index = true,
      .scientific_field = "sampleCharacteristics",
      .history_subsystem = "Sample",
  };
  return s;
}

const CollectionSchema& instruments() {
  static const CollectionSchema s{
      .name = "instruments",
      .table = "instruments",
      .id_field = "pid",
      .columns = {{"uniqueName", "unique_name", ColumnType::Text},
                  {"name", "name", ColumnType::Text},
                  {"createdAt", "created_at", ColumnType::Date}},
      .date_fields = {"createdAt", "updatedAt"},
      .ownable = false,
      .scientific_field = "customMetadata",
      .history_subsystem = "Instrument",
  };
  return s;
}

const CollectionSchema& policies() {
  static const CollectionSchema s{
      .name = "policies",
      .table = "policies",
      .id_field = "_id",
      .columns = with_ownable({}),
      .array_fields = {"#access", "accessGroups", "manager"},
      .date_fields = {"createdAt", "updatedAt"},
      .history_subsystem = "Policy",
  };
  return s;
}

// Jobs (reference §5.4), stored in the v4 shape. ownerUser and statusCode are columns because
// list pages and the archive worker's claim query filter on them.
const CollectionSchema& jobs() {
  static const CollectionSchema s{
      .name = "jobs",
      .table = "jobs",
      .id_field = "id",
      .columns = with_ownable({{"type", "type", ColumnType::Text},
                               {"statusCode", "status_code", ColumnType::Text},
                               {"ownerUser", "owner_user", ColumnType::Text}}),
      .array_fields = {"#access", "accessGroups"},
      .date_fields = {"createdAt", "updatedAt"},
      .text_index = true,  // fields.text: the frontend's job table search (upstream: $text over the job)
      // JobService::access_condition reads by owner user, owner group or job type.
      .text_reader_fields = {{"ownerUser", "u:"}, {"ownerGroup", "g:"}, {"type", "t:"}},
  };
  return s;
}

// The archive worker's own record of the bags it wrote (jobs/archive_ledger.h). No endpoint
// reads or writes it: it is what retrieve and the retention sweep trust, instead of the
// datablocks, which the API exposes.
const CollectionSchema& archive_copies() {
  static const CollectionSchema s{
      .name = "archivecopies",
      .table = "archive_copies",
      .id_field = "archiveId",
      .columns = {{"datasetId", "dataset_id", ColumnType::Text},
                  {"state", "state", ColumnType::Text},
                  {"updatedAt", "updated_at", ColumnType::Date}},
      .date_fields = {"createdAt", "updatedAt"},
      .ownable = false,
  };
  return s;
}

// tus uploads shared by several API processes (store/upload_states.h): an upload's offset,
// owner and parts, so that one started on one process continues on another. No endpoint
// reads or writes it; the tus routes go through upload_states.
const CollectionSchema& tus_uploads() {
  static const CollectionSchema s{
      .name = "tusuploads",
      .table = "tus_uploads",
      .id_field = "id",
      .columns = {{"state", "state", ColumnType::Text}, {"expires", "expires", ColumnType::Integer}},
      .ownable = false,
  };
  return s;
}

// Published data (reference §5.7): the records that get DOIs. Keyed by DOI; not ownable (the
// API decides who reads which status).
const CollectionSchema& published_data() {
  static const CollectionSchema s{
      .name = "publisheddata",
      .table = "published_data",
      .id_field = "doi",
      .columns = {{"status", "status", ColumnType::Text},
                  {"createdAt", "created_at", ColumnType::Date},
                  {"updatedAt", "updated_at", ColumnType::Date},
                  {"registeredTime", "registered_time", ColumnType::Date}},
      .array_fields = {"pidArray", "datasetPids"},
      .date_fields = {"createdAt", "updatedAt", "registeredTime"},
      .ownable = false,
      .text_index = true,
      // Harvested by OAI-PMH beside the datasets: the records everyone may read
      // (publish/published_data/status.h is_readable_by_anyone).
      .public_tombstones = true,
      .public_field = "status",
      .public_values = {"public", "registered", "amended"},
      // PublishedDataService::read_rule reads by status (the public ones) or creator.
      .text_reader_fields = {{"status", "st:"}, {"createdBy", "u:"}},
      .history_subsystem = "PublishedData",
  };
  return s;
}

// The DataCite outbox (publish/datacite/outbox.h): one row per change of a published-data
// record that DataCite must learn, written in the transaction of the change and sent by the
// outbox worker. No endpoint reads it; records show its state in `registration`.
const CollectionSchema& datacite_outbox() {
  static const CollectionSchema s{
      .name = "dataciteoutbox",
      .table = "datacite_outbox",
      .id_field = "id",
      .columns = {{"doi", "doi", ColumnType::Text},
                  {"state", "state", ColumnType::Text},
                  {"nextAttemptAt", "next_attempt_at", ColumnType::Date},
                  {"createdAt", "created_at", ColumnType::Date}},
      .date_fields = {"createdAt", "updatedAt", "nextAttemptAt", "leaseUntil", "sentAt"},
      .ownable = false,
  };
  return s;
}

// Webhooks registered by admins (api/events/webhooks.h): where changes are sent, for whom,
// and how far delivery has come (a position in the change history). No history of their own:
// a webhook's progress is no change of the catalog.
const CollectionSchema& webhooks() {
  static const CollectionSchema s{
      .name = "webhooks",
      .table = "webhooks",
      .id_field = "id",
      .columns = {{"nextAttemptAt", "next_attempt_at", ColumnType::Date}, {"createdAt", "created_at", ColumnType::Date}},
      .date_fields = {"createdAt", "updatedAt", "nextAttemptAt", "lastDeliveredAt"},
      .ownable = false,
  };
  return s;
}

// Each attempt to deliver an event to a webhook, for its delivery log (the newest are kept).
const CollectionSchema& webhook_deliveries() {
  static const CollectionSchema s{
      .name = "webhookdeliveries",
      .table = "webhook_deliveries",
      .id_field = "id",
      .columns = {{"webhookId", "webhook_id", ColumnType::Text}, {"at", "at", ColumnType::Date}},
      .date_fields = {"at"},
      .ownable = false,
  };
  return s;
}

// The electronic logbook (api/logbook/): entries of a proposal, optionally about datasets,
// samples and instruments. Each carries its proposal's ownerGroup and accessGroups, kept in
// step when the proposal's change (logbook_entries.h), so it is read by the proposal's rule.
// Edits are history ("LogbookEntry") and events.
const CollectionSchema& logbook_entries() {
  static const CollectionSchema s{
      .name = "logbookentries",
      .table = "logbook_entries",
      .id_field = "id",
      .columns = with_ownable({{"proposalId", "proposal_id", ColumnType::Text}, {"author", "author", ColumnType::Text}}),
      .array_fields = {"#access", "accessGroups", "tags", "datasetIds", "sampleIds", "instrumentIds"},
      .date_fields = {"createdAt", "updatedAt"},
      .text_index = true,
      .history_subsystem = "LogbookEntry",
  };
  return s;
}

// Messages of the `rabbitmq` job action waiting for the broker's confirm (jobs/job_messages.h).
const CollectionSchema& job_messages() {
  static const CollectionSchema s{
      .name = "jobmessages",
      .table = "job_messages",
      .id_field = "id",
      .columns = {{"nextAttemptAt", "next_attempt_at", ColumnType::Date}, {"createdAt", "created_at", ColumnType::Date}},
      .date_fields = {"createdAt", "nextAttemptAt"},
      .ownable = false,
  };
  return s;
}

const std::vector<const CollectionSchema*>& all() {
  static const std::vector<const CollectionSchema*> v{&datasets(),    &origdatablocks(), &datablocks(),
                                                      &attachments(),  &proposals(),      &samples(),
                                                      &instruments(),  &policies(),       &jobs(),
                                                      &archive_copies(), &published_data(),
                                                      &datacite_outbox(),  &tus_uploads(),
                                                      &webhooks(),         &webhook_deliveries(),
                                                      &job_messages(),     &logbook_entries()};
  return v;
}

const CollectionSchema* by_history_subsystem(std::string_view subsystem) {
  for (const CollectionSchema* s : all())
    if (!s->history_subsystem.empty() && s->history_subsystem == subsystem) return s;
  return nullptr;
}

}  // namespace schemas
}  // namespace openem
