#pragma once
// Config: everything `openem serve` can be told, from embedded defaults, an optional TOML
// file and environment variables (SciCat's own names, so a facility moves its settings over
// as is). Built once at start-up, then read-only and shared by all threads.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace openem {

// A group list as SciCat writes it: comma separated; "#all" means every authenticated user.
struct GroupList {
  std::vector<std::string> groups;
  bool all = false;  // contained "#all"
  bool matches(const std::vector<std::string>& user_groups, bool authenticated) const;
  static GroupList parse(std::string_view csv);
};

struct FunctionalAccount {
  std::string username, email, password;
  std::vector<std::string> roles;
  bool global = false;
};

// OpenID Connect sign-in (docs/security.md "Federated sign-in"), SciCat's variable names.
// Enabled when issuer and client id are set.
struct OidcSettings {
  std::string issuer;              // OIDC_ISSUER (discovery at <issuer>/.well-known/openid-configuration)
  std::string client_id;           // OIDC_CLIENT_ID
  std::string client_secret;       // OIDC_CLIENT_SECRET
  std::string callback_url;        // OIDC_CALLBACK_URL; default <public url>/api/v3/auth/oidc/callback
  std::string scope = "openid profile email";  // OIDC_SCOPE
  std::string success_url;         // OIDC_SUCCESS_URL; default <public url>/auth-callback (the portal)
  std::string return_url = "/datasets";  // OIDC_RETURN_URL: the returnUrl handed to the success URL
  // The claim holding the user's groups (OIDC_ACCESS_GROUPS_PROPERTY; upstream's older
  // OIDC_ACCESS_GROUPS and OIDC_USERINFO_MAPPING_FIELD_GROUP name it too); a dotted path
  // reaches into objects ("realm_access.roles").
  std::string groups_claim = "groups";
  bool groups_claim_from_property = false;   // OIDC_ACCESS_GROUPS_PROPERTY was given
  std::vector<std::string> username_claims;  // OIDC_USERINFO_MAPPING_FIELD_USERNAME ("iss, sub": joined by '_')
  std::string display_name_claim = "name";   // OIDC_USERINFO_MAPPING_FIELD_DISPLAYNAME
  std::string email_claim = "email";         // OIDC_USERINFO_MAPPING_FIELD_EMAIL
  bool auto_logout = true;                   // OIDC_AUTO_LOGOUT: logout answers the provider's end-session URL
  std::string logout_url;                    // LOGOUT_URL: that URL, instead of the provider's
  // Bearer tokens the provider issued are accepted when their "aud" names one of these
  // (OPENEM_OIDC_AUDIENCES, comma separated; default: the client id).
  std::vector<std::string> audiences;
  std::string display_name = "Sign in with your institution";  // OPENEM_OIDC_BUTTON: the portal's button text
  int timeout_seconds = 10;                  // OPENEM_OIDC_TIMEOUT_SECONDS: one request to the provider

  bool enabled() const { return !issuer.empty() && !client_id.empty(); }
};

// Sign-in against an LDAP directory or Active Directory (docs/security.md "LDAP"), SciCat's
// variable names (its passport-ldapauth options). Enabled when LDAP_URL is set; then
// /auth/ldap and /auth/msad ask the directory instead of the local accounts.
struct LdapSettings {
  std::string url;                 // LDAP_URL: ldap://host:389 or ldaps://host:636
  std::string bind_dn;             // LDAP_BIND_DN: the service account that searches
  std::string bind_credentials;    // LDAP_BIND_CREDENTIALS
  std::string search_base;         // LDAP_SEARCH_BASE
  std::string search_filter;       // LDAP_SEARCH_FILTER, "{{username}}" replaced (escaped); default by mode
  std::string mode = "ad";         // LDAP_MODE: "ad" (sAMAccountName, as upstream's default) or "ldap" (uid)
  std::string username_attribute;  // LDAP_USERNAME_ATTRIBUTE; default by mode
  std::string group_search_base;   // LDAP_GROUP_SEARCH_BASE: groups by search instead of memberOf
  std::string group_search_filter = "(member={{dn}})";  // LDAP_GROUP_SEARCH_FILTER
  std::string group_name_attribute = "cn";              // LDAP_GROUP_NAME_ATTRIBUTE
  bool start_tls = false;          // LDAP_STARTTLS: StartTLS on an ldap:// connection
  std::string tls_ca_file;         // LDAP_TLS_CA_FILE: the CA to check the server against
  int timeout_seconds = 10;        // LDAP_TIMEOUT_SECONDS: connect and each operation
  // LDAP_RECHECK_SECONDS: how often a directory user's tokens ask whether the directory still
  // has (and has not disabled) the account.
  int recheck_seconds = 60;

