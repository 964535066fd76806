// Mutant candidates, compiled only into the tests: each carries one defect that real
// implementations have shipped (../shared/BUG_CLASSES.md) and names the diagnosis the validator
// must give it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/validation/validation_case.h"
#include "impls/core/candidate.h"
#include "reports/records.h"

namespace ropebench::testing {

struct MutantSpec {
  std::string name;
  int bug_class;                // the row of BUG_CLASSES.md
  DiagnosisCode expected_code;  // the diagnosis every failing case must carry
  std::function<std::unique_ptr<Candidate>()> make;
  // The conformance cases that can expose it (a real suite, filtered).
  std::function<bool(const ValidationCase&)> applies;
};

std::vector<MutantSpec> AllMutants();

}  // namespace ropebench::testing
