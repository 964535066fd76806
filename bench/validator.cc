#include "bench/validator.h"

#include <algorithm>

#include "bench/case_runner.h"

namespace ropebench {

ValidationResults RunValidation(const ValidationPlan& plan, const ProgressFn& progress) {
  const std::vector<ValidationCase> cases =
      plan.conformance ? ConformanceSuite(plan.filter) : std::vector<ValidationCase>{};
  std::vector<DType> dtypes = plan.filter.dtypes;
  if (dtypes.empty()) dtypes.assign(std::begin(kAllDTypes), std::end(kAllDTypes));
  const size_t sweeps = plan.extrapolation ? dtypes.size() : 0;
  const size_t total = plan.candidates.size() * (cases.size() + sweeps);
  size_t done = 0;

  ValidationResults results;
  for (Candidate* candidate : plan.candidates) {
    for (const ValidationCase& c : cases) {
      results.cases.push_back(RunCase(*candidate, c));
      if (progress) progress(++done, total, results.cases.back().name);
    }
    for (size_t n = 0; n < sweeps; ++n) {
      results.extrapolation.push_back(
          RunExtrapolation(*candidate, dtypes[n], plan.extrapolation_options));
      if (progress) progress(++done, total, "extrapolation");
    }
  }
  return results;
}

bool AllPassed(const ValidationResults& results) {
  auto failed = [](const auto& record) { return record.status == CaseStatus::kFail; };
  return std::none_of(results.cases.begin(), results.cases.end(), failed) &&
         std::none_of(results.extrapolation.begin(), results.extrapolation.end(), failed);
}

}  // namespace ropebench
