#include "bench/case_runner.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "bench/diagnosis.h"
#include "bench/guarded_tensors.h"
#include "bench/tolerances.h"
#include "fmt/format.h"
#include "reference/frequencies.h"
#include "reference/metrics.h"
#include "reference/rope_reference.h"

namespace ropebench {
namespace {

// Prefill and decode are compared token by token only up to this many tokens (one call per token).
constexpr int64_t kMaxDecodeTokens = 64;
// Positions of the relative-position check are shifted by this much.
constexpr int64_t kRelativeShift = 12345;

class Checks {
 public:
  void Add(std::string name, bool passed, std::string detail) {
    outcomes_.push_back({std::move(name), passed, std::move(detail)});
  }
  bool AllPassed() const {
    return std::all_of(outcomes_.begin(), outcomes_.end(), [](auto& o) { return o.passed; });
  }
  std::vector<CheckOutcome> Take() { return std::move(outcomes_); }
  const std::vector<CheckOutcome>& outcomes() const { return outcomes_; }

 private:
  std::vector<CheckOutcome> outcomes_;
};

// Calls the candidate with its own copies of the spec and positions; says if it changed them.
CallResult Call(Candidate& candidate, const RopeSpec& spec, std::span<const int64_t> positions,
                const TensorView& q, const TensorView& k, std::string* changed_inputs = nullptr) {
  const RopeSpec spec_copy = spec;
  const std::vector<int64_t> positions_copy(positions.begin(), positions.end());
  CallResult result = candidate.Rotate(spec_copy, positions_copy, q, &k);
  if (changed_inputs != nullptr) {
    if (!std::equal(positions.begin(), positions.end(), positions_copy.begin())) {
      *changed_inputs = "the positions array was modified";
    } else if (spec_copy != spec) {
      *changed_inputs = "the spec (or its LongRoPE factor arrays) was modified";
    }
  }
  return result;
}

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

// <q_t1, k_t2> over head 0, for the first few tokens.
std::vector<double> Scores(const DenseTensor& q, const DenseTensor& k) {
  const int64_t n = std::min<int64_t>(q.tokens, 8);
  std::vector<double> scores;
  for (int64_t a = 0; a < n; ++a) {
    for (int64_t b = 0; b < n; ++b) {
      double sum = 0;
      for (int64_t d = 0; d < q.head_dim; ++d) sum += q.at(a, 0, d) * k.at(b, 0, d);
      scores.push_back(sum);
    }
  }
  return scores;
}

double Norm(const DenseTensor& x, int64_t t) {
  double sum = 0;
  for (int64_t d = 0; d < x.head_dim; ++d) sum += x.at(t, 0, d) * x.at(t, 0, d);
  return std::sqrt(sum);
}

// Where two widened tensors first differ, or -1.
int64_t FirstDifferentToken(const std::vector<DenseTensor>& a, const std::vector<DenseTensor>& b) {
  for (size_t n = 0; n < a.size(); ++n) {
    for (size_t i = 0; i < a[n].values.size(); ++i) {
      const double x = a[n].values[i], y = b[n].values[i];
      if (x != y && !(std::isnan(x) && std::isnan(y))) {
        return static_cast<int64_t>(i) / (a[n].heads * a[n].head_dim);
      }
    }
  }
  return -1;
}

std::vector<DenseTensor> WidenBoth(const GuardedTensors& tensors) {
  return {Widen(tensors.q()), Widen(tensors.k())};
}

}  // namespace

CaseRecord RunCase(Candidate& candidate, const ValidationCase& c) {
  const RopeSpec spec = ResolveSeqLen(c.spec, c.positions);
  CaseRecord record;
  record.candidate = candidate.name();
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
                          WidenBoth(tensors),
                          {}};
  const double tolerance = observation.tolerance;
  const double u = UnitRoundoff(c.dtype);

  Checks checks;
  std::string changed_inputs;
  const CallResult result =
      Call(candidate, spec, c.positions, tensors.q(), tensors.k(), &changed_inputs);
  if (result.status == CallStatus::kUnsupported) {
    record.status = CaseStatus::kSkip;
    record.skip_reason = result.message;
    return record;
  }
  if (result.status == CallStatus::kError) {
    record.status = CaseStatus::kFail;
    checks.Add("call", false, result.message);
    record.checks = checks.Take();
    record.diagnosis =
        Diagnosis{"unexplained", "the candidate reported an error: " + result.message};
    return record;
  }
  const GuardedTensors::Bytes output_bytes = tensors.Snapshot();
  observation.outputs = WidenBoth(tensors);

  // error: every rotated pair against the reference.
  const ErrorMetrics m = ReferenceError(observation);
  record.metrics = CaseMetrics{m.max_abs,
                               m.rms,
                               m.nmse,
                               m.max_pair_error,
                               tolerance,
                               m.worst_token,
                               m.worst_token >= 0 ? c.positions[m.worst_token] : -1,
                               m.worst_head,
                               m.worst_pair};
  checks.Add("error", m.max_pair_error <= tolerance,
             fmt::format("max pair error {:.3g}u (tolerance {}u) at token {} head {} pair {}",
                         m.max_pair_error, tolerance, m.worst_token, m.worst_head, m.worst_pair));

