#include "bench/extrapolation.h"

#include <algorithm>

#include "bench/diagnosis.h"
#include "bench/guarded_tensors.h"
#include "bench/tolerances.h"
#include "reference/metrics.h"
#include "reference/presets.h"
#include "reference/rope_reference.h"

namespace ropebench {
namespace {

constexpr int kQHeads = 4;
constexpr int kKvHeads = 2;

// 2^k and its neighbours; neighbouring buckets may share a position at small k, which is harmless.
std::vector<int64_t> BucketPositions(int k) {
  const int64_t center = int64_t{1} << k;
  return {center - 1, center, center + 1};
}

}  // namespace

std::vector<int64_t> ExtrapolationPositions(int max_exponent) {
  std::vector<int64_t> positions;
  for (int k = 0; k <= max_exponent; ++k) {
    for (int64_t p : BucketPositions(k)) positions.push_back(p);
  }
  return positions;
}

RopeSpec DefaultSpec() { return FindPreset("llama2-7b")->spec; }

ExtrapolationRecord RunExtrapolation(Candidate& candidate, DType dtype,
                                     const ExtrapolationOptions& options) {
  const std::vector<int64_t> positions = ExtrapolationPositions(options.max_exponent);
  const RopeSpec spec = ResolveSeqLen(options.spec, positions);
  ExtrapolationRecord record;
  record.candidate = candidate.name();
  record.preset = options.label;
  record.dtype = ToString(dtype);
  record.horizon = options.horizon;
  record.tolerance = PairErrorTolerance(candidate.capabilities().arithmetic, dtype);
  record.skip_reason = UnsupportedReason(candidate.capabilities(), spec, dtype, true);
  if (!record.skip_reason.empty()) {
    record.status = CaseStatus::kSkip;
    return record;
  }

  GuardedTensors tensors(Layout::kContiguous, dtype, static_cast<int64_t>(positions.size()),
                         kQHeads, kKvHeads, spec.head_dim);
  tensors.FillRandom(0x5eed);
  Observation observation{spec, positions, dtype, record.tolerance, tensors.WidenAll(), {}};
  const CallResult result = candidate.Rotate(spec, positions, tensors.q(), &tensors.k());
  if (result.status != CallStatus::kOk) {
    record.status =
        result.status == CallStatus::kUnsupported ? CaseStatus::kSkip : CaseStatus::kFail;
    record.skip_reason = result.message;
    return record;
  }
  observation.outputs = tensors.WidenAll();

  const std::vector<double> token_errors = ReferenceError(observation).token_max_pair_error;

  size_t token = 0;
  bool prefix_passed = true;
  for (int k = 0; k <= options.max_exponent; ++k) {
    ExtrapolationBucket bucket;
    bucket.exponent = k;
    bucket.positions = BucketPositions(k);
    for (size_t n = 0; n < bucket.positions.size(); ++n, ++token) {
      bucket.max_pair_error = std::max(bucket.max_pair_error, token_errors[token]);
    }
    bucket.passed = bucket.max_pair_error <= record.tolerance;
    prefix_passed = prefix_passed && bucket.passed;
    if (prefix_passed) record.accurate_up_to = bucket.positions.back();
    record.buckets.push_back(std::move(bucket));
  }
  record.accurate_everywhere = prefix_passed;
  record.status = record.accurate_up_to >= options.horizon ? CaseStatus::kPass : CaseStatus::kFail;
  if (!prefix_passed) {
    // Explain the failure on the tokens that failed.
    record.diagnosis =
        ExplainOutput(observation)
            .value_or(
                Diagnosis{"unexplained", "no hypothesis explains the error at long positions"});
  }
  return record;
}

}  // namespace ropebench
