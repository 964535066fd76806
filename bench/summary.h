// The human summary of a validation: counts per candidate, the failures with their diagnosis, and
// the extrapolation headline per candidate x dtype.
#pragma once

#include <cstdio>

#include "reports/records.h"

namespace ropebench {

void PrintValidationSummary(std::FILE* out, const ValidationResults& results);

// "2^24+1" style for positions near a power of two, plain digits otherwise.
std::string FormatPosition(int64_t position);

}  // namespace ropebench