  bool enabled() const { return !url.empty(); }
};

struct Config {
  std::filesystem::path data_dir = "openem-data";
  // OPENEM_CATALOG / --catalog: where the catalog lives. "" = SQLite in <data_dir>/catalog.db;
  // "postgresql://user@host/db?..." = a PostgreSQL database shared by several processes.
  std::string catalog_url;
  // OPENEM_BLOBS / --blobs: where dataset files live. "" = <data_dir>/blobs on local disk;
  // "s3://bucket/prefix?endpoint=http://host:port&region=..." = an S3 bucket (credentials from
  // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY); uploads then grow in <data_dir>/staging.
  std::string blobs_url;
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 3000;
  unsigned threads = 0;  // 0: 2 × hardware threads (handlers block on SQLite)

  std::string jwt_secret;         // generated and persisted in the data dir when unset
  long jwt_expires_in = 3600;     // seconds
  std::string pid_prefix;         // PID_PREFIX, trailing '/' stripped
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // MAX_FILE_UPLOAD_SIZE
  int query_budget_ms = 10000;    // OPENEM_QUERY_BUDGET_MS: a catalog read's time budget (503 past it)

  GroupList admin_groups = GroupList::parse("admin");
  GroupList delete_groups = GroupList::parse("admin");
  GroupList create_dataset_groups = GroupList::parse("#all");
  GroupList create_dataset_with_pid_groups;
  GroupList create_dataset_privileged_groups;
  GroupList update_dataset_lifecycle_groups;
  GroupList proposal_groups;
  GroupList sample_groups = GroupList::parse("#all");
  GroupList sample_privileged_groups;
  GroupList policy_groups;
  // Who may read the change history of each collection (GET /api/v3/history), besides the
  // admins: HISTORY_ACCESS_{DATASET,PROPOSAL,SAMPLE,INSTRUMENT,PUBLISHED_DATA,POLICIES,DATABLOCK,
  // ATTACHMENT}_GROUPS, keyed by history subsystem ("Dataset", ...; origdatablocks follow
  // DATABLOCK). Each reader still sees only the records of documents they may read.
  std::map<std::string, GroupList, std::less<>> history_access_groups;
  GroupList attachment_groups = GroupList::parse("#all");
  GroupList attachment_privileged_groups;  // v4 attachments for any ownerGroup
  bool dataset_creation_validation_enabled = false;
  std::string dataset_creation_validation_regex;
  // OPENEM_GLOBAL_FACETS: the dataset facets `global` functional accounts count over every
  // dataset (docs/security.md); other facets and conditions follow the read rule.
  std::vector<std::string> global_facets{"type", "creationLocation", "ownerGroup", "keywords", "isPublished",
                                         "datasetlifecycle.archiveStatusMessage"};
  int policy_retention_shift_years = -1;  // POLICY_RETENTION_SHIFT; -1: none
  int policy_publication_shift_years = 3;
  bool embargo_release = true;            // OPENEM_EMBARGO_RELEASE: open datasets when their embargo ends
  int embargo_check_seconds = 20;         // OPENEM_EMBARGO_CHECK_SECONDS
  // Quotas (docs/security.md): bytes each owner group may register in file lists
  // (OPENEM_GROUP_QUOTAS, "group=size,...", "default" for the others; none: unlimited), and
  // unfinished uploads per user (OPENEM_MAX_OPEN_UPLOADS).
  std::map<std::string, std::int64_t> group_quotas;
  int max_open_uploads = 1000;
  std::string public_url;                 // OPENEM_PUBLIC_URL: this catalog's address for links (default: from Host)
  // PUBLISHER (SciCat's name; OPENEM_SITE_NAME still accepted, PUBLISHER wins): the catalog's
  // name on landing pages, in citations and as DataCite publisher.
  std::string site_name = "openem";
  bool site_name_from_publisher = false;  // PUBLISHER was given: OPENEM_SITE_NAME no longer applies
  std::string default_license = "CC-BY-4.0";  // OPENEM_DEFAULT_LICENSE: given to a dataset opened without one
  // OAI-PMH (docs/publishing.md): the repositoryIdentifier of item identifiers (a domain name;
  // default: OPENEM_PUBLIC_URL's host), Identify's adminEmail (SciCat's OAI provider calls it
  // ADMIN_USER_EMAIL), records per list response.
  std::string oai_repository_id;            // OPENEM_OAI_REPOSITORY_ID
  std::string oai_admin_email;              // OPENEM_OAI_ADMIN_EMAIL, ADMIN_USER_EMAIL
  int oai_page_size = 500;                  // OPENEM_OAI_PAGE_SIZE

