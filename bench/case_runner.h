// Runs one candidate on one case and applies every check of DESIGN.md §5 against the float64
// reference.
#pragma once

#include "bench/validation_case.h"
#include "impls/candidate.h"
#include "reports/records.h"

namespace ropebench {

CaseRecord RunCase(Candidate& candidate, const ValidationCase& c);

}  // namespace ropebench
