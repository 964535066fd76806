#include "bench/validation/testing/real_emulations.h"

#include <algorithm>
#include <cmath>

#include "impls/core/inv_freq.h"
#include "impls/core/numeric.h"
#include "impls/core/pairwise_candidate.h"

namespace ropebench::testing {
namespace {

constexpr int64_t kInt32End = int64_t{1} << 31;
// Where the emulated vLLM cache ends: positions past it are declined, as an index past the table.
constexpr int64_t kCacheEnd = int64_t{1} << 21;

// cos/sin rounded to the activation dtype, as Hugging Face and vLLM cast them before rotating.
float CastTo(DType dtype, float x) {
  switch (dtype) {
    case DType::kBF16:
      return RoundToBF16(x);
    case DType::kF16:
      return F16ToFloat(FloatToF16(x));
    case DType::kF32:
      break;
  }
  return x;
}

// The argument __sincosf's hardware really takes: the angle in turns, one float32 multiply by
// 1/(2 pi), reduced to its fraction, back in radians (the range reduction that makes its error
// grow with |angle|, documented only for |angle| <= pi).
float FastSinCosArgument(float angle) {
  constexpr float kTurnsPerRadian = 0.15915494f, kRadiansPerTurn = 6.28318548f;
  float turns = angle * kTurnsPerRadian;
  turns -= std::nearbyint(turns);
  return turns * kRadiansPerTurn;
}

// What an engine derives from a spec before its per-token loop: the base its default frequencies
// come from (NTK's grown one) and each pair's factor on top (linear, YaRN, Llama-3, LongRoPE), from
// the engine-side frequencies of impls/inv_freq.
struct EngineFrequencies {
  double base = 0;
  std::vector<double> ratio;  // inv_freq[i] / base^(-2i/d)
  double attention = 1;
  int rotary_dim = 0;
};

EngineFrequencies EngineFrequenciesOf(const RopeSpec& spec) {
  const RopeFrequencies f = ComputeRopeFrequencies(spec);
  EngineFrequencies e;
  e.rotary_dim = spec.rotary_dim;
  e.attention = f.attention_factor;
  const bool grown_base = spec.scaling == Scaling::kNtk || spec.scaling == Scaling::kDynamicNtk;
  e.base = grown_base && f.inv_freq.size() > 1 ? std::pow(f.inv_freq[1], -spec.rotary_dim / 2.0)
                                               : spec.base;
  for (size_t i = 0; i < f.inv_freq.size(); ++i) {
    e.ratio.push_back(f.inv_freq[i] /
                      std::pow(e.base, -2.0 * static_cast<double>(i) / spec.rotary_dim));
  }
  return e;
}

// What a defect makes the implementation read from the spec (offsets and signs act elsewhere).
void MisreadSpec(InjectedDefect defect, RopeSpec& spec) {
  switch (defect) {
    case InjectedDefect::kPairingSwapped:
      spec.pairing =
          spec.pairing == Pairing::kHalfSplit ? Pairing::kInterleaved : Pairing::kHalfSplit;
      break;
    case InjectedDefect::kWrongBase:
      spec.base = spec.base == 1e6 ? 1e4 : 1e6;
      break;
    case InjectedDefect::kScalingIgnored:
      spec.scaling = Scaling::kNone;
      spec.attention_factor = 1;
      break;
    case InjectedDefect::kAttentionFactorMissing:
      spec.attention_factor = 1;
      break;
    case InjectedDefect::kNone:
    case InjectedDefect::kOffsetPlusOne:
    case InjectedDefect::kSignFlipped:
      break;
  }
}

class RealEmulation final : public PairwiseCandidate {
 public:
  RealEmulation(std::string name, AngleProfile profile, InjectedDefect defect,
                std::vector<Scaling> scalings)
      : PairwiseCandidate(std::move(name), CapabilitiesFor(std::move(scalings))),
        profile_(profile),
        defect_(defect) {}

  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override {
    const int64_t end = profile_ == AngleProfile::kCastCache ? kCacheEnd : kInt32End;
    const bool bounded = profile_ == AngleProfile::kGgmlRecurrence ||
                         profile_ == AngleProfile::kInt32Positions ||
                         profile_ == AngleProfile::kCastCache;
    for (int64_t p : positions) {
      if (bounded && p >= end) {
        return {CallStatus::kUnsupported, profile_ == AngleProfile::kCastCache
                                              ? "position past the cos/sin cache (2^21 positions)"
                                              : "positions >= 2^31 do not fit an int32"};
      }
    }
    RopeSpec used = spec;
    std::vector<int64_t> used_positions(positions.begin(), positions.end());
    MisreadSpec(defect_, used);
    if (defect_ == InjectedDefect::kOffsetPlusOne) {
      for (int64_t& p : used_positions) ++p;
    }
    if (profile_ == AngleProfile::kDynamicNtkOnce) {
      used.seq_len = static_cast<int64_t>(used.original_max_positions * used.factor);
    }
    dtype_ = q.dtype;
    return PairwiseCandidate::Rotate(used, used_positions, q, k);
  }

