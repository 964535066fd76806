#include "bench/validation/validator.h"

#include <algorithm>

#include "bench/validation/case_runner.h"
#include "bench/validation/interrupt.h"

namespace ropebench {

ValidationResults RunValidation(const ValidationPlan& plan, const ProgressFn& progress) {
  const std::vector<ValidationCase> cases =
      plan.conformance ? ConformanceSuite(plan.filter) : std::vector<ValidationCase>{};
  std::vector<DType> dtypes = plan.filter.dtypes;
  if (dtypes.empty()) dtypes.assign(std::begin(kAllDTypes), std::end(kAllDTypes));
  const size_t sweeps = plan.extrapolation ? dtypes.size() : 0;
  const size_t total = plan.candidates.size() * (cases.size() + sweeps);
  // Work of a case ~ the elements it rotates; a sweep is small, count it as one preset case.
  auto work = [](const ValidationCase& c) {
    return static_cast<double>(c.tokens() * (c.q_heads + c.kv_heads) * c.spec.head_dim);
  };
  constexpr double kSweepWork = 96.0 * 6 * 128;
  double total_work = 0;
  for (const ValidationCase& c : cases) total_work += work(c);
  total_work = plan.candidates.size() * (total_work + sweeps * kSweepWork);
  size_t done = 0;
  double work_done = 0;

  // On an interrupt the case in flight is dropped, not recorded: a worker process that the same
  // Ctrl-C reached would otherwise read as the candidate crashing.
  ValidationResults results;
  for (Candidate* candidate : plan.candidates) {
    for (const ValidationCase& c : cases) {
      CaseRecord record = RunCase(*candidate, c);
      if (Interrupted()) return results;
      results.cases.push_back(std::move(record));
      work_done += work(c);
      if (progress) progress(++done, total, work_done / total_work, results.cases.back().name);
    }
    for (size_t n = 0; n < sweeps; ++n) {
      ExtrapolationRecord record =
          RunExtrapolation(*candidate, dtypes[n], plan.extrapolation_options);
      if (Interrupted()) return results;
      results.extrapolation.push_back(std::move(record));
      work_done += kSweepWork;
      if (progress) progress(++done, total, work_done / total_work, "extrapolation");
    }
  }
  return results;
}

bool AllPassed(const ValidationResults& results, Acceptance accepted) {
  auto failed = [accepted](const auto& record) { return Failed(record.status, accepted); };
  return std::none_of(results.cases.begin(), results.cases.end(), failed) &&
         std::none_of(results.extrapolation.begin(), results.extrapolation.end(), failed);
}

}  // namespace ropebench
