#include "core/config.h"

#include <boost/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace openem {
namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool parse_bool(const std::string& key, const std::string& v) {
  std::string l = v;
  std::transform(l.begin(), l.end(), l.begin(), ::tolower);
  if (l == "1" || l == "true" || l == "yes" || l == "on") return true;
  if (l == "0" || l == "false" || l == "no" || l == "off" || l.empty()) return false;
  throw std::runtime_error(key + ": expected a boolean, got '" + v + "'");
}

long parse_long(const std::string& key, const std::string& v) {
  try {
    size_t used = 0;
    long r = std::stol(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return r;
  } catch (const std::exception&) {
    throw std::runtime_error(key + ": expected a whole number, got '" + v + "'");
  }
}

long non_negative(const std::string& key, const std::string& v) {
  long n = parse_long(key, v);
  if (n < 0 || n > 1000000000) throw std::runtime_error(key + ": expected a number from 0 to 1000000000, got '" + v + "'");
  return n;
}

// "16mb", "1gb", "512kb", "1048576" → bytes (the MAX_FILE_UPLOAD_SIZE syntax).
// A domain name as the oai-identifier scheme's repositoryIdentifier wants it: two or more
// labels, each a letter followed by letters, digits and hyphens.
bool is_domain_name(std::string_view v) {
  int labels = 0;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = v.find('.', start);
    std::string_view label = v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || !std::isalpha(static_cast<unsigned char>(label[0]))) return false;
    for (char ch : label)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

std::size_t parse_size(const std::string& key, std::string v) {
  std::transform(v.begin(), v.end(), v.begin(), ::tolower);
  std::size_t mult = 1;
  auto ends = [&](const char* suf) {
    size_t n = std::strlen(suf);
    return v.size() > n && v.compare(v.size() - n, n, suf) == 0;
  };
  if (ends("kb")) mult = 1024, v.resize(v.size() - 2);
  else if (ends("mb")) mult = 1024 * 1024, v.resize(v.size() - 2);
  else if (ends("gb")) mult = 1024ull * 1024 * 1024, v.resize(v.size() - 2);
  else if (ends("tb")) mult = 1024ull * 1024 * 1024 * 1024, v.resize(v.size() - 2);
  else if (ends("b")) v.resize(v.size() - 1);
  return static_cast<std::size_t>(parse_long(key, trim(v))) * mult;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "10.5072", "10.1000.10": the directory indicator and a registrant code of digits and dots.
bool valid_doi_prefix(const std::string& p) {
  if (p.size() < 4 || p.compare(0, 3, "10.") != 0) return false;
  return std::all_of(p.begin() + 3, p.end(), [](char ch) { return (ch >= '0' && ch <= '9') || ch == '.'; }) &&
         p.back() != '.';
}

// Settings that default from others, once all are applied.
void resolve_defaults(Config& c) {
  const std::string doi_dir = "/doi/";
  if (c.public_url.empty() && c.public_url_prefix.size() > doi_dir.size() &&
      c.public_url_prefix.compare(c.public_url_prefix.size() - doi_dir.size(), doi_dir.size(), doi_dir) == 0)
    c.public_url = c.public_url_prefix.substr(0, c.public_url_prefix.size() - doi_dir.size());
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  if (c.oidc.audiences.empty() && !c.oidc.client_id.empty()) c.oidc.audiences = {c.oidc.client_id};
  if (c.ldap.enabled()) {
    if (c.ldap.username_attribute.empty()) c.ldap.username_attribute = c.ldap.mode == "ad" ? "sAMAccountName" : "uid";
    if (c.ldap.search_filter.empty()) c.ldap.search_filter = "(" + c.ldap.username_attribute + "={{username}})";
    if (c.ldap.search_base.empty()) throw std::runtime_error("LDAP_SEARCH_BASE must be set with LDAP_URL");
    if (c.ldap.search_filter.find("{{username}}") == std::string::npos)
      throw std::runtime_error("LDAP_SEARCH_FILTER must contain {{username}}");
  }
  if (c.oidc.enabled() && c.oidc.callback_url.empty()) {
    // The provider sends browsers back to this address, so it cannot be guessed from a request.
    if (c.public_url.empty())
      throw std::runtime_error("OIDC_CALLBACK_URL (or OPENEM_PUBLIC_URL) must be set for sign-in through OIDC_ISSUER");
    c.oidc.callback_url = c.public_url + "/api/v3/auth/oidc/callback";
  }
}

std::vector<std::string> comma_list(std::string_view csv) { return GroupList::parse(csv).groups; }

bool apply_oidc(OidcSettings& o, const std::string& key, const std::string& value) {
  if (key == "OIDC_ISSUER") {
    o.issuer = trim(value);
    while (!o.issuer.empty() && o.issuer.back() == '/') o.issuer.pop_back();
  } else if (key == "OIDC_CLIENT_ID") o.client_id = trim(value);
  else if (key == "OIDC_CLIENT_SECRET") o.client_secret = value;
  else if (key == "OIDC_CALLBACK_URL") o.callback_url = trim(value);
  else if (key == "OIDC_SCOPE") o.scope = trim(value);
  else if (key == "OIDC_SUCCESS_URL") o.success_url = trim(value);
  else if (key == "OIDC_RETURN_URL") o.return_url = trim(value);
  else if (key == "OIDC_ACCESS_GROUPS_PROPERTY" || key == "OIDC_ACCESS_GROUPS" || key == "OIDC_USERINFO_MAPPING_FIELD_GROUP") {
    // The property wins over the older names, whatever order they come in.
    if (key == "OIDC_ACCESS_GROUPS_PROPERTY" || !o.groups_claim_from_property) o.groups_claim = trim(value);
    if (key == "OIDC_ACCESS_GROUPS_PROPERTY") o.groups_claim_from_property = true;
  } else if (key == "OIDC_USERINFO_MAPPING_FIELD_USERNAME") o.username_claims = comma_list(value);
  else if (key == "OIDC_USERINFO_MAPPING_FIELD_DISPLAYNAME") o.display_name_claim = trim(value);
  else if (key == "OIDC_USERINFO_MAPPING_FIELD_EMAIL") o.email_claim = trim(value);
  else if (key == "OIDC_AUTO_LOGOUT") o.auto_logout = parse_bool(key, value);
  else if (key == "LOGOUT_URL") o.logout_url = trim(value);
  else if (key == "OPENEM_OIDC_AUDIENCES") o.audiences = comma_list(value);
  else if (key == "OPENEM_OIDC_BUTTON") o.display_name = trim(value);
  else if (key == "OPENEM_OIDC_TIMEOUT_SECONDS") {
    o.timeout_seconds = static_cast<int>(non_negative(key, value));
    if (o.timeout_seconds < 1) throw std::runtime_error(key + ": expected at least 1 second");
  } else return false;
  return true;
}

bool apply_ldap(LdapSettings& l, const std::string& key, const std::string& value) {
  if (key == "LDAP_URL") l.url = trim(value);
  else if (key == "LDAP_BIND_DN") l.bind_dn = trim(value);
  else if (key == "LDAP_BIND_CREDENTIALS") l.bind_credentials = value;
  else if (key == "LDAP_SEARCH_BASE") l.search_base = trim(value);
  else if (key == "LDAP_SEARCH_FILTER") l.search_filter = trim(value);
  else if (key == "LDAP_MODE") {
    l.mode = trim(value);
    std::transform(l.mode.begin(), l.mode.end(), l.mode.begin(), ::tolower);
    if (l.mode == "openldap") l.mode = "ldap";
    if (l.mode != "ad" && l.mode != "ldap") throw std::runtime_error(key + ": expected ad or ldap");
  } else if (key == "LDAP_USERNAME_ATTRIBUTE") l.username_attribute = trim(value);
  else if (key == "LDAP_GROUP_SEARCH_BASE") l.group_search_base = trim(value);
  else if (key == "LDAP_GROUP_SEARCH_FILTER") l.group_search_filter = trim(value);
  else if (key == "LDAP_GROUP_NAME_ATTRIBUTE") l.group_name_attribute = trim(value);
  else if (key == "LDAP_STARTTLS") l.start_tls = parse_bool(key, value);
  else if (key == "LDAP_TLS_CA_FILE") l.tls_ca_file = trim(value);
  else if (key == "LDAP_RECHECK_SECONDS") {
    l.recheck_seconds = static_cast<int>(non_negative(key, value));
    if (l.recheck_seconds < 1) throw std::runtime_error(key + ": expected at least 1 second");
  } else if (key == "LDAP_TIMEOUT_SECONDS") {
    l.timeout_seconds = static_cast<int>(non_negative(key, value));
    if (l.timeout_seconds < 1) throw std::runtime_error(key + ": expected at least 1 second");
  } else return false;
  return true;
}

// Applies one setting by its SciCat/openem environment name. Returns false if unknown.
bool apply(Config& c, const std::string& key, const std::string& value) {
  if (key == "OPENEM_DATA_DIR") c.data_dir = value;
  else if (key == "OPENEM_CATALOG") c.catalog_url = value;
  else if (key == "OPENEM_BLOBS") c.blobs_url = value;
  else if (key == "OPENEM_LISTEN") {
    auto colon = value.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("OPENEM_LISTEN: expected HOST:PORT");
    c.listen_host = value.substr(0, colon);
    c.listen_port = static_cast<unsigned short>(parse_long(key, value.substr(colon + 1)));
  } else if (key == "OPENEM_THREADS") c.threads = static_cast<unsigned>(parse_long(key, value));
  else if (key == "OPENEM_ADMIN_PASSWORD") c.admin_password = value;
  else if (key == "OPENEM_LOG_LEVEL") c.log_level = value;
  else if (key == "JWT_SECRET") c.jwt_secret = value;
  else if (key == "JWT_EXPIRES_IN") c.jwt_expires_in = parse_long(key, value);
  else if (key == "PID_PREFIX") {
    c.pid_prefix = value;
    while (!c.pid_prefix.empty() && c.pid_prefix.back() == '/') c.pid_prefix.pop_back();
  } else if (key == "MAX_FILE_UPLOAD_SIZE") c.max_body_bytes = parse_size(key, value);
  else if (key == "ADMIN_GROUPS") c.admin_groups = GroupList::parse(value);
  else if (key == "DELETE_GROUPS") c.delete_groups = GroupList::parse(value);
  else if (key == "CREATE_DATASET_GROUPS") c.create_dataset_groups = GroupList::parse(value);
  else if (key == "CREATE_DATASET_WITH_PID_GROUPS") c.create_dataset_with_pid_groups = GroupList::parse(value);
  else if (key == "CREATE_DATASET_PRIVILEGED_GROUPS") c.create_dataset_privileged_groups = GroupList::parse(value);
  else if (key == "UPDATE_DATASET_LIFECYCLE_GROUPS") c.update_dataset_lifecycle_groups = GroupList::parse(value);
  else if (key == "PROPOSAL_GROUPS") c.proposal_groups = GroupList::parse(value);
  else if (key == "SAMPLE_GROUPS") c.sample_groups = GroupList::parse(value);
  else if (key == "SAMPLE_PRIVILEGED_GROUPS") c.sample_privileged_groups = GroupList::parse(value);
  else if (key == "POLICY_GROUPS") c.policy_groups = GroupList::parse(value);
  else if (key == "HISTORY_ACCESS_DATASET_GROUPS") c.history_access_groups["Dataset"] = GroupList::parse(value);
  else if (key == "HISTORY_ACCESS_PROPOSAL_GROUPS") c.history_access_groups["Proposal"] = GroupList::parse(value);
  else if (key == "HISTORY_ACCESS_SAMPLE_GROUPS") c.history_access_groups["Sample"] = GroupList::parse(value);
  else if (key == "HISTORY_ACCESS_INSTRUMENT_GROUPS") c.history_access_groups["Instrument"] = GroupList::parse(value);
  else if (key == "HISTORY_ACCESS_PUBLISHED_DATA_GROUPS") c.history_access_groups["PublishedData"] = GroupList::parse(value);
  else if (key == "HISTORY_ACCESS_POLICIES_GROUPS") c.history_access_groups["Policy"] = GroupList::parse(value);
  else if (key == "HISTORY_ACCESS_LOGBOOK_GROUPS") c.history_access_groups["LogbookEntry"] = GroupList::parse(value);
  else if (key == "HISTORY_ACCESS_DATABLOCK_GROUPS") {
    c.history_access_groups["Datablock"] = GroupList::parse(value);
    c.history_access_groups["OrigDatablock"] = GroupList::parse(value);
  } else if (key == "HISTORY_ACCESS_ATTACHMENT_GROUPS") c.history_access_groups["Attachment"] = GroupList::parse(value);
  else if (key == "ATTACHMENT_GROUPS") c.attachment_groups = GroupList::parse(value);
  else if (key == "ATTACHMENT_PRIVILEGED_GROUPS") c.attachment_privileged_groups = GroupList::parse(value);
  else if (key == "DATASET_CREATION_VALIDATION_ENABLED") c.dataset_creation_validation_enabled = parse_bool(key, value);
  else if (key == "DATASET_CREATION_VALIDATION_REGEX") c.dataset_creation_validation_regex = value;
  else if (key == "POLICY_RETENTION_SHIFT") c.policy_retention_shift_years = static_cast<int>(parse_long(key, value));
  else if (key == "POLICY_PUBLICATION_SHIFT") c.policy_publication_shift_years = static_cast<int>(parse_long(key, value));
  else if (key == "JOB_CONFIGURATION_FILE") c.job_configuration_file = value;
  else if (key == "CREATE_JOB_PRIVILEGED_GROUPS") c.create_job_privileged_groups = GroupList::parse(value);
  else if (key == "UPDATE_JOB_PRIVILEGED_GROUPS") c.update_job_privileged_groups = GroupList::parse(value);
  else if (key == "DELETE_JOB_GROUPS") c.delete_job_groups = GroupList::parse(value);
  else if (key == "JOB_DEFAULT_STATUS_CODE") c.job_default_status_code = value;
  else if (key == "JOB_DEFAULT_STATUS_MESSAGE") c.job_default_status_message = value;
  else if (key == "OPENEM_ARCHIVE_WORKER") c.archive_worker = parse_bool(key, value);
  else if (key == "OPENEM_ARCHIVE_DIR") c.archive_dir = value;
  else if (key == "OPENEM_ARCHIVE") c.archive_url = value;
  else if (key == "OPENEM_ARCHIVE_PURGE") {
    if (value != "never" && value != "always" && value != "policy")
      throw std::runtime_error(key + ": expected never, always or policy, got '" + value + "'");
    c.archive_purge = value;
  } else if (key == "OPENEM_ARCHIVE_LEASE") c.archive_lease_seconds = static_cast<int>(parse_long(key, value));
  else if (key == "OPENEM_ARCHIVE_POLL_MS") c.archive_poll_ms = static_cast<int>(parse_long(key, value));
  else if (key == "OPENEM_EMBARGO_RELEASE") c.embargo_release = parse_bool(key, value);
  else if (key == "OPENEM_EMBARGO_CHECK_SECONDS") c.embargo_check_seconds = static_cast<int>(parse_long(key, value));
  else if (key == "OPENEM_DEFAULT_LICENSE") c.default_license = value;
  else if (key == "OPENEM_PUBLIC_URL") c.public_url = value;
  else if (key == "OPENEM_MAX_OPEN_UPLOADS") c.max_open_uploads = static_cast<int>(parse_long(key, value));
  else if (key == "OPENEM_GROUP_QUOTAS") {
    // "group1=10tb,default=1tb": bytes a group may register in file lists.
    c.group_quotas.clear();
    for (const auto& item : GroupList::parse(value).groups) {
      auto eq = item.find('=');
      if (eq == std::string::npos) throw std::runtime_error(key + ": expected group=size, got '" + item + "'");
      c.group_quotas[trim(item.substr(0, eq))] = static_cast<std::int64_t>(parse_size(key, trim(item.substr(eq + 1))));
    }
  }
  else if (key == "OPENEM_SITE_NAME") {
    if (!c.site_name_from_publisher) c.site_name = value;
  } else if (key == "PUBLISHER") {
    c.site_name = value;
    c.site_name_from_publisher = true;
  } else if (key == "SITE") c.site = value;
  else if (key == "DOI_PREFIX") {
    c.doi_prefix = trim(value);
    while (!c.doi_prefix.empty() && c.doi_prefix.back() == '/') c.doi_prefix.pop_back();
    if (!valid_doi_prefix(c.doi_prefix))
      throw std::runtime_error(key + ": expected a DOI prefix such as 10.5072, got '" + value + "'");
  } else if (key == "DOI_SHORT_SUFFIX") c.doi_short_suffix = parse_bool(key, value);
  else if (key == "REGISTER_DOI_URI") c.register_doi_uri = trim(value);
  else if (key == "REGISTER_METADATA_URI") c.register_metadata_uri = trim(value);
  else if (key == "REGISTER_DOI_URI_V3") c.register_doi_uri_v3 = trim(value);
  else if (key == "DOI_USERNAME") c.doi_username = value;
  else if (key == "DOI_PASSWORD") c.doi_password = value;
  else if (key == "PUBLIC_URL_PREFIX") c.public_url_prefix = trim(value);
  else if (key == "PUBLISHED_DATA_CONFIG_FILE") c.published_data_config_file = value;
  else if (key == "FRONTEND_CONFIG_FILE") c.frontend_config_file = value;
  else if (key == "FRONTEND_THEME_FILE") c.frontend_theme_file = value;
  else if (key == "OPENEM_PUBLISHED_DATA_MAX_PIDS") {
    c.published_data_max_pids = static_cast<int>(non_negative(key, value));
    if (c.published_data_max_pids < 1) throw std::runtime_error(key + ": expected at least 1");
  } else if (key == "OPENEM_DATACITE_TIMEOUT_SECONDS")
    c.datacite_timeout_seconds = std::max(1, static_cast<int>(non_negative(key, value)));
  else if (key == "OPENEM_DATACITE_RETRY_SECONDS")
    c.datacite_retry_seconds = std::max(1, static_cast<int>(non_negative(key, value)));
  else if (key == "OPENEM_DATACITE_POLL_SECONDS")
    c.datacite_poll_seconds = std::max(1, static_cast<int>(non_negative(key, value)));
  else if (key == "RABBITMQ_ENABLED") c.rabbitmq_enabled = trim(value) == "yes";
  else if (key == "RABBITMQ_HOSTNAME") c.rabbitmq_hostname = trim(value);
  else if (key == "RABBITMQ_PORT") {
    c.rabbitmq_port = static_cast<int>(non_negative(key, value));
    if (c.rabbitmq_port < 1 || c.rabbitmq_port > 65535) throw std::runtime_error(key + ": expected a port, 1 to 65535");
  } else if (key == "RABBITMQ_USERNAME") c.rabbitmq_username = value;
  else if (key == "RABBITMQ_PASSWORD") c.rabbitmq_password = value;
  else if (key == "OPENEM_RABBITMQ_VHOST") c.rabbitmq_vhost = value;
  else if (key == "OPENEM_WEBHOOK_TIMEOUT_SECONDS")
    c.webhook_timeout_seconds = std::max(1, static_cast<int>(non_negative(key, value)));
  else if (key == "OPENEM_WEBHOOK_RETRY_SECONDS")
    c.webhook_retry_seconds = std::max(1, static_cast<int>(non_negative(key, value)));
  else if (key == "OPENEM_WEBHOOK_POLL_MS")
    c.webhook_poll_ms = std::max(50, static_cast<int>(non_negative(key, value)));
  else if (key == "OPENEM_OAI_REPOSITORY_ID") {
    // The oai-identifier scheme's repositoryIdentifier: a domain name.
    if (!is_domain_name(value))
      throw std::runtime_error(key + ": expected a domain name such as data.facility.org, got '" + value + "'");
    c.oai_repository_id = value;
  }
  else if (key == "OPENEM_OAI_ADMIN_EMAIL" || key == "ADMIN_USER_EMAIL") {
    auto at = value.find('@');
    if (at == std::string::npos || at == 0 || value.find('.', at) == std::string::npos ||
        value.find_first_of(" \t\r\n") != std::string::npos)
      throw std::runtime_error(key + ": expected an e-mail address, got '" + value + "'");
    c.oai_admin_email = value;
  } else if (key == "OPENEM_OAI_PAGE_SIZE") {
    c.oai_page_size = static_cast<int>(parse_long(key, value));
    if (c.oai_page_size < 1 || c.oai_page_size > 10000) throw std::runtime_error(key + ": expected 1 to 10000");
  }
  else if (key == "OPENEM_QUERY_BUDGET_MS") c.query_budget_ms = static_cast<int>(parse_long(key, value));
  else if (key == "OPENEM_GLOBAL_FACETS") c.global_facets = GroupList::parse(value).groups;
  else if (key == "OPENEM_JOB_PARAMS_MAX_BYTES") c.job_params_max_bytes = static_cast<std::size_t>(parse_long(key, value));
  else if (key == "OPENEM_ANONYMOUS_JOBS_PER_HOUR") c.anonymous_jobs_per_hour = static_cast<int>(parse_long(key, value));
  else if (key == "OPENEM_ANONYMOUS_JOB_TTL_HOURS") c.anonymous_job_ttl_hours = static_cast<int>(parse_long(key, value));
  else if (key == "OPENEM_ARCHIVE_SWEEP_SECONDS") c.archive_sweep_seconds = static_cast<int>(parse_long(key, value));
  else if (key == "OPENEM_LOGIN_MAX_FAILURES") c.login_max_failures = static_cast<int>(non_negative(key, value));
  else if (key == "OPENEM_LOGIN_MAX_FAILURES_PER_ADDRESS")
    c.login_max_failures_per_address = static_cast<int>(non_negative(key, value));
  else if (key == "OPENEM_LOGIN_WINDOW_SECONDS") {
    c.login_window_seconds = static_cast<int>(non_negative(key, value));
    if (c.login_window_seconds < 1) throw std::runtime_error(key + ": expected at least 1 second");
  } else if (key == "OPENEM_LOGIN_WORKERS") c.login_workers = static_cast<unsigned>(non_negative(key, value));
  else if (key == "OPENEM_LOGIN_QUEUE") c.login_queue = static_cast<unsigned>(non_negative(key, value));
  else if (apply_oidc(c.oidc, key, value)) return true;
  else if (apply_ldap(c.ldap, key, value)) return true;
  else if (key == "SMTP_HOST") c.smtp_host = value;
  else if (key == "SMTP_PORT") c.smtp_port = static_cast<int>(parse_long(key, value));
  else if (key == "SMTP_MESSAGE_FROM") c.smtp_from = value;
  else if (key == "FUNCTIONAL_ACCOUNTS_FILE") {
    c.functional_accounts = parse_functional_accounts(read_file(value));
  } else return false;
  return true;
}

}  // namespace

GroupList GroupList::parse(std::string_view csv) {
  GroupList out;
  size_t pos = 0;
  while (pos <= csv.size()) {
    size_t comma = csv.find(',', pos);
    if (comma == std::string_view::npos) comma = csv.size();
    std::string g = trim(csv.substr(pos, comma - pos));
    if (g == "#all") out.all = true;
    else if (!g.empty()) out.groups.push_back(g);
    pos = comma + 1;
  }
  return out;
}

bool GroupList::matches(const std::vector<std::string>& user_groups, bool authenticated) const {
  if (all && authenticated) return true;
  for (const auto& g : groups)
    if (std::find(user_groups.begin(), user_groups.end(), g) != user_groups.end()) return true;
  return false;
}

std::vector<FunctionalAccount> parse_functional_accounts(const std::string& json_text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json_text, ec);
  if (ec || !v.is_array()) throw std::runtime_error("FUNCTIONAL_ACCOUNTS_FILE: expected a JSON array of accounts");
  std::vector<FunctionalAccount> out;
  for (const auto& item : v.as_array()) {
    if (!item.is_object()) throw std::runtime_error("FUNCTIONAL_ACCOUNTS_FILE: each account must be an object");
    const auto& o = item.as_object();
    FunctionalAccount a;
    auto str = [&](const char* k) -> std::string {
      auto* p = o.if_contains(k);
      return p && p->is_string() ? std::string(p->as_string()) : std::string();
    };
    a.username = str("username");
    a.email = str("email");
    a.password = str("password");
    if (a.username.empty() || a.password.empty())
      throw std::runtime_error("FUNCTIONAL_ACCOUNTS_FILE: every account needs username and password");
    if (auto* r = o.if_contains("role")) {
      if (r->is_string()) a.roles.emplace_back(r->as_string());
      else if (r->is_array())
        for (const auto& x : r->as_array())
          if (x.is_string()) a.roles.emplace_back(x.as_string());
    }
    if (auto* g = o.if_contains("global"); g && g->is_bool()) a.global = g->as_bool();
    out.push_back(std::move(a));
  }
  return out;
}

