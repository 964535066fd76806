#include "bench/validation/testing/mutants.h"

#include <cmath>
#include <numbers>

#include "impls/core/inv_freq.h"
#include "impls/core/numeric.h"
#include "impls/core/pairwise_candidate.h"
#include "impls/variants.h"

namespace ropebench::testing {
namespace {

// A correct scalar candidate behind a defect in what it is given or in what it leaves behind.
class WrappedMutant final : public Candidate {
 public:
  struct Defect {
    std::function<void(RopeSpec&)> spec = nullptr;                   // misreads the spec
    std::function<void(std::vector<int64_t>&)> positions = nullptr;  // misreads the positions
    std::function<TensorView(const TensorView&)> view = nullptr;     // misreads the layout
    // Damage done after a correct rotation; `call` counts calls from 0.
    std::function<void(const RopeSpec&, std::span<const int64_t>, const TensorView&,
                       const TensorView*, int call)>
        after = nullptr;
  };

  WrappedMutant(std::string name, Defect defect)
      : name_(std::move(name)), defect_(std::move(defect)), inner_(MakeScalarCandidate()) {}

  std::string_view name() const override { return name_; }
  const Capabilities& capabilities() const override { return inner_->capabilities(); }

  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override {
    RopeSpec used = spec;
    if (defect_.spec) defect_.spec(used);
    std::vector<int64_t> used_positions(positions.begin(), positions.end());
    if (defect_.positions) defect_.positions(used_positions);
    TensorView q_used = defect_.view ? defect_.view(q) : q;
    TensorView k_used = k && defect_.view ? defect_.view(*k) : (k ? *k : TensorView{});
    CallResult result = inner_->Rotate(used, used_positions, q_used, k ? &k_used : nullptr);
    if (defect_.after) defect_.after(spec, positions, q, k, calls_);
    ++calls_;
    return result;
  }

 private:
  std::string name_;
  Defect defect_;
  std::unique_ptr<Candidate> inner_;
  int calls_ = 0;
};

// A pairwise candidate whose cos/sin are formed wrongly.
class CosSinMutant final : public PairwiseCandidate {
 public:
  using Former = std::function<void(const RopeFrequencies&, int64_t position, int pair, float& cos,
                                    float& sin)>;
  // frequency_spec, when set, changes the spec the frequencies are computed from.
  CosSinMutant(std::string name, Former former,
               std::function<void(RopeSpec&)> frequency_spec = nullptr)
      : PairwiseCandidate(std::move(name), AllCapabilities("mutant")),
        former_(std::move(former)),
        frequency_spec_(std::move(frequency_spec)) {}

 protected:
  CosSinFn PrepareCosSin(const RopeSpec& spec) override {
    RopeSpec used = spec;
    if (frequency_spec_) frequency_spec_(used);
    const int pairs = spec.rotary_dim / 2;
    return [freq = ComputeRopeFrequencies(used), former = former_, pairs](int64_t p, float* cos,
                                                                          float* sin) {
      for (int i = 0; i < pairs; ++i) former(freq, p, i, cos[i], sin[i]);
    };
  }

 private:
  Former former_;
  std::function<void(RopeSpec&)> frequency_spec_;
};

// The dynamic-NTK defect of several engines: the base grows with the longest sequence seen and
// never shrinks back.
class NeverScaledBackMutant final : public Candidate {
 public:
  std::string_view name() const override { return "dynamic_ntk_never_scaled_back"; }
  const Capabilities& capabilities() const override { return inner_->capabilities(); }
  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override {
    longest_ = std::max(longest_, spec.seq_len);
    RopeSpec used = spec;
    used.seq_len = longest_;
    return inner_->Rotate(used, positions, q, k);
  }