 protected:
  CosSinFn PrepareCosSin(const RopeSpec& spec) override {
    const EngineFrequencies e = EngineFrequenciesOf(spec);
    const int pairs = spec.rotary_dim / 2;
    const float sign = defect_ == InjectedDefect::kSignFlipped ? -1.0f : 1.0f;
    const float attention = static_cast<float>(e.attention);
    if (profile_ == AngleProfile::kInt32Positions) {
      const RopeFrequencies exact = ComputeRopeFrequencies(spec);
      return [exact, pairs, sign](int64_t p, float* cos, float* sin) {
        CosSinAt(exact, p, cos, sin);
        for (int i = 0; i < pairs; ++i) sin[i] *= sign;
      };
    }
    if (profile_ == AngleProfile::kGgmlRecurrence || profile_ == AngleProfile::kPerElementPow) {
      return GgmlCosSin(spec, e, sign);
    }
    // Hugging Face: inv_freq = 1 / base ** (arange(0, d, 2).float() / d) in float32, then the
    // method's factor per pair in float32; angle = float(p) * inv_freq in float32.
    // FlashInfer: __powf(1 / base, 2i / d), which the GPU evaluates as exp2(y * log2(x)).
    std::vector<float> inv_freq(pairs);
    const float d = static_cast<float>(spec.rotary_dim);
    const bool fast = profile_ == AngleProfile::kFastSinCos;
    for (int i = 0; i < pairs; ++i) {
      const float exponent = static_cast<float>(2 * i) / d;
      inv_freq[i] = fast ? std::exp2(exponent * std::log2(1.0f / static_cast<float>(e.base)))
                         : 1.0f / std::pow(static_cast<float>(e.base), exponent);
      if (spec.scaling == Scaling::kLinear) {
        inv_freq[i] /= static_cast<float>(spec.factor);
      } else if (e.ratio[i] != 1) {
        inv_freq[i] *= static_cast<float>(e.ratio[i]);
      }
    }
    return [this, inv_freq, pairs, sign, attention, fast](int64_t p, float* cos, float* sin) {
      // FlashInfer rotates in float32 registers: its cos/sin are never cast to the dtype.
      const DType table_dtype = fast ? DType::kF32 : dtype_;
      for (int i = 0; i < pairs; ++i) {
        float angle = static_cast<float>(p) * inv_freq[i];
        if (profile_ == AngleProfile::kBf16Angle) angle = RoundToBF16(angle);
        if (fast) angle = FastSinCosArgument(angle);
        cos[i] = CastTo(table_dtype, std::cos(angle) * attention);
        sin[i] = CastTo(table_dtype, sign * std::sin(angle) * attention);
      }
    };
  }

 private:
  static Capabilities CapabilitiesFor(std::vector<Scaling> scalings) {
    Capabilities c = AllCapabilities("test emulation of a real implementation");
    c.scalings = std::move(scalings);
    c.emulation = true;
    return c;
  }

  // ggml's rope_yarn: theta_base from the recurrence (CPU) or one powf per element (CUDA), divided
  // by the pair's frequency factor, scaled by freq_scale and mixed by the YaRN ramp, all in
  // float32; positions as int32.
  CosSinFn GgmlCosSin(const RopeSpec& spec, const EngineFrequencies& e, float sign) const {
    const int pairs = spec.rotary_dim / 2;
    const float theta_scale =
        std::pow(static_cast<float>(e.base), -2.0f / static_cast<float>(spec.rotary_dim));
    const bool yarn = spec.scaling == Scaling::kYarn;
    const bool linear = spec.scaling == Scaling::kLinear;
    const float freq_scale = yarn || linear ? 1.0f / static_cast<float>(spec.factor) : 1.0f;
    std::vector<float> freq_factor(pairs, 1.0f), ramp_mix(pairs, 0.0f);
    for (int i = 0; i < pairs; ++i) {
      if (yarn) {
        // ratio = 1 - ramp (1 - 1/factor): ramp_mix is ggml's share of the extrapolated angle.
        const double ramp = (1 - e.ratio[i]) / (1 - 1 / spec.factor);
        ramp_mix[i] = static_cast<float>(1 - ramp);
      } else if (!linear) {
        freq_factor[i] = static_cast<float>(1 / e.ratio[i]);
      }
    }
    const float attention = static_cast<float>(e.attention);
    const bool recurrence = profile_ == AngleProfile::kGgmlRecurrence;
    return [=](int64_t p, float* cos, float* sin) {
      const float position = static_cast<float>(static_cast<int32_t>(p));
      float theta_base = position;
      for (int i = 0; i < pairs; ++i) {
        if (!recurrence) {
          theta_base = position * std::pow(theta_scale, static_cast<float>(i));
        }
        const float theta_extrap = theta_base / freq_factor[i];
        const float theta_interp = freq_scale * theta_extrap;
        const float theta =
            yarn ? theta_interp * (1 - ramp_mix[i]) + theta_extrap * ramp_mix[i] : theta_interp;
        cos[i] = std::cos(theta) * attention;
        sin[i] = sign * std::sin(theta) * attention;
        if (recurrence) theta_base *= theta_scale;
      }
    };
  }

