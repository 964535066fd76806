#include "bench/validation/extrapolation.h"

#include <algorithm>

#include "bench/diagnosis/diagnosis.h"
#include "bench/validation/case_runner.h"
#include "bench/validation/guarded_tensors.h"
#include "bench/validation/tolerances.h"
#include "fmt/format.h"
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

ValidationCase ExtrapolationCase(DType dtype, const ExtrapolationOptions& options) {
  ValidationCase c;
  c.suite = "extrapolation";
  c.group = "extrapolation";
  c.name = fmt::format("extrapolation/{}/{}", options.label, ToString(dtype));
  c.preset = options.label;
  c.positions = ExtrapolationPositions(options.max_exponent);
  c.spec = ResolveSeqLen(options.spec, c.positions);
  c.dtype = dtype;
  c.q_heads = kQHeads;
  c.kv_heads = kKvHeads;
  c.position_kind = PositionKind::kRandom;
  c.seed = 0x5eed;
  return c;
}

ExtrapolationRecord RunExtrapolation(Candidate& candidate, DType dtype,
                                     const ExtrapolationOptions& options) {
  const ValidationCase c = ExtrapolationCase(dtype, options);
  ExtrapolationRecord record;
  record.candidate = candidate.name();
  record.preset = options.label;
  record.dtype = ToString(dtype);
  record.horizon = options.horizon;
  record.tolerance = PairErrorTolerance(candidate.capabilities().arithmetic, dtype);
  record.skip_reason = UnsupportedReason(candidate.capabilities(), c.spec, dtype, true);
  if (!record.skip_reason.empty()) {
    record.status = CaseStatus::kSkip;
    return record;
  }

  GuardedTensors tensors(Layout::kContiguous, dtype, c.tokens(), c.q_heads, c.kv_heads,
                         c.spec.head_dim);
  tensors.FillRandom(c.seed);
  Observation observation{c.spec, c.positions, dtype, record.tolerance, tensors.WidenAll(), {}};
  candidate.StartFresh();
  CallResult result = candidate.Rotate(c.spec, c.positions, tensors.q(), &tensors.k());
  // Declined as a whole: position by position, so that a candidate that stops accepting at some
  // position (an int32 engine at 2^31) is judged on those it accepts.
  std::vector<bool> declined;
  if (result.status == CallStatus::kUnsupported) {
    const std::string whole = result.message;
    declined.assign(c.positions.size(), false);
    // Until a call fails otherwise than by declining: that failure is the sweep's status.
    for (size_t t = 0; t < c.positions.size() && result.status == CallStatus::kUnsupported; ++t) {
      const TensorView q = tensors.QAt(static_cast<int64_t>(t));
      const TensorView k = tensors.KAt(static_cast<int64_t>(t));
      const CallResult one = candidate.Rotate(c.spec, std::span(c.positions).subspan(t, 1), q, &k);
      declined[t] = one.status == CallStatus::kUnsupported;
      if (one.status != CallStatus::kOk && !declined[t]) result = one;
    }
    if (result.status == CallStatus::kUnsupported) {
      result = std::all_of(declined.begin(), declined.end(), [](bool d) { return d; })
                   ? CallResult(CallStatus::kUnsupported, whole)
                   : CallResult();
    }
  }
  if (result.status != CallStatus::kOk) {
    if (result.status == CallStatus::kUnsupported) {
      record.status = CaseStatus::kSkip;
      record.skip_reason = result.message;
    } else {
      record.status = StatusOfFailedCall(result.status);
      record.diagnosis = Diagnosis{CodeOfFailedCall(record.status), result.message};
    }
    return record;
  }
  observation.outputs = tensors.WidenAll();
  JudgeSweep(observation, options, record, declined);
  // A write outside the tensors explains wrong outputs first (it may have landed in a neighbour).
  const std::string guard = FirstGuardViolation(tensors, result);
  if (!guard.empty()) {
    record.status = CaseStatus::kFail;
    record.diagnosis = Diagnosis{DiagnosisCode::kGuardViolation, guard};
  }
  return record;
}

void JudgeSweep(const Observation& observation, const ExtrapolationOptions& options,
                ExtrapolationRecord& record, const std::vector<bool>& declined) {
  const std::vector<double> token_errors = ReferenceError(observation).token_max_pair_error;
  auto is_declined = [&](size_t token) { return token < declined.size() && declined[token]; };
  record.buckets.clear();
  record.accurate_up_to = -1;
  record.declines_from = -1;
  std::vector<int64_t> accepted;
  size_t token = 0;
  bool prefix_passed = true;
  for (int k = 0; k <= options.max_exponent; ++k) {
    ExtrapolationBucket bucket;
    bucket.exponent = k;
    bucket.positions = BucketPositions(k);
    bucket.declined = true;
    int64_t last_accepted = -1;
    for (size_t n = 0; n < bucket.positions.size(); ++n, ++token) {
      if (is_declined(token)) {
        const int64_t p = bucket.positions[n];
        if (record.declines_from < 0 || p < record.declines_from) record.declines_from = p;
        continue;
      }
      bucket.declined = false;
      last_accepted = bucket.positions[n];
      accepted.push_back(static_cast<int64_t>(token));
      bucket.max_pair_error = std::max(bucket.max_pair_error, token_errors[token]);
    }
    bucket.passed = !bucket.declined && bucket.max_pair_error <= record.tolerance;
    if (!bucket.declined) {
      prefix_passed = prefix_passed && bucket.passed;
      if (prefix_passed) record.accurate_up_to = last_accepted;
    }
    record.buckets.push_back(std::move(bucket));
  }
  record.accurate_everywhere = prefix_passed;
  record.status = record.accurate_up_to >= options.horizon ? CaseStatus::kPass : CaseStatus::kFail;
  if (!prefix_passed) {
    // Explain the failure on the positions the candidate accepted.
    record.diagnosis =
        ExplainOutput(declined.empty() ? observation : SelectTokens(observation, accepted))
            .value_or(Diagnosis{DiagnosisCode::kUnexplained,
                                "no hypothesis explains the error at long positions"});
    // Short of the horizon by angle precision alone: the convention is right.
    if (record.status == CaseStatus::kFail &&
        record.diagnosis->code == DiagnosisCode::kLowPrecisionAngle) {
      record.status = CaseStatus::kPrecision;
    }
  }
}

}  // namespace ropebench