 private:
  std::unique_ptr<Candidate> inner_ = MakeScalarCandidate();
  int64_t longest_ = 0;
};

std::function<std::unique_ptr<Candidate>()> Wrapped(std::string name,
                                                    WrappedMutant::Defect defect) {
  return [=] { return std::make_unique<WrappedMutant>(name, defect); };
}

std::function<std::unique_ptr<Candidate>()> CosSin(
    std::string name, CosSinMutant::Former former,
    std::function<void(RopeSpec&)> frequency_spec = nullptr) {
  return [=] { return std::make_unique<CosSinMutant>(name, former, frequency_spec); };
}

// Exact cos/sin of the candidate's own double angle, as scalar forms them.
void Exact(const RopeFrequencies& f, int64_t p, int i, float& c, float& s) {
  const double angle = static_cast<double>(p) * f.inv_freq[i];
  c = static_cast<float>(f.attention_factor * std::cos(angle));
  s = static_cast<float>(f.attention_factor * std::sin(angle));
}

// Calls fn(view, element offset) for every element of every head at d in [from, to).
template <typename Fn>
void ForEachElement(const TensorView& v, int64_t from, int64_t to, Fn&& fn) {
  for (int64_t t = 0; t < v.tokens; ++t) {
    for (int64_t h = 0; h < v.heads; ++h) {
      for (int64_t d = from; d < to; ++d) fn(v.Offset(t, h, d));
    }
  }
}

auto Preset(std::string name, DType dtype = DType::kF32) {
  return [=](const ValidationCase& c) { return c.preset == name && c.dtype == dtype; };
}

auto Group(std::string group, std::string name_part, DType dtype = DType::kF32) {
  return [=](const ValidationCase& c) {
    return c.group == group && c.dtype == dtype && c.name.find(name_part) != std::string::npos;
  };
}

}  // namespace

std::vector<MutantSpec> AllMutants() {
  using D = WrappedMutant::Defect;
  return {
      {"pairing_swapped", 1, DiagnosisCode::kPairingSwapped,
       Wrapped("pairing_swapped", D{.spec =
                                        [](RopeSpec& s) {
                                          s.pairing = s.pairing == Pairing::kHalfSplit
                                                          ? Pairing::kInterleaved
                                                          : Pairing::kHalfSplit;
                                        }}),
       Preset("llama2-7b")},
      {"frequencies_over_head_dim", 2, DiagnosisCode::kPartialRotaryIgnored,
       CosSin("frequencies_over_head_dim", Exact,
              [](RopeSpec& s) { s.rotary_dim = s.head_dim; }),  // theta over head_dim
       Preset("gptneox-20b")},
      {"whole_head_rotated", 2, DiagnosisCode::kPartialRotaryIgnored,
       Wrapped("whole_head_rotated", D{.spec = [](RopeSpec& s) { s.rotary_dim = s.head_dim; }}),
       Preset("gptj-6b")},
      {"tail_clobbered", 2, DiagnosisCode::kPassthroughModified,
       Wrapped("tail_clobbered",
               D{.after =
                     [](const RopeSpec& s, auto, const TensorView& q, const TensorView*, int) {
                       ForEachElement(q, s.rotary_dim, s.rotary_dim + 1, [&](int64_t at) {
                         StoreFromFloat(q.data, q.dtype, at, 0.0f);
                       });
                     }}),
       Preset("gptneox-20b", DType::kBF16)},
      {"position_plus_one", 3, DiagnosisCode::kPositionOffset,
       Wrapped("position_plus_one", D{.positions =
                                          [](std::vector<int64_t>& p) {
                                            for (int64_t& x : p) ++x;
                                          }}),
       Preset("llama3.1-8b")},
      {"decode_offset_lost", 3, DiagnosisCode::kPositionOffset,
       Wrapped("decode_offset_lost",
               D{.positions =
                     [](std::vector<int64_t>& p) {
                       if (p.size() == 1)
                         p[0] = 0;  // a single-token call forgets the KV-cache offset
                     }}),
       Preset("mistral-7b")},
      {"positions_as_index", 4, DiagnosisCode::kPositionOffset,
       Wrapped("positions_as_index", D{.positions =
                                           [](std::vector<int64_t>& p) {
                                             for (size_t t = 0; t < p.size(); ++t)
                                               p[t] = static_cast<int64_t>(t);
                                           }}),
       [](const ValidationCase& c) {
         return c.preset == "qwen2.5-7b" && c.dtype == DType::kF32 &&
                c.position_kind != PositionKind::kSequential;
       }},
      {"fp32_angle", 5, DiagnosisCode::kLowPrecisionAngle, [] { return MakeFp32AngleCandidate(); },
       Preset("codellama-7b")},
      {"bf16_cos_sin_table", 6, DiagnosisCode::kLowPrecisionAngle,
       CosSin("bf16_cos_sin_table",
              [](const RopeFrequencies& f, int64_t p, int i, float& c, float& s) {
                Exact(f, p, i, c, s);
                c = RoundToBF16(c);
                s = RoundToBF16(s);
              }),
       Preset("llama2-7b")},
      {"float_angle_trig", 7, DiagnosisCode::kLowPrecisionAngle,
       CosSin("float_angle_trig",
              [](const RopeFrequencies& f, int64_t p, int i, float& c, float& s) {
                // A fast float sin/cos fed the unreduced angle, rounded to float.
                const float angle = static_cast<float>(static_cast<double>(p) * f.inv_freq[i]);
                c = std::cos(angle) * static_cast<float>(f.attention_factor);
                s = std::sin(angle) * static_cast<float>(f.attention_factor);
              }),
       Preset("llama2-7b")},
      {"float_pi_range_reduction", 7, DiagnosisCode::kLowPrecisionAngle,
       CosSin("float_pi_range_reduction",
              [](const RopeFrequencies& f, int64_t p, int i, float& c, float& s) {
                // Range reduction by a float32 2*pi: the residue drifts by p/(2 pi) * 1.7e-7.
                const double two_pi = static_cast<float>(2 * std::numbers::pi);
                const double angle = std::fmod(static_cast<double>(p) * f.inv_freq[i], two_pi);
                c = static_cast<float>(f.attention_factor * std::cos(angle));
                s = static_cast<float>(f.attention_factor * std::sin(angle));
              }),
       [](const ValidationCase& c) {
         return c.preset == "llama2-7b" && c.dtype == DType::kF32 &&
                c.position_kind == PositionKind::kSequential;
       }},
      {"base_fallback_10000", 8, DiagnosisCode::kBaseMismatch,
       Wrapped("base_fallback_10000", D{.spec = [](RopeSpec& s) { s.base = 1e4; }}),
       Preset("qwen2.5-7b")},
      {"cos_sin_swapped", 9, DiagnosisCode::kCosSinSwapped,
       CosSin("cos_sin_swapped", [](const RopeFrequencies& f, int64_t p, int i, float& c,
                                    float& s) { Exact(f, p, i, s, c); }),
       Preset("llama2-7b", DType::kF16)},
      {"sign_flipped", 9, DiagnosisCode::kRotationInverted,
       Wrapped("sign_flipped", D{.positions =
                                     [](std::vector<int64_t>& p) {
                                       for (int64_t& x : p) x = -x;  // rotates by -angle
                                     }}),
       Preset("gptj-6b")},
      {"dynamic_ntk_never_scaled_back", 10, DiagnosisCode::kNondeterministic,
       [] { return std::make_unique<NeverScaledBackMutant>(); }, Group("scaling", "dynamic_ntk")},
      {"yarn_truncate_ignored", 11, DiagnosisCode::kScalingMismatch,
       Wrapped("yarn_truncate_ignored", D{.spec = [](RopeSpec& s) { s.truncate = false; }}),
       Group("scaling", "/truncate/")},
      {"attention_factor_missing", 12, DiagnosisCode::kAttentionFactorMissing,
       Wrapped("attention_factor_missing",
               D{.spec = [](RopeSpec& s) { s.attention_factor = 1.0; }}),
       Preset("deepseek-v3")},
      {"attention_factor_squared", 12, DiagnosisCode::kAttentionFactorSquared,
       CosSin("attention_factor_squared",
              [](const RopeFrequencies& f, int64_t p, int i, float& c, float& s) {
                Exact(f, p, i, c, s);
                c *= static_cast<float>(f.attention_factor);
                s *= static_cast<float>(f.attention_factor);
              }),
       Preset("phi3.5-mini")},
      {"llama3_factor_hardcoded", 13, DiagnosisCode::kScalingMismatch,
       Wrapped("llama3_factor_hardcoded", D{.spec = [](RopeSpec& s) { s.factor = 8; }}),
       Preset("llama3.2-1b")},
      {"longrope_switch_at_original", 14, DiagnosisCode::kScalingMismatch,
       Wrapped("longrope_switch_at_original", D{.spec =
                                                    [](RopeSpec& s) {
                                                      // seq_len >= original instead of seq_len >
                                                      // original.
                                                      if (s.seq_len == s.original_max_positions)
                                                        ++s.seq_len;
                                                    }}),
       Group("scaling", "longrope")},
      {"head_tail_overrun", 15, DiagnosisCode::kGuardViolation,
       Wrapped("head_tail_overrun",
               D{.after =
                     [](const RopeSpec& s, auto, const TensorView& q, const TensorView* k, int) {
                       // A kernel that rounds head_dim up to its vector width writes past each
                       // head.
                       for (const TensorView* v : {&q, k}) {
                         ForEachElement(*v, s.head_dim, s.head_dim + 1, [&](int64_t at) {
                           StoreFromFloat(v->data, v->dtype, at, 1.0f);
                         });
                       }
                     }}),
       Group("edge", "/d6/")},
      {"strides_ignored", 16, DiagnosisCode::kGuardViolation,
       Wrapped("strides_ignored", D{.view =
                                        [](const TensorView& v) {
                                          TensorView packed = v;
                                          packed.head_stride = v.head_dim;
                                          packed.token_stride = v.heads * v.head_dim;
                                          return packed;
                                        }}),
       [](const ValidationCase& c) {
         return c.preset == "llama3.1-8b" && c.dtype == DType::kF32 &&
                c.layout != Layout::kContiguous;
       }},
      {"nondeterministic", 17, DiagnosisCode::kNondeterministic,
       Wrapped("nondeterministic",
               D{.after =
                     [](const RopeSpec&, auto, const TensorView& q, const TensorView*, int call) {
                       // A race that loses one update on some runs: here every second call.
                       if (call % 2 == 1) {
                         const float x = LoadAsFloat(q.data, q.dtype, 0);
                         StoreFromFloat(q.data, q.dtype, 0, std::nextafter(x, 10.0f));
                       }
                     }}),
       Preset("llama2-7b")},
      {"out_of_bounds_write", 18, DiagnosisCode::kGuardViolation,
       Wrapped("out_of_bounds_write",
               D{.after = [](const RopeSpec&, auto, const TensorView& q, const TensorView*,
                             int) { StoreFromFloat(q.data, q.dtype, -1, 0.0f); }}),
       Preset("mistral-7b", DType::kBF16)},
      {"writes_positions", 18, DiagnosisCode::kGuardViolation,
       Wrapped("writes_positions", D{.after =
                                         [](const RopeSpec&, std::span<const int64_t> p,
                                            const TensorView&, const TensorView*, int) {
                                           const_cast<int64_t&>(p[0]) +=
                                               1;  // scribbles on its input
                                         }}),
       Preset("llama2-7b", DType::kF16)},
      {"scaling_ignored", 13, DiagnosisCode::kScalingIgnored,
       Wrapped("scaling_ignored", D{.spec = [](RopeSpec& s) { s.scaling = Scaling::kNone; }}),
       Preset("llama3.1-8b")},
  };
}

}  // namespace ropebench::testing
