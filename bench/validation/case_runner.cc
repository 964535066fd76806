#include "bench/validation/case_runner.h"

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "bench/diagnosis/diagnosis.h"
#include "bench/validation/guarded_tensors.h"
#include "bench/validation/repeat_checks.h"
#include "bench/validation/tolerances.h"
#include "fmt/format.h"
#include "reference/frequencies.h"
#include "reference/metrics.h"
#include "reference/rope_reference.h"

namespace ropebench {
namespace {

// Every case allocates and frees guarded tensors, copies and reference outputs of up to tens of
// MiB. glibc hands large freed blocks back to the OS and the next case faults fresh pages in again:
// a third of a suite's time went to the kernel here. Freed memory below 32 MiB (glibc's largest
// mmap threshold) stays in the process instead; the benchmarks' GiB buffers are still mapped apart.
[[maybe_unused]] const bool kKeepFreedMemory = [] {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return true;
}();

class Checks {
 public:
  void Add(Check check, bool passed, std::string detail) {
    outcomes_.push_back({check, passed, std::move(detail)});
  }
  void Add(CheckOutcome outcome) { outcomes_.push_back(std::move(outcome)); }
  bool AllPassed() const {
    return std::all_of(outcomes_.begin(), outcomes_.end(), [](auto& o) { return o.passed; });
  }
  std::vector<CheckOutcome> Take() { return std::move(outcomes_); }
  const std::vector<CheckOutcome>& outcomes() const { return outcomes_; }

