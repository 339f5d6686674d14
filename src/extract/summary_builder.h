#pragma once
// SummaryBuilder: reads the aggregates of the files a document describes (EPU movies, the
// autodocs of one acquisition kind, image headers) into one DatasetSummary with fixed
// units, reporting values that disagree between files instead of averaging them, then lets
// the site profile fill what the files do not carry. Stateless function, thread-safe.
#include <string>
#include <vector>

#include "extract/acquisition_choice.h"
#include "extract/dataset_summary.h"
#include "extract/session_reader.h"
#include "extract/site_profile.h"

namespace openem::extract {

// Precedence where sources disagree: mdoc over EPU over image headers (the reference's
// mdoc-over-XML rule); site profile only where all are silent (except that it names EPU
// instrument codes and SerialEM camera indices, and always names the phase-plate type).
DatasetSummary build_summary(const SessionData& data, const AcquisitionChoice& choice, const SiteProfile& site,
                             std::vector<std::string>& warnings, std::vector<Conflict>& conflicts);

}  // namespace openem::extract
