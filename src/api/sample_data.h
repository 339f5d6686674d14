#pragma once
// A small sample catalog for the quick start and demos: a proposal, two instruments, a dozen
// EM datasets with OSC-EM-shaped scientific metadata (some public), and their file lists.
// Seeds only an empty catalog, so restarts never duplicate it.
#include "api/app.h"

namespace openem {

// Returns the number of datasets created (0 when the catalog already had datasets).
int seed_sample_catalog(App& app);

}  // namespace openem
