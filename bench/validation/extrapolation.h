// The extrapolation sweep (DESIGN.md §5): positions 2^k - 1, 2^k, 2^k + 1 for k = 0 ..
// max_exponent, the max pair-normalised error per bucket, and the headline "accurate up to position
// N".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/diagnosis/diagnosis.h"
#include "bench/validation/validation_case.h"
#include "impls/core/candidate.h"
#include "reference/rope_spec.h"
#include "reports/records.h"

namespace ropebench {

// The spec swept unless another is chosen: Llama-2-7B's.
RopeSpec DefaultSpec();

struct ExtrapolationOptions {
  // The spec swept, and its name in the report. Llama-2's pair 0 has theta = 1, so its angle is p.
  std::string label = "llama2-7b";
  RopeSpec spec = DefaultSpec();
  int max_exponent = 31;
  int64_t horizon = (int64_t{1} << 24) + 1;  // a candidate passes when accurate at least this far
};

std::vector<int64_t> ExtrapolationPositions(int max_exponent);

// The sweep as a case: the spec (seq_len resolved), every bucket's positions in order, the shape
// and the input seed.
ValidationCase ExtrapolationCase(DType dtype, const ExtrapolationOptions& options);

ExtrapolationRecord RunExtrapolation(Candidate& candidate, DType dtype,
                                     const ExtrapolationOptions& options);

// Judges a sweep's outputs (the positions of ExtrapolationCase) into `record`, whose tolerance and
// horizon are set: the error per bucket, accurate up to, status and diagnosis. Tokens marked in
// `declined` (the candidate declined their position) are not judged.
void JudgeSweep(const Observation& observation, const ExtrapolationOptions& options,
                ExtrapolationRecord& record, const std::vector<bool>& declined = {});

}  // namespace ropebench
