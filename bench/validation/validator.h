// Runs the chosen suites over the chosen candidates and collects every record.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "bench/validation/extrapolation.h"
#include "bench/validation/suites.h"
#include "impls/core/candidate.h"
#include "reports/records.h"

namespace ropebench {

struct ValidationPlan {
  std::vector<Candidate*> candidates;
  bool conformance = true;
  bool extrapolation = true;
  SuiteFilter filter;
  ExtrapolationOptions extrapolation_options;
};

// Called after each case: cases done, cases in all, the fraction of the work done (cases weighted
// by their size, so that the time left can be estimated), and what was just done.
using ProgressFn =
    std::function<void(size_t done, size_t total, double work_fraction, std::string_view what)>;

ValidationResults RunValidation(const ValidationPlan& plan, const ProgressFn& progress);

// Exit status of a validation: true when no case and no sweep failed.
bool AllPassed(const ValidationResults& results, Acceptance accepted = {});

}  // namespace ropebench
