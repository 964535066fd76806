// Runs one candidate on one case and applies every check of DESIGN.md §5 against the float64
// reference; or judges an output a candidate produced elsewhere (the vectors protocol).
#pragma once

#include <string_view>
#include <vector>

#include "bench/validation/guarded_tensors.h"
#include "bench/validation/validation_case.h"
#include "impls/core/candidate.h"
#include "reports/records.h"

namespace ropebench {

CaseRecord RunCase(Candidate& candidate, const ValidationCase& c);

// The record of a case before anything is judged: who, which case, the spec as called.
CaseRecord NewRecord(std::string_view candidate, const ValidationCase& c, const RopeSpec& spec);

// A case whose candidate ran out of sight: `tensors` hold its outputs, `input_bytes` and `inputs`
// what it was given. Judged by every check that needs no further call (error, identity at 0, norm
// ratio, pass-through), with the diagnosis when one fails.
CaseRecord JudgeRecordedOutput(std::string_view candidate, const ValidationCase& c,
                               double tolerance, GuardedTensors& tensors,
                               const GuardedTensors::Bytes& input_bytes,
                               const std::vector<DenseTensor>& inputs);

// Where a call wrote outside its tensors: a canary of `tensors` overwritten, or (for a call
// isolated from this memory) what the call reported as its stray write; empty when neither.
std::string FirstGuardViolation(const GuardedTensors& tensors, const CallResult& result);

// How a call that returned no output is recorded: crash, timeout or error.
CaseStatus StatusOfFailedCall(CallStatus status);

}  // namespace ropebench