  // Published data and DOIs (docs/publishing.md "Published data and DOIs"), SciCat's names.
  std::string doi_prefix;                  // DOI_PREFIX, e.g. "10.5072" (a trailing '/' is dropped)
  bool doi_short_suffix = false;           // DOI_SHORT_SUFFIX: 10 hex characters instead of a UUID
  std::string register_doi_uri;            // REGISTER_DOI_URI: DataCite REST API, ".../dois" (or its root)
  std::string register_metadata_uri;       // REGISTER_METADATA_URI: DataCite MDS API, ".../metadata"
  std::string register_doi_uri_v3;         // REGISTER_DOI_URI_V3: MDS ".../doi"; default: beside the metadata URI
  std::string doi_username, doi_password;  // DOI_USERNAME, DOI_PASSWORD (HTTP Basic)
  std::string site;                        // SITE (a facility code, e.g. "PSI")
  // PUBLIC_URL_PREFIX: a DOI's landing page is this + the percent-encoded DOI; default
  // OPENEM_PUBLIC_URL + "/doi/". When only it is given and ends in "/doi/", it also sets the
  // catalog's public address (one setting for both, as SciCat sites have it).
  std::string public_url_prefix;
  std::string published_data_config_file;  // PUBLISHED_DATA_CONFIG_FILE: {metadataSchema, uiSchema}
  // FRONTEND_CONFIG_FILE / FRONTEND_THEME_FILE: what /api/v3/admin/config and /admin/theme
  // serve to the SciCat frontend; "" = openem's built-in defaults (docs/catalog.md).
  std::string frontend_config_file;
  std::string frontend_theme_file;
  int published_data_max_pids = 1000;       // OPENEM_PUBLISHED_DATA_MAX_PIDS: datasets in one record
  int datacite_timeout_seconds = 30;        // OPENEM_DATACITE_TIMEOUT_SECONDS: one request to DataCite
  int datacite_retry_seconds = 30;          // OPENEM_DATACITE_RETRY_SECONDS: first retry; doubles up to 6 h
  int datacite_poll_seconds = 5;            // OPENEM_DATACITE_POLL_SECONDS: how often the outbox is looked at

  // Webhooks (docs/events.md).
  int webhook_timeout_seconds = 10;         // OPENEM_WEBHOOK_TIMEOUT_SECONDS: one delivery's limit
  int webhook_retry_seconds = 10;           // OPENEM_WEBHOOK_RETRY_SECONDS: first retry; doubles up to 1 h
  int webhook_poll_ms = 1000;               // OPENEM_WEBHOOK_POLL_MS: how often webhooks are looked at

