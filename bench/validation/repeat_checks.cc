#include "bench/validation/repeat_checks.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "bench/validation/case_runner.h"
#include "fmt/format.h"
#include "reference/metrics.h"

namespace ropebench {
namespace {

// Prefill and decode are compared token by token only up to this many tokens (one call per token).
constexpr int64_t kMaxDecodeTokens = 64;
// Positions of the relative-position check are shifted by this much.
constexpr int64_t kRelativeShift = 12345;

// The relative-position check scores this many first tokens against each other.
constexpr int64_t kScoredTokens = 8;

// <q_t1, k_t2> over head 0, for the first few tokens.
std::vector<double> Scores(const DenseTensor& q, const DenseTensor& k) {
  const int64_t n = std::min<int64_t>(q.tokens, kScoredTokens);
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

// The first token at which two widened tensors differ in an element at or past `first_element` of
// a head, or -1.
int64_t FirstDifferentToken(const std::vector<DenseTensor>& a, const std::vector<DenseTensor>& b,
                            int64_t first_element = 0) {
  for (size_t n = 0; n < a.size(); ++n) {
    const int64_t head_dim = a[n].head_dim;
    for (size_t row = 0; row < a[n].values.size(); row += head_dim) {  // one head of one token
      for (int64_t d = first_element; d < head_dim; ++d) {
        const double x = a[n].values[row + d], y = b[n].values[row + d];
        if (x != y && !(std::isnan(x) && std::isnan(y))) {
          return static_cast<int64_t>(row) / (a[n].heads * head_dim);
        }
      }
    }
  }
  return -1;
}

CheckOutcome Failed(Check check, const CallResult& result) {
  return {check, false, "a repeated call failed: " + result.message,
          StatusOfFailedCall(result.status)};
}

// Restores the inputs and calls again on the whole case.
CallResult CallAgain(const FirstCall& first, const RopeSpec& spec,
                     std::span<const int64_t> positions) {
  first.tensors.Restore(first.inputs);
  return CallWithCopies(first.candidate, spec, positions, first.tensors.q(), first.tensors.k());
}

}  // namespace

CallResult CallWithCopies(Candidate& candidate, const RopeSpec& spec,
                          std::span<const int64_t> positions, const TensorView& q,
                          const TensorView& k, std::string* changed_inputs) {
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

CheckOutcome CheckDeterminism(const FirstCall& first) {
  // The same call again gives the same bits, everywhere in the buffers.
  const CallResult result = CallAgain(first, first.spec, first.observation.positions);
  if (result.status != CallStatus::kOk) return Failed(Check::kDeterminism, result);
  const bool same = first.tensors.Matches(first.outputs);
  return {Check::kDeterminism, same,
          same ? "bitwise identical on repeat" : "a repeated call gave different bits"};
}

std::optional<CheckOutcome> CheckPrefillDecode(const FirstCall& first) {
  // BUG_CLASSES.md 3: token-by-token decode with explicit positions must equal one prefill.
  const std::vector<int64_t>& positions = first.observation.positions;
  const int64_t tokens = static_cast<int64_t>(positions.size());
  if (tokens < 2 || tokens > kMaxDecodeTokens) return std::nullopt;
  first.tensors.Restore(first.inputs);
  // The candidate's own copies of the spec and positions, as CallWithCopies gives.
  const RopeSpec spec = first.spec;
  const std::vector<int64_t> positions_copy = positions;
  std::vector<TensorView> k_views;
  std::vector<RotateCall> calls;
  for (int64_t t = 0; t < tokens; ++t) k_views.push_back(first.tensors.KAt(t));
  for (int64_t t = 0; t < tokens; ++t) {
    calls.push_back(
        {&spec, std::span(positions_copy).subspan(t, 1), first.tensors.QAt(t), &k_views[t]});
  }
  for (const CallResult& result : first.candidate.RotateEach(calls)) {
    if (result.status != CallStatus::kOk) return Failed(Check::kPrefillDecode, result);
  }
  const std::vector<DenseTensor> decoded = first.tensors.WidenAll();
  const std::vector<DenseTensor>& prefilled = first.observation.outputs;
  const int64_t differs = FirstDifferentToken(decoded, prefilled);
  if (differs < 0) {
    return CheckOutcome{Check::kPrefillDecode, true,
                        "token-by-token decode bitwise equal to prefill"};
  }
  // Past rotary_dim the elements pass through: there decode must equal prefill bit for bit.
  const int64_t passed_through = FirstDifferentToken(decoded, prefilled, first.spec.rotary_dim);
  if (passed_through >= 0) {
    return CheckOutcome{Check::kPrefillDecode, false,
                        fmt::format("decode of token {} (position {}) differs from prefill in "
                                    "an element past rotary_dim",
                                    passed_through, positions[passed_through])};
  }
  // Code whose arithmetic takes another path for a one-token call (a vector loop's scalar tail,
  // PyTorch's cos on 9 elements against 576) rounds differently there: that is no lost position,
  // so decode passes within twice the case's tolerance of prefill (two results that each round
  // within it of one value; one bf16 ulp is 2u). A lost position moves whole angles: pair 0 by a
  // radian, 2^24u in f32.
  ErrorAccumulator difference(first.spec.pairing, first.spec.rotary_dim,
                              UnitRoundoff(first.observation.dtype));
  for (size_t n = 0; n < decoded.size(); ++n) difference.Add(decoded[n], prefilled[n]);
  const ErrorMetrics m = difference.Result();
  const double allowed = 2 * first.observation.tolerance;
  const bool within = m.max_pair_error <= allowed;
  const int64_t token = m.worst_token >= 0 ? m.worst_token : differs;
  return CheckOutcome{
      Check::kPrefillDecode, within,
      fmt::format("decode of token {} (position {}) differs from prefill by {:.3g}u ({} the "
                  "allowed {:g}u)",
                  token, positions[token], m.max_pair_error, within ? "within" : "over", allowed)};
}

CheckOutcome CheckRelativePosition(const FirstCall& first) {
  // <R_m q, R_n k> == <R_{m+s} q, R_{n+s} k>, with seq_len fixed so that the frequencies stay.
  const Observation& o = first.observation;
  std::vector<int64_t> shifted = o.positions;
  for (int64_t& p : shifted) p += kRelativeShift;
  const CallResult result = CallAgain(first, first.spec, shifted);
  if (result.status != CallStatus::kOk) return Failed(Check::kRelativePosition, result);
  const std::vector<DenseTensor> moved = first.tensors.WidenFirstTokens(kScoredTokens);
  const std::vector<double> before = Scores(o.outputs[0], o.outputs[1]);
  const std::vector<double> after = Scores(moved[0], moved[1]);
  const int64_t n = std::min<int64_t>(static_cast<int64_t>(o.positions.size()), kScoredTokens);
  const double a2u = first.attention_factor * first.attention_factor * UnitRoundoff(o.dtype);
  double worst = 0;
  for (int64_t a = 0; a < n; ++a) {
    for (int64_t b = 0; b < n; ++b) {
      const double scale = Norm(o.inputs[0], a) * Norm(o.inputs[1], b) * a2u;
      const double deviation = std::fabs(after[a * n + b] - before[a * n + b]) / scale;
      worst = std::isnan(deviation) ? INFINITY : std::max(worst, deviation);
    }
  }
  // Each score carries at most ~2*sqrt(2)*tolerance of rounding, so two differ by < 8*tolerance.
  return {Check::kRelativePosition, worst <= 8 * o.tolerance,
          fmt::format("scores moved by up to {:.3g}u when every position shifted by {}", worst,
                      kRelativeShift)};
}

std::optional<CheckOutcome> CheckHistory(const FirstCall& first) {
  // BUG_CLASSES.md 10: a longer call in between must change nothing.
  if (first.spec.scaling != Scaling::kDynamicNtk) return std::nullopt;
  RopeSpec long_spec = first.spec;
  long_spec.seq_len =
      std::max<int64_t>(4 * first.spec.original_max_positions, 4 * first.spec.seq_len);
  const std::vector<int64_t>& positions = first.observation.positions;
  for (const RopeSpec* spec : {static_cast<const RopeSpec*>(&long_spec), &first.spec}) {
    const CallResult result = CallAgain(first, *spec, positions);
    if (result.status != CallStatus::kOk) return Failed(Check::kHistory, result);
  }
  const bool same = first.tensors.Matches(first.outputs);
  return CheckOutcome{
      Check::kHistory, same,
      same ? "unchanged by a longer call in between"
           : fmt::format("output changed after a call with seq_len {}", long_spec.seq_len)};
}

}  // namespace ropebench