  // identity at position 0: the output is the input times the attention factor.
  double worst_at_zero = -1;
  for (int64_t t = 0; t < c.tokens(); ++t) {
    if (c.positions[t] == 0) worst_at_zero = std::max(worst_at_zero, m.token_max_pair_error[t]);
  }
  if (worst_at_zero >= 0) {
    checks.Add("identity_at_zero", worst_at_zero <= tolerance,
               fmt::format("max pair error at position 0: {:.3g}u", worst_at_zero));
  }

  const double attention = AttentionFactor(spec);
  const double norm_deviation =
      NormRatioDeviation(observation.inputs, observation.outputs, spec, attention, u);
  checks.Add(
      "norm_ratio", norm_deviation <= 1.5 * tolerance,
      fmt::format("pair norm ratio deviates from the attention factor {:.6g} by up to {:.3g}u",
                  attention, norm_deviation));

  const std::string pass_through = tensors.FirstPassThroughChange(input_bytes, spec.rotary_dim);
  if (spec.rotary_dim < spec.head_dim) {
    checks.Add("passthrough", pass_through.empty(),
               pass_through.empty() ? "elements past rotary_dim bit-identical" : pass_through);
  }
  const std::string guard = tensors.FirstGuardViolation();
  checks.Add("guards", guard.empty(), guard.empty() ? "every canary intact" : guard);
  checks.Add("inputs_untouched", changed_inputs.empty(),
             changed_inputs.empty() ? "positions and spec unchanged" : changed_inputs);

  // determinism: the same call again gives the same bits, everywhere in the buffers.
  tensors.Restore(input_bytes);
  Call(candidate, spec, c.positions, tensors.q(), tensors.k());
  checks.Add("determinism", tensors.Snapshot() == output_bytes,
             tensors.Snapshot() == output_bytes ? "bitwise identical on repeat"
                                                : "a repeated call gave different bits");

  // prefill == token-by-token decode with explicit positions (BUG_CLASSES.md 3).
  if (c.tokens() > 1 && c.tokens() <= kMaxDecodeTokens) {
    tensors.Restore(input_bytes);
    for (int64_t t = 0; t < c.tokens(); ++t) {
      const TensorView q = tensors.QAt(t), k = tensors.KAt(t);
      Call(candidate, spec, std::span(c.positions).subspan(t, 1), q, k);
    }
    const int64_t differs = FirstDifferentToken(WidenBoth(tensors), observation.outputs);
    checks.Add("prefill_decode", differs < 0,
               differs < 0 ? "token-by-token decode bitwise equal to prefill"
                           : fmt::format("decode of token {} (position {}) differs from prefill",
                                         differs, c.positions[differs]));
  }

  // relative-position invariance: <R_m q, R_n k> == <R_{m+s} q, R_{n+s} k>.
  {
    std::vector<int64_t> shifted = c.positions;
    for (int64_t& p : shifted) p += kRelativeShift;
    tensors.Restore(input_bytes);
    Call(candidate, spec, shifted, tensors.q(), tensors.k());
    const std::vector<DenseTensor> moved = WidenBoth(tensors);
    const std::vector<double> before = Scores(observation.outputs[0], observation.outputs[1]);
    const std::vector<double> after = Scores(moved[0], moved[1]);
    const int64_t n = std::min<int64_t>(c.tokens(), 8);
    double worst = 0;
    for (int64_t a = 0; a < n; ++a) {
      for (int64_t b = 0; b < n; ++b) {
        const double scale = Norm(observation.inputs[0], a) * Norm(observation.inputs[1], b) *
                             attention * attention * u;
        const double deviation = std::fabs(after[a * n + b] - before[a * n + b]) / scale;
        worst = std::isnan(deviation) ? INFINITY : std::max(worst, deviation);
      }
    }
    // Each score carries at most ~2*sqrt(2)*tolerance of rounding, so two differ by < 8*tolerance.
    checks.Add("relative_position", worst <= 8 * tolerance,
               fmt::format("scores moved by up to {:.3g}u when every position shifted by {}", worst,
                           kRelativeShift));
  }

  // history independence (BUG_CLASSES.md 10): a long call in between changes nothing.
  if (spec.scaling == Scaling::kDynamicNtk) {
    RopeSpec long_spec = spec;
    long_spec.seq_len = std::max<int64_t>(4 * spec.original_max_positions, 4 * spec.seq_len);
    tensors.Restore(input_bytes);
    Call(candidate, long_spec, c.positions, tensors.q(), tensors.k());
    tensors.Restore(input_bytes);
    Call(candidate, spec, c.positions, tensors.q(), tensors.k());
    const bool same = tensors.Snapshot() == output_bytes;
    checks.Add("history", same,
               same
                   ? "unchanged by a longer call in between"
                   : fmt::format("output changed after a call with seq_len {}", long_spec.seq_len));
  }

  record.status = checks.AllPassed() ? CaseStatus::kPass : CaseStatus::kFail;
  if (record.status == CaseStatus::kFail)
    record.diagnosis = Diagnose(observation, checks.outcomes());
  record.checks = checks.Take();
  return record;
}

}  // namespace ropebench