std::map<std::string, std::string> Config::environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

Config Config::load(const std::optional<std::filesystem::path>& file,
                    const std::map<std::string, std::string>& env) {
  Config c;
  if (file) {
    toml::table t;
    try {
      t = toml::parse_file(file->string());
    } catch (const toml::parse_error& e) {
      std::ostringstream msg;
      msg << file->string() << ":" << e.source().begin.line << ": " << e.description();
      throw std::runtime_error(msg.str());
    }
    // TOML keys are the environment names in lower case, e.g. admin_groups = "admin,ingestor".
    for (const auto& [k, node] : t) {
      std::string key(k.str());
      std::transform(key.begin(), key.end(), key.begin(), ::toupper);
      std::string value;
      if (auto s = node.value<std::string>()) value = *s;
      else if (auto i = node.value<int64_t>()) value = std::to_string(*i);
      else if (auto b = node.value<bool>()) value = *b ? "true" : "false";
      else if (auto* arr = node.as_array()) {
        for (const auto& el : *arr)
          if (auto s2 = el.value<std::string>()) value += (value.empty() ? "" : ",") + *s2;
      } else throw std::runtime_error(file->string() + ": unsupported value for '" + std::string(k.str()) + "'");
      if (!apply(c, key, value) && !apply(c, "OPENEM_" + key, value))
        throw std::runtime_error(file->string() + ": unknown setting '" + std::string(k.str()) + "'");
    }
  }
  for (const auto& [k, v] : env) apply(c, k, v);  // unknown environment variables are not ours
  resolve_defaults(c);
  return c;
}

}  // namespace openem
