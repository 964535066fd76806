// Emulations of common practice, kept to show in the report how far each drifts at long positions.
// They are validated only when named: at short range they are fine, and that is the point.
#include <cmath>
#include <vector>

#include "impls/core/inv_freq.h"
#include "impls/core/pairwise_candidate.h"
#include "impls/variants.h"

namespace ropebench {
namespace {

Capabilities EmulationCapabilities(std::vector<Scaling> scalings, std::string description) {
  Capabilities capabilities = AllCapabilities(std::move(description));
  capabilities.scalings = std::move(scalings);
  capabilities.emulation = true;
  return capabilities;
}

// fp32_angle: inv_freq kept as a float32 buffer and angle = float(p) * inv_freq in float32, then
// cosf/sinf, as PyTorch/JAX/NumPy modeling code does (torch.outer(t.float(), inv_freq)).
class Fp32AngleCandidate final : public PairwiseCandidate {
 public:
  Fp32AngleCandidate()
      : PairwiseCandidate("fp32_angle",
                          EmulationCapabilities(std::vector<Scaling>(std::begin(kAllScalings),
                                                                     std::end(kAllScalings)),
                                                "emulation: angle p*theta in float32")) {}

 protected:
  CosSinFn PrepareCosSin(const RopeSpec& spec) override {
    const RopeFrequencies freq = ComputeRopeFrequencies(spec);
    std::vector<float> inv_freq(freq.inv_freq.begin(), freq.inv_freq.end());
    const float attention = static_cast<float>(freq.attention_factor);
    return [inv_freq, attention](int64_t position, float* cos, float* sin) {
      const float p = static_cast<float>(position);
      for (size_t i = 0; i < inv_freq.size(); ++i) {
        const float angle = p * inv_freq[i];
        cos[i] = std::cos(angle) * attention;
        sin[i] = std::sin(angle) * attention;
      }
    };
  }
};

// ggml_recurrence: ggml's CPU rope cache: theta starts at float(p) and is multiplied by
// theta_scale = powf(base, -2/n_dims) in float32 from one pair to the next; linear scaling is its
// freq_scale = 1/factor.
class GgmlRecurrenceCandidate final : public PairwiseCandidate {
 public:
  GgmlRecurrenceCandidate()
      : PairwiseCandidate(
            "ggml_recurrence",
            EmulationCapabilities({Scaling::kNone, Scaling::kLinear},
                                  "emulation: ggml's theta *= theta_scale in float32")) {}

 protected:
  CosSinFn PrepareCosSin(const RopeSpec& spec) override {
    const float theta_scale = std::pow(static_cast<float>(spec.base), -2.0f / spec.rotary_dim);
    const float freq_scale =
        spec.scaling == Scaling::kLinear ? 1.0f / static_cast<float>(spec.factor) : 1.0f;
    const float mscale = static_cast<float>(spec.attention_factor.value_or(1.0));
    const int half = spec.rotary_dim / 2;
    return [=](int64_t position, float* cos, float* sin) {
      float theta = static_cast<float>(position);
      for (int i = 0; i < half; ++i) {
        const float scaled = freq_scale * theta;
        cos[i] = std::cos(scaled) * mscale;
        sin[i] = std::sin(scaled) * mscale;
        theta *= theta_scale;
      }
    };
  }
};

}  // namespace

std::unique_ptr<Candidate> MakeFp32AngleCandidate() {
  return std::make_unique<Fp32AngleCandidate>();
}
std::unique_ptr<Candidate> MakeGgmlRecurrenceCandidate() {
  return std::make_unique<GgmlRecurrenceCandidate>();
}

}  // namespace ropebench
