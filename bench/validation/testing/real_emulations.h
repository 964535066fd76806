// Emulations of how the RoPE implementations people bring compute it
// (../shared/REAL_IMPLEMENTATIONS.md), compiled only into the tests: the right convention with a
// precision profile of their own, and each again with one convention defect injected. ropebench is
// judged by what it says about these, not only about its own mutants
// (bench/validation/testing/mutants.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "impls/core/candidate.h"
#include "reports/records.h"

namespace ropebench::testing {

// How an emulated implementation forms its angles (one row of REAL_IMPLEMENTATIONS.md each).
enum class AngleProfile {
  kHuggingFace,     // float32 inv_freq from a float32 pow, float32 angle, cos/sin cast to the dtype
  kGgmlRecurrence,  // ggml CPU: theta = p, theta *= powf(base, -2/d) pair after pair, per-pair
                    // frequency factors and a YaRN ramp, int32 positions
  kPerElementPow,   // ggml CUDA/Vulkan: p * powf(theta_scale, i) per element in float32
  kBf16Angle,       // the float32 angle rounded to bf16 before cos/sin
  kCastCache,       // vLLM: a float32 cos/sin cache (from float32 inv_freq), cast to the dtype
  kDynamicNtkOnce,  // vLLM's "dynamic" NTK: the base computed once for original_max * factor
  kInt32Positions,  // exact angles, but only positions that fit an int32 (declines the rest)
  kFastSinCos,      // FlashInfer: frequencies from a fast float32 powf (exp2(y log2 x)), float32
                    // angle, and a fast sincos whose range reduction is one float32 multiply by
                    // 1/(2 pi): the angle loses about |angle| 2^-24 more
};

// A convention defect injected on top of a profile.
enum class InjectedDefect {
  kNone,
  kPairingSwapped,
  kOffsetPlusOne,
  kSignFlipped,
  kWrongBase,
  kScalingIgnored,
  kAttentionFactorMissing,
};

struct EmulationSpec {
  std::string name;
  AngleProfile profile;
  InjectedDefect defect;
  DiagnosisCode expected_code;    // kLowPrecisionAngle for a profile alone, else the defect's code
  std::vector<Scaling> scalings;  // the methods it implements (others are declined as skipped)
  std::function<std::unique_ptr<Candidate>()> make;
};

// Every profile alone, and each with every injected defect.
std::vector<EmulationSpec> AllEmulations();

// Whether the defect changes what a spec computes (ignoring a scaling changes nothing for a spec
// without one) by more than `smallest` relative to a frequency or the attention factor: only such
// cases can be expected to name it.
bool DefectChangesConvention(InjectedDefect defect, const RopeSpec& spec, double smallest);

}  // namespace ropebench::testing
