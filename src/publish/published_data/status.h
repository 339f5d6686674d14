#pragma once
// The life of a published-data record (SciCat's v4 workflow, reference §10.1): private (a draft
// its creator curates) → public (its datasets are public, the DOI reserved) → registered (sent to
// DataCite) → amended (an admin reopened it; a resync sends the change and returns it to
// registered). Who may do what in which state follows upstream's published-data authorization
// model: creators act on their own private records, admins on any record not yet handed to
// DataCite, amend is for admins. Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace openem {

enum class PublishedStatus { Private, Public, Registered, Amended };
enum class PublishedAction { Update, Publish, Register, Amend, Resync, Delete };
enum class PublishedApi { V3, V4 };

std::optional<PublishedStatus> parse_published_status(std::string_view s);
const char* published_status_name(PublishedStatus s);
// The v3 view: registered and amended records are "registered", the others "pending_registration".
const char* v3_status_name(PublishedStatus s);
// Records everyone may read (and whose /doi/ landing page exists).
inline bool is_readable_by_anyone(PublishedStatus s) { return s != PublishedStatus::Private; }

struct PublishedActor {
  bool admin = false;         // ADMIN_GROUPS
  bool creator = false;       // the record's createdBy is the caller
  bool delete_group = false;  // DELETE_GROUPS
};

// Why `actor` may not do `action` on a record in `from`: the HTTP status (403 no right at all,
// 404 someone else's record — it looks missing, 400 the wrong state) and the message.
struct Refusal {
  int status;
  std::string message;
};
std::optional<Refusal> refuse_action(PublishedStatus from, PublishedAction action, const PublishedActor& actor,
                                     PublishedApi api);

// The status after `action` succeeded (Update, Delete and Resync outside amended keep it).
PublishedStatus status_after(PublishedStatus from, PublishedAction action);

}  // namespace openem
