// The validation suites as data tables (STYLE.md 4): arrays of shapes, positions, layouts and specs,
// crossed in loops.
#pragma once

#include <string>
#include <vector>

#include "bench/validation_case.h"
#include "reference/tensor.h"

namespace ropebench {

struct SuiteFilter {
  std::vector<std::string> presets;  // empty: every preset, plus the edge and scaling groups
  std::vector<DType> dtypes;         // empty: every dtype
};

// Every model preset x dtype x positions x layout; edge shapes (head_dim, rotary_dim, tokens, heads,
// pairing); and a sweep of every scaling method's own parameters.
std::vector<ValidationCase> ConformanceSuite(const SuiteFilter& filter);

}  // namespace ropebench