  // Jobs and the archive (docs/archive.md).
  std::string job_configuration_file;       // JOB_CONFIGURATION_FILE; "" = the built-in default
  GroupList create_job_privileged_groups;   // CREATE_JOB_PRIVILEGED_GROUPS
  GroupList update_job_privileged_groups;   // UPDATE_JOB_PRIVILEGED_GROUPS
  GroupList delete_job_groups = GroupList::parse("admin");  // DELETE_JOB_GROUPS
  std::string job_default_status_code = "jobSubmitted";
  std::string job_default_status_message = "Job submitted.";
  bool archive_worker = true;               // OPENEM_ARCHIVE_WORKER: run the worker inside serve
  std::filesystem::path archive_dir;        // OPENEM_ARCHIVE_DIR; "" = <data_dir>/archive
  // OPENEM_ARCHIVE / --archive: the archive tier. "" = the directory archive_dir;
  // "s3://bucket/prefix?endpoint=..." = a bucket (copies under <prefix>/copy-1..3, credentials
  // as for OPENEM_BLOBS); anything else is a directory, as OPENEM_ARCHIVE_DIR.
  std::string archive_url;
  std::string archive_purge = "never";      // OPENEM_ARCHIVE_PURGE: never | always | policy
  int archive_lease_seconds = 300;          // OPENEM_ARCHIVE_LEASE: a silent worker's job is taken over after this
  int archive_poll_ms = 1000;               // OPENEM_ARCHIVE_POLL_MS
  int archive_sweep_seconds = 600;          // OPENEM_ARCHIVE_SWEEP_SECONDS: retention sweep interval
  std::size_t job_params_max_bytes = 1 << 20;  // OPENEM_JOB_PARAMS_MAX_BYTES: jobParams, jobResultObject
  int anonymous_jobs_per_hour = 10;         // OPENEM_ANONYMOUS_JOBS_PER_HOUR: per client and per dataset
  int anonymous_job_ttl_hours = 168;        // OPENEM_ANONYMOUS_JOB_TTL_HOURS: anonymous jobs are then removed
  std::string smtp_host;                    // SMTP_HOST; "" = e-mails are only logged
  int smtp_port = 25;                       // SMTP_PORT
  std::string smtp_from = "openem@localhost";  // SMTP_MESSAGE_FROM
  // RabbitMQ for the `rabbitmq` job action (SciCat's names; docs/archive.md "Job actions").
  bool rabbitmq_enabled = false;               // RABBITMQ_ENABLED=yes
  std::string rabbitmq_hostname = "127.0.0.1";  // RABBITMQ_HOSTNAME
  int rabbitmq_port = 5672;                    // RABBITMQ_PORT
  std::string rabbitmq_username = "guest";     // RABBITMQ_USERNAME
  std::string rabbitmq_password = "guest";     // RABBITMQ_PASSWORD
  std::string rabbitmq_vhost = "/";            // OPENEM_RABBITMQ_VHOST

  // Sign-in (docs/security.md, "HTTP and sign-in"): failed sign-ins allowed per account and
  // per client address within the window before 429, argon2 threads, and how many sign-ins
  // may wait for them before 503.
  int login_max_failures = 10;              // OPENEM_LOGIN_MAX_FAILURES; 0 = no limit
  int login_max_failures_per_address = 30;  // OPENEM_LOGIN_MAX_FAILURES_PER_ADDRESS; 0 = no limit
  int login_window_seconds = 900;           // OPENEM_LOGIN_WINDOW_SECONDS
  unsigned login_workers = 0;               // OPENEM_LOGIN_WORKERS; 0 = half the cores, at least 1
  unsigned login_queue = 0;                 // OPENEM_LOGIN_QUEUE; 0 = half the I/O threads

  OidcSettings oidc;
  LdapSettings ldap;

  std::optional<std::string> admin_password;  // OPENEM_ADMIN_PASSWORD
  std::vector<FunctionalAccount> functional_accounts;
  std::string log_level = "info";

  // Applies `file` (if given) then the environment over the defaults. Throws
  // std::runtime_error with a one-line reason on a malformed file or value.
  static Config load(const std::optional<std::filesystem::path>& file,
                     const std::map<std::string, std::string>& env);
  static std::map<std::string, std::string> environment();
};

std::vector<FunctionalAccount> parse_functional_accounts(const std::string& json_text);

}  // namespace openem
