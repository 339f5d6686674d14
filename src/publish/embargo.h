#pragma once
// The embargo: every dataset carries its end, datasetlifecycle.dateOfPublishing (SciCat's
// field; creation + the owner group's policy embargoPeriod, else POLICY_PUBLICATION_SHIFT
// years). When it passes, the dataset opens: isPublished true, a license when it had none,
// lifecycle publishedOn, its file lists and attachments with it, and a history entry — all in
// one transaction per batch, so reads, counts, facets, downloads, landing pages, OAI-PMH and
// the sitemap agree at once. The housekeeper of every `openem serve` runs the release; each
// dataset is re-read inside the transaction, so several processes open it exactly once.
// Functions of a CatalogStore; thread-safe as the store is.
#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "core/time.h"
#include "store/catalog_store.h"

namespace openem {

struct EmbargoOptions {
  std::string default_license = "CC-BY-4.0";  // OPENEM_DEFAULT_LICENSE
  int batch = 500;                              // datasets per transaction
  // Past this, no further batch starts (0: no limit); what remains opens at the next run.
  std::chrono::nanoseconds budget{0};
};

// Opens every dataset whose embargo ended at or before `now` (within the budget). Returns how
// many opened.
int release_due_embargoes(CatalogStore& store, const EmbargoOptions& options, Millis now);

// The embargo end a new dataset gets: creation + years, as SciCat computes it.
std::string embargo_end(Millis created, double years);

// Whether a change of dateOfPublishing from `before` to `after` (ISO strings) by an owner is
// within the policy: earlier is always allowed (to publish sooner), later only up to
// created + max_years. nullopt when allowed, else the reason.
std::optional<std::string> check_embargo_change(const std::string& created, const std::string& before,
                                                const std::string& after, double max_years);

// Appends SciCat's legacy history entry {updatedBy, updatedAt, <field>: {previousValue,
// currentValue}} to a document's `history`.
void record_history(boost::json::object& doc, const std::string& who, const std::string& field,
                    const boost::json::value& before, const boost::json::value& after);

}  // namespace openem
