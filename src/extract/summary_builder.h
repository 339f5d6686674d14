#pragma once
// SummaryBuilder: reads the per-source aggregates of a session (EPU, SerialEM/Tomo5 mdoc,
// image headers) into one DatasetSummary with fixed units, then lets the site profile fill
// what the files do not carry. Stateless function, thread-safe.
#include <string>
#include <vector>

#include "extract/dataset_summary.h"
#include "extract/session_reader.h"
#include "extract/site_profile.h"

namespace openem::extract {

// Precedence where sources disagree: mdoc over EPU over image headers (the reference's
// mdoc-over-XML rule); site profile only where all are silent (except that it names EPU
// instrument codes and SerialEM camera indices).
DatasetSummary build_summary(const SessionData& data, const SiteProfile& site, std::vector<std::string>& warnings);

}  // namespace openem::extract