  AngleProfile profile_;
  InjectedDefect defect_;
  DType dtype_ = DType::kF32;
};

struct ProfileRow {
  const char* name;
  AngleProfile profile;
  std::vector<Scaling> scalings;
  DiagnosisCode own_code;  // what the profile alone must be diagnosed as
};

struct DefectRow {
  const char* name;
  InjectedDefect defect;
  DiagnosisCode code;  // for kNone unused: the profile's own code applies
};

}  // namespace

bool DefectChangesConvention(InjectedDefect defect, const RopeSpec& spec, double smallest) {
  switch (defect) {
    case InjectedDefect::kNone:  // the profile alone: every failure counts
    case InjectedDefect::kOffsetPlusOne:
    case InjectedDefect::kSignFlipped:
      return true;
    case InjectedDefect::kPairingSwapped:
      return spec.rotary_dim > 2;  // one pair is the same pair either way
    default:
      break;
  }
  RopeSpec changed = spec;
  MisreadSpec(defect, changed);
  const RopeFrequencies a = ComputeRopeFrequencies(spec), b = ComputeRopeFrequencies(changed);
  bool differs = std::fabs(a.attention_factor / b.attention_factor - 1) > smallest;
  for (size_t i = 0; i < a.inv_freq.size(); ++i) {
    differs = differs || std::fabs(a.inv_freq[i] / b.inv_freq[i] - 1) > smallest;
  }
  return differs;
}

std::vector<EmulationSpec> AllEmulations() {
  using S = Scaling;
  const std::vector<Scaling> every(std::begin(kAllScalings), std::end(kAllScalings));
  const std::vector<ProfileRow> profiles = {
      {"hf_f32",
       AngleProfile::kHuggingFace,
       {S::kNone, S::kLinear, S::kNtk, S::kDynamicNtk},
       DiagnosisCode::kLowPrecisionAngle},
      {"ggml_cpu", AngleProfile::kGgmlRecurrence, every, DiagnosisCode::kLowPrecisionAngle},
      {"ggml_cuda", AngleProfile::kPerElementPow, every, DiagnosisCode::kLowPrecisionAngle},
      {"bf16_angle", AngleProfile::kBf16Angle, every, DiagnosisCode::kLowPrecisionAngle},
      {"vllm_cache", AngleProfile::kCastCache, every, DiagnosisCode::kLowPrecisionAngle},
      // Computing the dynamic base once is a convention of its own, not a rounding: named as the
      // scaling misapplied (BUG_CLASSES.md row 10).
      {"dynamic_ntk_once",
       AngleProfile::kDynamicNtkOnce,
       {S::kDynamicNtk},
       DiagnosisCode::kScalingMismatch},
      {"int32_positions", AngleProfile::kInt32Positions, every, DiagnosisCode::kLowPrecisionAngle},
      {"flashinfer_fast",
       AngleProfile::kFastSinCos,
       {S::kNone, S::kLinear, S::kLlama3},
       DiagnosisCode::kLowPrecisionAngle},
  };
  const std::vector<DefectRow> defects = {
      {"", InjectedDefect::kNone, DiagnosisCode::kUnexplained},
      {"pairing_swapped", InjectedDefect::kPairingSwapped, DiagnosisCode::kPairingSwapped},
      {"offset_plus_one", InjectedDefect::kOffsetPlusOne, DiagnosisCode::kPositionOffset},
      {"sign_flipped", InjectedDefect::kSignFlipped, DiagnosisCode::kRotationInverted},
      {"wrong_base", InjectedDefect::kWrongBase, DiagnosisCode::kBaseMismatch},
      {"scaling_ignored", InjectedDefect::kScalingIgnored, DiagnosisCode::kScalingIgnored},
      {"attention_factor_missing", InjectedDefect::kAttentionFactorMissing,
       DiagnosisCode::kAttentionFactorMissing},
  };
  std::vector<EmulationSpec> all;
  for (const ProfileRow& p : profiles) {
    for (const DefectRow& d : defects) {
      if (p.profile == AngleProfile::kDynamicNtkOnce && d.defect != InjectedDefect::kNone) continue;
      // Only YaRN and LongRoPE carry an attention factor (reference/frequencies.cc): an emulation
      // with neither has nothing to miss.
      const bool has_attention_factor =
          std::any_of(p.scalings.begin(), p.scalings.end(),
                      [](Scaling s) { return s == S::kYarn || s == S::kLongrope; });
      if (!has_attention_factor && d.defect == InjectedDefect::kAttentionFactorMissing) continue;
      const std::string name = d.defect == InjectedDefect::kNone
                                   ? std::string(p.name)
                                   : std::string(p.name) + "+" + d.name;
      all.push_back(
          {name, p.profile, d.defect, d.defect == InjectedDefect::kNone ? p.own_code : d.code,
           p.scalings,
           [=] { return std::make_unique<RealEmulation>(name, p.profile, d.defect, p.scalings); }});
    }
  }
  return all;
}

}  // namespace ropebench::testing