 private:
  std::vector<CheckOutcome> outcomes_;
};

// max over pairs of | |out| / |in| - A | / (A u).
double NormRatioDeviation(const std::vector<DenseTensor>& inputs,
                          const std::vector<DenseTensor>& outputs, const RopeSpec& spec,
                          double attention, double unit_roundoff) {
  double worst = 0;
  for (size_t n = 0; n < inputs.size(); ++n) {
    const DenseTensor& x = inputs[n];
    const DenseTensor& y = outputs[n];
    for (int64_t t = 0; t < x.tokens; ++t) {
      for (int64_t h = 0; h < x.heads; ++h) {
        for (int i = 0; i < spec.rotary_dim / 2; ++i) {
          const PairIndex p = PairElements(spec.pairing, spec.rotary_dim, i);
          const double ratio = PairNorm(y.at(t, h, p.first), y.at(t, h, p.second)) /
                               PairNorm(x.at(t, h, p.first), x.at(t, h, p.second));
          const double deviation = std::fabs(ratio - attention) / (attention * unit_roundoff);
          worst = std::isnan(deviation) ? INFINITY : std::max(worst, deviation);
        }
      }
    }
  }
  return worst;
}

}  // namespace

CaseRecord NewRecord(std::string_view candidate, const ValidationCase& c, const RopeSpec& spec) {
  CaseRecord record;
  record.candidate = candidate;
  record.suite = c.suite;
  record.group = c.group;
  record.name = c.name;
  record.preset = c.preset;
  record.spec = spec;
  record.dtype = ToString(c.dtype);
  record.tokens = c.tokens();
  record.q_heads = c.q_heads;
  record.kv_heads = c.kv_heads;
  record.layout = ToString(c.layout);
  record.positions = ToString(c.position_kind);
  return record;
}

namespace {

// The checks that judge one output without calling the candidate again: error against the
// reference, identity at position 0, the norm ratio and bit-identical pass-through dims.
CaseMetrics JudgeOutput(const Observation& observation, const GuardedTensors& tensors,
                        const GuardedTensors::Bytes& input_bytes, Checks& checks) {
  const RopeSpec& spec = observation.spec;
  const std::vector<int64_t>& positions = observation.positions;
  const double tolerance = observation.tolerance;
  const ErrorMetrics m = ReferenceError(observation);
  checks.Add(Check::kError, m.max_pair_error <= tolerance,
             fmt::format("max pair error {:.3g}u (tolerance {}u) at token {} head {} pair {}",
                         m.max_pair_error, tolerance, m.worst_token, m.worst_head, m.worst_pair));

  // identity at position 0: the output is the input times the attention factor.
  double worst_at_zero = -1;
  for (size_t t = 0; t < positions.size(); ++t) {
    if (positions[t] == 0) worst_at_zero = std::max(worst_at_zero, m.token_max_pair_error[t]);
  }
  if (worst_at_zero >= 0) {
    checks.Add(Check::kIdentityAtZero, worst_at_zero <= tolerance,
               fmt::format("max pair error at position 0: {:.3g}u", worst_at_zero));
  }

  const double attention = AttentionFactor(spec);
  const double norm_deviation = NormRatioDeviation(observation.inputs, observation.outputs, spec,
                                                   attention, UnitRoundoff(observation.dtype));
  checks.Add(
      Check::kNormRatio, norm_deviation <= 1.5 * tolerance,
      fmt::format("pair norm ratio deviates from the attention factor {:.6g} by up to {:.3g}u",
                  attention, norm_deviation));

  if (spec.rotary_dim < spec.head_dim) {
    const std::string changed = tensors.FirstPassThroughChange(input_bytes, spec.rotary_dim);
    checks.Add(Check::kPassthrough, changed.empty(),
               changed.empty() ? "elements past rotary_dim bit-identical" : changed);
  }
  return CaseMetrics{m.max_abs,
                     m.rms,
                     m.nmse,
                     m.max_pair_error,
                     tolerance,
                     m.worst_token,
                     m.worst_token >= 0 ? positions[m.worst_token] : -1,
                     m.worst_head,
                     m.worst_pair,
                     FirstFailingPosition(observation, m.token_max_pair_error)};
}

// pass; crash, timeout or error when a repeated call failed; precision when the diagnosis finds
// the right convention held back by angle precision alone; else fail.
void Conclude(CaseRecord& record, const Observation& observation, Checks& checks) {
  record.status = CaseStatus::kPass;
  // When the only failures are repeated calls that returned nothing, the case ends as the first
  // of them did: the diagnosis would read a defect into outputs that may be right. Any other
  // failed check is judged as usual.
  const CheckOutcome* failed_call = nullptr;
  bool other_failure = false;
  for (const CheckOutcome& outcome : checks.outcomes()) {
    if (outcome.passed) continue;
    if (!outcome.failed_call) other_failure = true;
    if (outcome.failed_call && failed_call == nullptr) failed_call = &outcome;
  }
  if (failed_call != nullptr && !other_failure) {
    record.status = *failed_call->failed_call;
    record.diagnosis = Diagnosis{CodeOfFailedCall(record.status), failed_call->detail};
    record.checks = checks.Take();
    return;
  }
  if (!checks.AllPassed()) {
    record.diagnosis = Diagnose(observation, checks.outcomes());
    record.status = record.diagnosis->code == DiagnosisCode::kLowPrecisionAngle
                        ? CaseStatus::kPrecision
                        : CaseStatus::kFail;
  }
  record.checks = checks.Take();
}

}  // namespace

std::string FirstGuardViolation(const GuardedTensors& tensors, const CallResult& result) {
  std::string guard = tensors.FirstGuardViolation();
  if (guard.empty() && !result.stray_write.empty()) guard = "the call " + result.stray_write;
  return guard;
}

CaseStatus StatusOfFailedCall(CallStatus status) {
  switch (status) {
    case CallStatus::kCrash:
      return CaseStatus::kCrash;
    case CallStatus::kTimeout:
      return CaseStatus::kTimeout;
    default:
      return CaseStatus::kError;
  }
}

CaseRecord RunCase(Candidate& candidate, const ValidationCase& c) {
  const RopeSpec spec = ResolveSeqLen(c.spec, c.positions);
  CaseRecord record = NewRecord(candidate.name(), c, spec);
  const Capabilities& capabilities = candidate.capabilities();
  record.skip_reason =
      UnsupportedReason(capabilities, spec, c.dtype, c.layout == Layout::kContiguous);
  if (!record.skip_reason.empty()) {
    record.status = CaseStatus::kSkip;
    return record;
  }

  GuardedTensors tensors(c.layout, c.dtype, c.tokens(), c.q_heads, c.kv_heads, spec.head_dim);
  tensors.FillRandom(c.seed);
  const GuardedTensors::Bytes input_bytes = tensors.Snapshot();
  Observation observation{spec,
                          c.positions,
                          c.dtype,
                          PairErrorTolerance(capabilities.arithmetic, c.dtype),
                          tensors.WidenAll(),
                          {}};

  // The diagnosis's probe: the same spec and heads at other positions, packed, fresh inputs.
  observation.rerun = [&candidate, &c, spec](const std::vector<int64_t>& positions) {
    std::optional<Observation> probe;
    GuardedTensors more(Layout::kContiguous, c.dtype, static_cast<int64_t>(positions.size()),
                        c.q_heads, c.kv_heads, spec.head_dim);
    more.FillRandom(c.seed + 1);
    std::vector<DenseTensor> inputs = more.WidenAll();
    const TensorView k = more.k();
    if (candidate.Rotate(spec, positions, more.q(), &k).status == CallStatus::kOk) {
      probe = Observation{spec, positions, c.dtype, 0, std::move(inputs), more.WidenAll(), {}};
    }
    return probe;
  };
  candidate.StartFresh();  // nothing an earlier case left behind
  Checks checks;
  std::string changed_inputs;
  const CallResult result =
      CallWithCopies(candidate, spec, c.positions, tensors.q(), tensors.k(), &changed_inputs);
  if (result.status == CallStatus::kUnsupported) {
    record.status = CaseStatus::kSkip;
    record.skip_reason = result.message;
    return record;
  }
  if (result.status != CallStatus::kOk) {
    // The call produced nothing to judge: the case's status says how it ended (crash, timeout,
    // error) and the check carries the detail.
    record.status = StatusOfFailedCall(result.status);
    checks.Add(Check::kCall, false, result.message);
    record.checks = checks.Take();
    record.diagnosis = Diagnosis{CodeOfFailedCall(record.status), result.message};
    return record;
  }
  const GuardedTensors::Bytes output_bytes = tensors.Snapshot();
  observation.outputs = tensors.WidenAll();
  record.metrics = JudgeOutput(observation, tensors, input_bytes, checks);

  const std::string guard = FirstGuardViolation(tensors, result);
  checks.Add(Check::kGuards, guard.empty(), guard.empty() ? "every canary intact" : guard);
  checks.Add(Check::kInputsUntouched, changed_inputs.empty(),
             changed_inputs.empty() ? "positions and spec unchanged" : changed_inputs);

  const FirstCall first{
      candidate, spec, tensors, input_bytes, output_bytes, observation, AttentionFactor(spec)};
  checks.Add(CheckDeterminism(first));
  if (auto outcome = CheckPrefillDecode(first)) checks.Add(*outcome);
  checks.Add(CheckRelativePosition(first));
  if (auto outcome = CheckHistory(first)) checks.Add(*outcome);
  Conclude(record, observation, checks);
  return record;
}

CaseRecord JudgeRecordedOutput(std::string_view candidate, const ValidationCase& c,
                               double tolerance, GuardedTensors& tensors,
                               const GuardedTensors::Bytes& input_bytes,
                               const std::vector<DenseTensor>& inputs) {
  const RopeSpec spec = ResolveSeqLen(c.spec, c.positions);
  CaseRecord record = NewRecord(candidate, c, spec);
  Observation observation{spec, c.positions, c.dtype, tolerance, inputs, tensors.WidenAll()};
  Checks checks;
  record.metrics = JudgeOutput(observation, tensors, input_bytes, checks);
  Conclude(record, observation, checks);
  return record;
}

}  // namespace ropebench
