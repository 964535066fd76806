#include "reports/html/preset_properties.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace ropebench {
namespace {

TEST(DecayBound, AtDistanceZeroEveryPartialSumIsItsLength) {
  // |S_j(0)| = j, so the bound is the mean of 1..n: (n + 1) / 2.
  const std::vector<double> theta(64, 0.3);
  EXPECT_DOUBLE_EQ(DecayBound(theta, 0), 32.5);
}

TEST(DecayBound, OneFrequencyIsTheModulusOfOneTurn) {
  const std::vector<double> theta = {1.0};
  EXPECT_NEAR(DecayBound(theta, 2.0), 1.0, 1e-15);
}

TEST(DecayBound, FallsWithDistanceForLlama2) {
  const PresetProperties p = ComputePresetProperties(*FindPreset("llama2-7b"));
  ASSERT_EQ(p.distance.size(), p.decay.size());
  EXPECT_GT(p.decay.front(), 30);  // near m = 1: almost every pair still aligned
  EXPECT_LT(p.decay.back(), 0.5 * p.decay.front());
}

TEST(PresetProperties, Llama3StretchesOnlyTheLongWavelengths) {
  // DESIGN.md §2: wavelengths above original/low_freq_factor are divided by factor (stretched by
  // 8 here), those below original/high_freq_factor are left alone.
  const ModelPreset& preset = *FindPreset("llama3.1-8b");
  const PresetProperties p = ComputePresetProperties(preset);
  const double original = static_cast<double>(preset.spec.original_max_positions);
  ASSERT_EQ(p.wavelength.size(), static_cast<size_t>(preset.spec.rotary_dim / 2));
  EXPECT_DOUBLE_EQ(p.wavelength[0], 2 * std::numbers::pi);
  int stretched = 0, untouched = 0;
  for (size_t i = 0; i < p.wavelength.size(); ++i) {
    const double stretch = p.scaled_wavelength[i] / p.wavelength[i];
    if (p.wavelength[i] > original / preset.spec.low_freq_factor) {
      EXPECT_NEAR(stretch, preset.spec.factor, 1e-12) << i;
      ++stretched;
    } else if (p.wavelength[i] < original / preset.spec.high_freq_factor) {
      EXPECT_NEAR(stretch, 1.0, 1e-12) << i;
      ++untouched;
    }
  }
  EXPECT_GT(stretched, 0);
  EXPECT_GT(untouched, 0);
  EXPECT_EQ(p.original_context, preset.spec.original_max_positions);
  EXPECT_EQ(p.context, preset.max_positions);
}

}  // namespace
}  // namespace ropebench
