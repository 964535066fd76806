#include "bench/diagnosis/diagnosis.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <utility>

#include "bench/diagnosis/measured_rotation.h"
#include "fmt/format.h"
#include "impls/core/numeric.h"
#include "reference/frequencies.h"
#include "reference/metrics.h"
#include "reference/rope_reference.h"

namespace ropebench {
namespace {

// A hypothesis explains the output when it matches within this multiple of the case's tolerance.
constexpr double kExplainSlack = 2;
// Diagnosis looks at no more than this many tokens (the worst ones first): enough to tell
// hypotheses apart.
constexpr size_t kMaxTokens = 48;

// How a hypothesis forms cos and sin.
enum class AngleMode {
  kExact,            // the reference's extended precision
  kFp32Product,      // float(p) * float(theta) in float32
  kFp32Angle,        // the exact angle rounded to float32 before cos/sin
  kBf16Frequencies,  // theta rounded to bf16, product in float32
  kBf16Table,        // cos and sin rounded to bf16
  kFp32Recurrence,   // ggml: theta = float(p), then theta *= base^(-2/d) in float32 pair after pair
};

enum class Twist { kNone, kInverted, kCosSinSwapped };

struct Hypothesis {
  DiagnosisCode code;
  std::string detail;
  RopeSpec spec;                   // what the candidate seems to have used
  std::vector<int64_t> positions;  // likewise
  AngleMode angles = AngleMode::kExact;
  Twist twist = Twist::kNone;
  // Frequencies taken over this many dims while rotating spec.rotary_dim (partial rotary bug); 0 =
  // same.
  int frequency_dim = 0;
};

CosSinTable HypothesisTable(const Hypothesis& h) {
  const int pairs = h.spec.rotary_dim / 2;
  RopeSpec frequency_spec = h.spec;
  if (h.frequency_dim != 0) frequency_spec.rotary_dim = h.frequency_dim;
  if (h.angles == AngleMode::kExact && h.frequency_dim == 0 && h.twist == Twist::kNone) {
    return ReferenceCosSin(h.spec, h.positions);
  }
  const std::vector<long double> theta =
      InverseFrequenciesExtended(ResolveSeqLen(frequency_spec, h.positions));
  const long double attention = AttentionFactorExtended(ResolveSeqLen(frequency_spec, h.positions));
  // The recurrence's ratio, with linear scaling folded in as ggml's freq_scale.
  const float ratio = std::pow(static_cast<float>(h.spec.base), -2.0f / h.spec.rotary_dim);
  const float freq_scale =
      h.spec.scaling == Scaling::kLinear ? 1.0f / static_cast<float>(h.spec.factor) : 1.0f;
  CosSinTable table(h.positions.size(), std::vector<CosSin>(pairs));
  for (size_t t = 0; t < h.positions.size(); ++t) {
    float recurrence = static_cast<float>(h.positions[t]);
    for (int i = 0; i < pairs; ++i, recurrence *= ratio) {
      const long double p = static_cast<long double>(h.positions[t]);
      long double angle = p * theta[i];
      switch (h.angles) {
        case AngleMode::kExact:
        case AngleMode::kBf16Table:
          break;
        case AngleMode::kFp32Recurrence:
          angle = freq_scale * recurrence;
          break;
        case AngleMode::kFp32Product:
          angle = static_cast<float>(p) * static_cast<float>(theta[i]);
          break;
        case AngleMode::kFp32Angle:
          angle = static_cast<float>(angle);
          break;
        case AngleMode::kBf16Frequencies:
          angle = static_cast<float>(p) * RoundToBF16(static_cast<float>(theta[i]));
          break;
      }
      CosSin cs{attention * std::cos(angle), attention * std::sin(angle)};
      if (h.angles == AngleMode::kBf16Table) {
        cs.cos = RoundToBF16(static_cast<float>(cs.cos));
        cs.sin = RoundToBF16(static_cast<float>(cs.sin));
      }
      if (h.twist == Twist::kInverted) cs.sin = -cs.sin;
      if (h.twist == Twist::kCosSinSwapped) std::swap(cs.cos, cs.sin);
      table[t][i] = cs;
    }
  }
  return table;
}

// The tokens diagnosis looks at: the worst first, so that every hypothesis faces the failures.
std::vector<int64_t> TokensToExamine(const std::vector<double>& errors) {
  std::vector<int64_t> tokens(errors.size());
  for (size_t t = 0; t < tokens.size(); ++t) tokens[t] = static_cast<int64_t>(t);
  std::stable_sort(tokens.begin(), tokens.end(),
                   [&](int64_t a, int64_t b) { return errors[a] > errors[b]; });
  if (tokens.size() > kMaxTokens) tokens.resize(kMaxTokens);
  return tokens;
}

DenseTensor SelectTokens(const DenseTensor& x, const std::vector<int64_t>& tokens) {
  DenseTensor out(static_cast<int64_t>(tokens.size()), x.heads, x.head_dim);
  const int64_t row = x.heads * x.head_dim;
  for (size_t n = 0; n < tokens.size(); ++n) {
    std::copy_n(x.values.begin() + tokens[n] * row, row, out.values.begin() + n * row);
  }
  return out;
}

// A hypothesis explains the output when it matches within the slack, and clearly better than the
// spec itself: one that computes what the spec does (the other pairing of a single pair) explains
// nothing.
bool Explains(const Hypothesis& h, const Observation& o, double spec_error) {
  const CosSinTable table = HypothesisTable(h);
  ErrorAccumulator accumulator(h.spec.pairing, h.spec.rotary_dim, UnitRoundoff(o.dtype));
  for (size_t n = 0; n < o.inputs.size(); ++n) {
    accumulator.Add(o.outputs[n],
                    RotatePairs(o.inputs[n], h.spec.pairing, h.spec.rotary_dim, table));
  }
  const double error = accumulator.Result().max_pair_error;
  return error <= kExplainSlack * o.tolerance && error < spec_error / 2;
}

std::vector<Hypothesis> Hypotheses(const Observation& o) {
  std::vector<Hypothesis> list;
  auto with_spec = [&](DiagnosisCode code, std::string detail, auto&& change) {
    Hypothesis h{code, std::move(detail), o.spec, o.positions};
    change(h.spec);
    if (h.spec != o.spec) list.push_back(std::move(h));
  };
  auto with_positions = [&](std::string detail, auto&& change) {
    Hypothesis h{DiagnosisCode::kPositionOffset, std::move(detail), o.spec, o.positions};
    for (size_t t = 0; t < h.positions.size(); ++t) h.positions[t] = change(t, h.positions[t]);
    if (h.positions != o.positions) list.push_back(std::move(h));
  };
  auto with_angles = [&](DiagnosisCode code, std::string detail, AngleMode angles, Twist twist) {
    Hypothesis h{code, std::move(detail), o.spec, o.positions};
    h.angles = angles;
    h.twist = twist;
    list.push_back(std::move(h));
  };
  const RopeSpec& s = o.spec;

  with_spec(DiagnosisCode::kPairingSwapped,
            fmt::format("output matches {} pairing, the spec says {}",
                        ToString(s.pairing == Pairing::kInterleaved ? Pairing::kHalfSplit
                                                                    : Pairing::kInterleaved),
                        ToString(s.pairing)),
            [](RopeSpec& x) {
              x.pairing =
                  x.pairing == Pairing::kInterleaved ? Pairing::kHalfSplit : Pairing::kInterleaved;
            });
  with_positions("every position is one too large", [](size_t, int64_t p) { return p + 1; });
  with_positions("every position is one too small", [](size_t, int64_t p) { return p - 1; });
  with_positions("every position pinned at 0", [](size_t, int64_t) { return int64_t{0}; });
  with_positions("positions taken as the token index 0..T-1, not the positions given",
                 [](size_t t, int64_t) { return static_cast<int64_t>(t); });
  with_angles(DiagnosisCode::kRotationInverted, "rotated by -angle (sin sign flipped)",
              AngleMode::kExact, Twist::kInverted);
  with_angles(DiagnosisCode::kCosSinSwapped, "cos and sin swapped", AngleMode::kExact,
              Twist::kCosSinSwapped);
  if (s.rotary_dim < s.head_dim) {
    with_spec(DiagnosisCode::kPartialRotaryIgnored,
              fmt::format("the whole head ({} dims) rotated, not the first rotary_dim = {}",
                          s.head_dim, s.rotary_dim),
              [](RopeSpec& x) { x.rotary_dim = x.head_dim; });
    Hypothesis h{DiagnosisCode::kPartialRotaryIgnored,
                 fmt::format("frequencies computed over head_dim = {} instead of rotary_dim = {}",
                             s.head_dim, s.rotary_dim),
                 s, o.positions};
    h.frequency_dim = s.head_dim;
    list.push_back(std::move(h));
  }
  if (s.scaling != Scaling::kNone) {
    with_spec(DiagnosisCode::kScalingIgnored,
              fmt::format("plain RoPE: the {} scaling was not applied", ToString(s.scaling)),
              [](RopeSpec& x) {
                x.scaling = Scaling::kNone;
                x.attention_factor = 1.0;
              });
    with_spec(DiagnosisCode::kScalingIgnored,
              fmt::format("the {} frequencies were not applied (attention factor was)",
                          ToString(s.scaling)),
              [&](RopeSpec& x) {
                x.attention_factor = AttentionFactor(s);
                x.scaling = Scaling::kNone;
              });
  }
  if (s.scaling == Scaling::kYarn) {
    with_spec(DiagnosisCode::kScalingMismatch,
              fmt::format("YaRN correction range {} (truncate={})",
                          s.truncate ? "not floored/ceiled" : "floored/ceiled", !s.truncate),
              [&](RopeSpec& x) {
                x.truncate = !x.truncate;
                x.attention_factor = AttentionFactor(s);
              });
    with_spec(DiagnosisCode::kScalingMismatch, "YaRN beta_fast and beta_slow swapped",
              [&](RopeSpec& x) {
                std::swap(x.beta_fast, x.beta_slow);
                x.attention_factor = AttentionFactor(s);
              });
  }
  if (s.scaling == Scaling::kLlama3) {
    with_spec(DiagnosisCode::kScalingMismatch, "Llama-3 factor hard-coded to 8",
              [](RopeSpec& x) { x.factor = 8; });
    with_spec(DiagnosisCode::kScalingMismatch, "Llama-3 low and high frequency factors swapped",
              [](RopeSpec& x) { std::swap(x.low_freq_factor, x.high_freq_factor); });
  }
  if (s.scaling == Scaling::kLongrope) {
    const bool uses_long = s.seq_len > s.original_max_positions;
    with_spec(
        DiagnosisCode::kScalingMismatch,
        fmt::format("LongRoPE {} factors used at seq_len {} (original {}): the switch must be "
                    "seq_len > original_max_positions",
                    uses_long ? "short" : "long", s.seq_len, s.original_max_positions),
        [&](RopeSpec& x) {
          x.seq_len = uses_long ? x.original_max_positions : x.original_max_positions + 1;
        });
  }
  if (s.scaling == Scaling::kDynamicNtk) {
    with_spec(
        DiagnosisCode::kScalingMismatch,
        fmt::format("dynamic NTK base computed for another length than seq_len {}", s.seq_len),
        [](RopeSpec& x) { x.seq_len = x.original_max_positions; });
    const int64_t longest = static_cast<int64_t>(s.original_max_positions * s.factor);
    with_spec(DiagnosisCode::kScalingMismatch,
              fmt::format("dynamic NTK base computed once, for the longest length {} "
                          "(original_max_positions * factor), not for seq_len {}",
                          longest, s.seq_len),
              [&](RopeSpec& x) { x.seq_len = longest; });
  }
  // Another method's frequencies from the same parameters (the attention factor kept).
  if (s.scaling != Scaling::kNone && s.factor != 1) {
    for (Scaling other : kAllScalings) {
      RopeSpec x = s;
      x.scaling = other;
      x.attention_factor = AttentionFactor(s);
      if (other == Scaling::kNone || other == s.scaling || !ValidateSpec(x).empty()) continue;
      with_spec(DiagnosisCode::kScalingMismatch,
                fmt::format("frequencies match {} factor {:g}, the spec says {}", ToString(other),
                            s.factor, ToString(s.scaling)),
                [&](RopeSpec& y) { y = x; });
    }
  }
  for (double base : {1e4, 1e5, 5e5, 1e6, 1e7}) {
    with_spec(DiagnosisCode::kBaseMismatch,
              fmt::format("base {:g} used, the spec says {:g}", base, s.base),
              [&](RopeSpec& x) { x.base = base; });
  }
  const double attention = AttentionFactor(s);
  if (attention != 1.0) {
    with_spec(DiagnosisCode::kAttentionFactorMissing,
              fmt::format("attention factor {:.6g} not applied", attention),
              [](RopeSpec& x) { x.attention_factor = 1.0; });
    with_spec(DiagnosisCode::kAttentionFactorSquared,
              fmt::format("attention factor applied twice ({:.6g} instead of {:.6g})",
                          attention * attention, attention),
              [&](RopeSpec& x) { x.attention_factor = attention * attention; });
  }
  with_angles(DiagnosisCode::kLowPrecisionAngle, "angle p*theta computed in float32",
              AngleMode::kFp32Product, Twist::kNone);
  with_angles(DiagnosisCode::kLowPrecisionAngle, "angle rounded to float32 before cos/sin",
              AngleMode::kFp32Angle, Twist::kNone);
  with_angles(DiagnosisCode::kLowPrecisionAngle, "inverse frequencies stored in bf16",
              AngleMode::kBf16Frequencies, Twist::kNone);
  with_angles(DiagnosisCode::kLowPrecisionAngle, "cos/sin table rounded to bf16",
              AngleMode::kBf16Table, Twist::kNone);
  if (s.scaling == Scaling::kNone || s.scaling == Scaling::kLinear) {
    with_angles(DiagnosisCode::kLowPrecisionAngle,
                "angles from ggml's float32 recurrence theta *= base^(-2/d), pair after pair",
                AngleMode::kFp32Recurrence, Twist::kNone);
  }
  return list;
}

// The angles a hypothesis predicts, for hypotheses about frequencies, positions and the rotation's
// direction (pairing and gain are measured apart; precision is what the profile measures).
std::optional<AngleModel> AngleModelOf(const Hypothesis& h, const RopeSpec& spec) {
  if (h.angles != AngleMode::kExact || h.spec.rotary_dim != spec.rotary_dim ||
      h.spec.pairing != spec.pairing) {
    return std::nullopt;
  }
  RopeSpec frequency_spec = h.spec;
  if (h.frequency_dim != 0) frequency_spec.rotary_dim = h.frequency_dim;
  AngleModel model;
  model.theta = InverseFrequenciesExtended(ResolveSeqLen(frequency_spec, h.positions));
  model.theta.resize(spec.rotary_dim / 2);
  model.positions.assign(h.positions.begin(), h.positions.end());
  if (h.twist == Twist::kInverted) model.sign = -1;
  if (h.twist == Twist::kCosSinSwapped) {  // (s + i c) = i e^{-i angle}
    model.sign = -1;
    model.phase = 1.5707963267948966192313216916398L;
  }
  return model;
}

bool Near(double value, double expected, double relative) {
  return std::fabs(value - expected) <= relative * std::fabs(expected);
}

// The case's tokens followed by the probe's (same spec and shape).
Observation Concatenated(const Observation& o, const Observation& probe) {
  Observation both = o;
  both.positions.insert(both.positions.end(), probe.positions.begin(), probe.positions.end());
  auto append = [](std::vector<DenseTensor>& into, const std::vector<DenseTensor>& from) {
    for (size_t n = 0; n < into.size(); ++n) {
      into[n].values.insert(into[n].values.end(), from[n].values.begin(), from[n].values.end());
      into[n].tokens += from[n].tokens;
    }
  };
  append(both.inputs, probe.inputs);
  append(both.outputs, probe.outputs);
  return both;
}

// Consecutive small positions pin an offset and the frequencies down (every angle below 2 pi at
// pair 0 and unwrapped at the rest); the case's largest position keeps a candidate that derives
// the length from its positions on the same length.
constexpr int64_t kProbePositions = 16;
const std::vector<size_t> kEveryToken;  // KeptBits over every token

// The explanation from what the candidate measurably did: the pairing its outputs are rotations
// of, the gain, and which convention's angles its angles are, up to a precision profile.
std::optional<Diagnosis> ExplainByMeasurement(const Observation& case_observation,
                                              const std::vector<double>& errors) {
  std::optional<Observation> probe;
  if (case_observation.rerun) {
    std::vector<int64_t> positions;
    for (int64_t p = 0; p < kProbePositions; ++p) positions.push_back(p);
    positions.push_back(
        *std::max_element(case_observation.positions.begin(), case_observation.positions.end()));
    probe = case_observation.rerun(positions);
  }
  const Observation o = probe ? Concatenated(case_observation, *probe) : case_observation;
  const std::optional<MeasuredRotation> m = MeasureRotation(o);
  if (!m) return std::nullopt;
  const std::vector<Hypothesis> hypotheses = Hypotheses(o);
  // The spec as given, which explains nothing: its code is never reported.
  const Hypothesis spec_hypothesis{DiagnosisCode::kUnexplained, "", o.spec, o.positions};
  const AngleModel spec_model = *AngleModelOf(spec_hypothesis, o.spec);
  AngleModel best = spec_model;
  // The convention is told from the probe's small positions where there is a probe: at the case's
  // own large ones a low-precision candidate's angles can be past every model's reach.
  std::vector<size_t> small;
  for (size_t t = case_observation.positions.size(); probe && t < o.positions.size(); ++t) {
    if (o.positions[t] < kProbePositions) small.push_back(t);
  }
  // Another convention explains the angles when it keeps clearly more bits than the spec's: on the
  // small positions first; where none is clearly better there (a YaRN ramp over pairs too slow to
  // turn by position 16), over every token among those no worse than the spec on the small ones.
  struct ScoredModel {
    const Hypothesis* hypothesis;
    AngleModel model;
    double small_bits;  // on the small positions (every token without a probe)
  };
  std::vector<ScoredModel> models;
  for (const Hypothesis& h : hypotheses) {
    if (std::optional<AngleModel> model = AngleModelOf(h, o.spec)) {
      const double small_bits = KeptBits(*m, *model, spec_model, small);
      models.push_back({&h, std::move(*model), small_bits});
    }
  }
  constexpr double kClearlyMoreBits = 2;
  const double spec_small_bits = KeptBits(*m, spec_model, spec_model, small);
  const Hypothesis* chosen = nullptr;
  double best_bits = 0;
  for (const std::vector<size_t>* tokens : {&std::as_const(small), &kEveryToken}) {
    if (tokens->empty() && tokens == &small) continue;
    const bool on_small = tokens == &small;
    const double spec_bits = on_small ? spec_small_bits : KeptBits(*m, spec_model, spec_model, {});
    best_bits = spec_bits;
    for (const ScoredModel& c : models) {
      if (!on_small && c.small_bits < spec_small_bits - 1) continue;
      const double bits = on_small ? c.small_bits : KeptBits(*m, c.model, spec_model, {});
      if (bits > best_bits && bits > spec_bits + kClearlyMoreBits) {
        best = c.model;
        best_bits = bits;
        chosen = c.hypothesis;
      }
    }
    if (chosen != nullptr) break;
  }
  constexpr double kFewestBits = 3;  // below this no model accounts for the angles
  if (best_bits < kFewestBits) return std::nullopt;

  std::vector<Diagnosis> defects;
  if (m->pairing != o.spec.pairing) {
    defects.push_back({DiagnosisCode::kPairingSwapped,
                       fmt::format("output matches {} pairing, the spec says {}",
                                   ToString(m->pairing), ToString(o.spec.pairing))});
  }
  if (chosen != nullptr) defects.push_back({chosen->code, chosen->detail});
  const double attention = AttentionFactor(chosen != nullptr ? chosen->spec : o.spec);
  const double spec_attention = AttentionFactor(o.spec);
  constexpr double kGainSlack = 0x1p-6;  // above bf16 cos/sin's rounding of the gain
  if (!Near(m->gain, attention, kGainSlack) && !Near(m->gain, spec_attention, kGainSlack)) {
    if (Near(m->gain, 1, kGainSlack)) {
      defects.push_back(
          {DiagnosisCode::kAttentionFactorMissing,
           fmt::format("gain 1: attention factor {:.6g} not applied", spec_attention)});
    } else if (Near(m->gain, spec_attention * spec_attention, kGainSlack)) {
      defects.push_back({DiagnosisCode::kAttentionFactorSquared,
                         fmt::format("gain {:.6g}: attention factor {:.6g} applied twice", m->gain,
                                     spec_attention)});
    } else {
      defects.push_back(
          {DiagnosisCode::kScalingMismatch, fmt::format("gain {:.6g}, the spec's attention factor "
                                                        "is {:.6g}",
                                                        m->gain, spec_attention)});
    }
  }
  const PrecisionProfile profile = ProfileOf(*m, best, spec_model);
  const int64_t first_failing = FirstFailingPosition(o, errors);
  const double worst = errors.empty() ? 0 : *std::max_element(errors.begin(), errors.end());
  const std::string angles =
      fmt::format("angles keep ~{:.0f} bits: {}", profile.bits, profile.name);
  if (defects.empty()) {
    return Diagnosis{
        DiagnosisCode::kLowPrecisionAngle,
        fmt::format("the convention is right ({} pairing, the spec's frequencies and positions, "
                    "gain {:.6g}); {}; {:.3g}u at worst, over the tolerance from position {}",
                    ToString(m->pairing), m->gain, angles, worst, first_failing),
        RecoverPairs(*m, spec_model)};
  }
  Diagnosis named = defects.front();
  for (size_t d = 1; d < defects.size(); ++d) {
    named.detail += "; and " + std::string(ToString(defects[d].code)) + ": " + defects[d].detail;
  }
  named.recovered = RecoverPairs(*m, spec_model);
  // A frequency defect pair by pair, where the angles are measured well enough to fit one.
  if (const std::string pairs = DescribeFrequencies(*named.recovered);
      chosen != nullptr && profile.bits >= kFewestBits && !pairs.empty()) {
    named.detail += " (measured: " + pairs + "; " + angles + ")";
  } else {
    named.detail += " (measured; " + angles + ")";
  }
  return named;
}

bool Failed(std::span<const CheckOutcome> checks, Check check) {
  return std::any_of(checks.begin(), checks.end(),
                     [&](const CheckOutcome& c) { return c.check == check && !c.passed; });
}

const CheckOutcome* Find(std::span<const CheckOutcome> checks, Check check) {
  for (const CheckOutcome& c : checks) {
    if (c.check == check) return &c;
  }
  return nullptr;
}

// Last resort when no hypothesis matches: right at the smallest positions and increasingly wrong at
// larger ones is the signature of an angle that loses precision as positions grow (float range
// reduction, a recurrence, a fast trig), or of a frequency that is slightly off; either way the
// angle drifts.
std::optional<Diagnosis> GrowsWithPosition(const Observation& o,
                                           const std::vector<double>& errors) {
  std::vector<size_t> by_position(errors.size());
  for (size_t t = 0; t < errors.size(); ++t) by_position[t] = t;
  std::stable_sort(by_position.begin(), by_position.end(),
                   [&](size_t a, size_t b) { return o.positions[a] < o.positions[b]; });
  const size_t quarter = by_position.size() / 4;
  if (quarter == 0 || o.positions[by_position.back()] <= o.positions[by_position.front()]) {
    return std::nullopt;  // too few tokens, or one position only: no growth to see
  }
  double low = 0, high = 0;
  for (size_t n = 0; n < quarter; ++n) {
    low = std::max(low, errors[by_position[n]]);
    high = std::max(high, errors[by_position[by_position.size() - 1 - n]]);
  }
  if (!(low <= o.tolerance) || !(high > o.tolerance)) return std::nullopt;
  const int64_t first_failing = FirstFailingPosition(o, errors);
  return Diagnosis{DiagnosisCode::kLowPrecisionAngle,
                   fmt::format("accurate at small positions, wrong from position {} on, worse as "
                               "positions grow ({:.3g}u at the largest): the angle drifts",
                               first_failing, high)};
}

}  // namespace

int64_t FirstFailingPosition(const Observation& o, const std::vector<double>& errors) {
  int64_t first = -1;
  for (size_t t = 0; t < errors.size(); ++t) {
    if (errors[t] > o.tolerance && (first < 0 || o.positions[t] < first)) first = o.positions[t];
  }
  return first;
}

Observation SelectTokens(const Observation& o, const std::vector<int64_t>& tokens) {
  Observation subset = o;
  subset.positions.clear();
  for (int64_t t : tokens) subset.positions.push_back(o.positions[t]);
  for (size_t n = 0; n < o.inputs.size(); ++n) {
    subset.inputs[n] = SelectTokens(o.inputs[n], tokens);
    if (n < o.outputs.size()) subset.outputs[n] = SelectTokens(o.outputs[n], tokens);
  }
  return subset;
}

ErrorMetrics ReferenceError(const Observation& o) {
  ErrorAccumulator accumulator(o.spec.pairing, o.spec.rotary_dim, UnitRoundoff(o.dtype));
  for (size_t n = 0; n < o.inputs.size(); ++n) {
    accumulator.Add(o.outputs[n], ApplyRope(o.spec, o.positions, o.inputs[n]));
  }
  return accumulator.Result();
}

std::optional<Diagnosis> ExplainOutput(const Observation& o) {
  // Each token's worst error against the true reference, computed once for both uses below.
  const std::vector<double> errors = ReferenceError(o).token_max_pair_error;
  const std::vector<int64_t> tokens = TokensToExamine(errors);
  const Observation subset = SelectTokens(o, tokens);
  const double spec_error =
      errors.empty() ? INFINITY : *std::max_element(errors.begin(), errors.end());
  // One pair at one position is one angle: any hypothesis whose angle lands near it by chance
  // (a bf16 angle is within its slack of many) would "match", so such a case goes to measurement,
  // which calls the candidate at more positions.
  const bool one_angle =
      o.spec.rotary_dim == 2 && std::adjacent_find(o.positions.begin(), o.positions.end(),
                                                   std::not_equal_to<>()) == o.positions.end();
  const std::vector<Hypothesis> hypotheses =
      one_angle && o.rerun ? std::vector<Hypothesis>{} : Hypotheses(o);
  for (Hypothesis h : hypotheses) {
    // Re-map the hypothesis' positions onto the examined tokens.
    std::vector<int64_t> positions;
    for (int64_t t : tokens) positions.push_back(h.positions[t]);
    h.positions = std::move(positions);
    if (Explains(h, subset, spec_error)) return Diagnosis{h.code, h.detail};
  }
  // No replay matches bit for bit (nobody's rounding is ours): measure what the candidate did.
  if (auto measured = ExplainByMeasurement(o, errors)) return measured;
  return GrowsWithPosition(o, errors);
}

Diagnosis Diagnose(const Observation& o, std::span<const CheckOutcome> checks) {
  if (Failed(checks, Check::kGuards))
    return {DiagnosisCode::kGuardViolation, Find(checks, Check::kGuards)->detail};
  if (Failed(checks, Check::kInputsUntouched)) {
    return {DiagnosisCode::kGuardViolation, Find(checks, Check::kInputsUntouched)->detail};
  }
  const bool wrong_output = Failed(checks, Check::kError) ||
                            Failed(checks, Check::kIdentityAtZero) ||
                            Failed(checks, Check::kNormRatio);
  // Relative position failing alone is the output's angles again, seen through pairs of calls.
  std::optional<Diagnosis> output;
  if (wrong_output || Failed(checks, Check::kRelativePosition)) output = ExplainOutput(o);
  // A precision floor is named only when no check finds a defect besides it: a lost pass-through
  // dimension or a nondeterministic call next to float32 angles is still a defect.
  const bool precision_only = output && output->code == DiagnosisCode::kLowPrecisionAngle;
  if (output && !precision_only) return *output;
  auto defect = [&](Diagnosis d) {
    if (precision_only)
      d.detail += "; and " + std::string(ToString(output->code)) + ": " + output->detail;
    return d;
  };
  if (Failed(checks, Check::kPassthrough)) {
    return defect({DiagnosisCode::kPassthroughModified, Find(checks, Check::kPassthrough)->detail});
  }
  if (Failed(checks, Check::kDeterminism)) {
    return defect({DiagnosisCode::kNondeterministic, Find(checks, Check::kDeterminism)->detail});
  }
  if (Failed(checks, Check::kHistory)) {
    return defect({DiagnosisCode::kNondeterministic,
                   "depends on call history: " + Find(checks, Check::kHistory)->detail});
  }
  if (Failed(checks, Check::kPrefillDecode)) {
    return defect(
        {DiagnosisCode::kPositionOffset, "positions lost in token-by-token decode: " +
                                             Find(checks, Check::kPrefillDecode)->detail});
  }
  if (precision_only) return *output;
  std::string failed;
  for (const CheckOutcome& c : checks) {
    if (!c.passed) failed += (failed.empty() ? "" : ", ") + std::string(ToString(c.check));
  }
  return {DiagnosisCode::kUnexplained, "no hypothesis explains the output; failed: " + failed};
}

}  // namespace ropebench
