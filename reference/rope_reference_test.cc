// The reference against the properties that define RoPE: norm preservation, relative-position
// invariance, R(a)R(b) = R(a+b), interleaved <-> half-split equivalence under a permutation, and
// matrix form == element-wise form.
#include "reference/rope_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "reference/frequencies.h"
#include "reference/presets.h"

namespace ropebench {
namespace {

DenseTensor RandomTensor(int64_t tokens, int64_t heads, int64_t head_dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(-2, 2);
  DenseTensor x(tokens, heads, head_dim);
  for (double& v : x.values) v = uniform(rng);
  return x;
}

double Dot(const DenseTensor& a, int64_t ta, const DenseTensor& b, int64_t tb, int rotary_dim) {
  double sum = 0;
  for (int d = 0; d < rotary_dim; ++d) sum += a.at(ta, 0, d) * b.at(tb, 0, d);
  return sum;
}

// Every preset's spec with its seq_len fixed, so that shifting positions leaves the frequencies
// alone.
std::vector<RopeSpec> PresetSpecs() {
  std::vector<RopeSpec> specs;
  for (const ModelPreset& preset : ModelPresets()) {
    RopeSpec spec = preset.spec;
    spec.seq_len = preset.max_positions;
    specs.push_back(spec);
  }
  return specs;
}

TEST(RopeReferenceTest, PreservesPairNormTimesAttentionFactor) {
  for (const RopeSpec& spec : PresetSpecs()) {
    const DenseTensor x = RandomTensor(5, 2, spec.head_dim, 1);
    const std::vector<int64_t> positions = {0, 1, 4095, 1 << 20, int64_t{1} << 40};
    const DenseTensor y = ApplyRope(spec, positions, x);
    const double attention = AttentionFactor(spec);
    for (int64_t t = 0; t < x.tokens; ++t) {
      for (int i = 0; i < spec.rotary_dim / 2; ++i) {
        const PairIndex p = PairElements(spec.pairing, spec.rotary_dim, i);
        const double in = std::hypot(x.at(t, 1, p.first), x.at(t, 1, p.second));
        const double out = std::hypot(y.at(t, 1, p.first), y.at(t, 1, p.second));
        EXPECT_NEAR(out / in, attention, 4e-16 * attention);
      }
      for (int d = spec.rotary_dim; d < spec.head_dim; ++d) {
        EXPECT_EQ(y.at(t, 1, d), x.at(t, 1, d)) << "pass-through dim " << d;
      }
    }
  }
}

TEST(RopeReferenceTest, IdentityAtPositionZero) {
  RopeSpec spec = FindPreset("llama2-7b")->spec;
  const DenseTensor x = RandomTensor(1, 3, 128, 2);
  EXPECT_EQ(ApplyRope(spec, std::vector<int64_t>{0}, x).values, x.values);
}

TEST(RopeReferenceTest, ScoresDependOnlyOnRelativePosition) {
  for (const RopeSpec& spec : PresetSpecs()) {
    const DenseTensor q = RandomTensor(1, 1, spec.head_dim, 3);
    const DenseTensor k = RandomTensor(1, 1, spec.head_dim, 4);
    for (int64_t shift : {int64_t{1}, int64_t{1000}, int64_t{1} << 24, int64_t{1} << 31}) {
      const std::vector<int64_t> m = {17}, n = {5};
      const std::vector<int64_t> ms = {17 + shift}, ns = {5 + shift};
      const double base_score =
          Dot(ApplyRope(spec, m, q), 0, ApplyRope(spec, n, k), 0, spec.rotary_dim);
      const double shifted =
          Dot(ApplyRope(spec, ms, q), 0, ApplyRope(spec, ns, k), 0, spec.rotary_dim);
      // The extended-precision angle is good to about p * 2^-63 radians.
      EXPECT_NEAR(shifted, base_score, 1e-9 * spec.rotary_dim) << "shift " << shift;
    }
  }
}

TEST(RopeReferenceTest, RotationsCompose) {
  // R(a) R(b) = R(a + b): applying position b to the output of position a equals position a + b.
  RopeSpec spec = FindPreset("qwen2.5-7b")->spec;
  const DenseTensor x = RandomTensor(1, 2, 128, 5);
  for (auto [a, b] : {std::pair<int64_t, int64_t>{3, 4}, {1000, 24}, {1 << 20, (1 << 20) + 7}}) {
    const DenseTensor twice =
        ApplyRope(spec, std::vector<int64_t>{b}, ApplyRope(spec, std::vector<int64_t>{a}, x));
    const DenseTensor once = ApplyRope(spec, std::vector<int64_t>{a + b}, x);
    for (size_t n = 0; n < x.values.size(); ++n) {
      EXPECT_NEAR(twice.values[n], once.values[n], 1e-12) << "a=" << a << " b=" << b;
    }
  }
}

TEST(RopeReferenceTest, InterleavedEqualsHalfSplitUnderPermutation) {
  // Half-split pair i is (i, i + d/2); interleaved pair i is (2i, 2i+1). Moving element i to 2i and
  // element i + d/2 to 2i + 1 turns one convention into the other.
  for (const RopeSpec& preset : PresetSpecs()) {
    RopeSpec half = preset, inter = preset;
    half.pairing = Pairing::kHalfSplit;
    inter.pairing = Pairing::kInterleaved;
    const int d = preset.rotary_dim;
    const DenseTensor x = RandomTensor(3, 1, preset.head_dim, 6);
    DenseTensor permuted = x;
    for (int64_t t = 0; t < x.tokens; ++t) {
      for (int i = 0; i < d / 2; ++i) {
        permuted.at(t, 0, 2 * i) = x.at(t, 0, i);
        permuted.at(t, 0, 2 * i + 1) = x.at(t, 0, i + d / 2);
      }
    }
    const std::vector<int64_t> positions = {0, 77, 1 << 22};
    const DenseTensor y_half = ApplyRope(half, positions, x);
    const DenseTensor y_inter = ApplyRope(inter, positions, permuted);
    for (int64_t t = 0; t < x.tokens; ++t) {
      for (int i = 0; i < d / 2; ++i) {
        EXPECT_EQ(y_inter.at(t, 0, 2 * i), y_half.at(t, 0, i));
        EXPECT_EQ(y_inter.at(t, 0, 2 * i + 1), y_half.at(t, 0, i + d / 2));
      }
    }
  }
}

TEST(RopeReferenceTest, MatrixFormEqualsElementWiseForm) {
  // RoFormer's block-diagonal R_p applied as a dense matrix product, built here from cos/sin in
  // double.
  for (const RopeSpec& spec : PresetSpecs()) {
    const DenseTensor x = RandomTensor(2, 1, spec.head_dim, 7);
    const std::vector<int64_t> positions = {9, 123456};
    const std::vector<double> theta = InverseFrequencies(spec);
    const double attention = AttentionFactor(spec);
    const DenseTensor y = ApplyRope(spec, positions, x);
    const int n = spec.head_dim;
    for (int64_t t = 0; t < x.tokens; ++t) {
      std::vector<double> matrix(n * n, 0.0);
      for (int d = spec.rotary_dim; d < n; ++d) matrix[d * n + d] = 1;
      for (int i = 0; i < spec.rotary_dim / 2; ++i) {
        const PairIndex p = PairElements(spec.pairing, spec.rotary_dim, i);
        const double angle = static_cast<double>(positions[t]) * theta[i];
        const double c = attention * std::cos(angle), s = attention * std::sin(angle);
        matrix[p.first * n + p.first] = c;
        matrix[p.first * n + p.second] = -s;
        matrix[p.second * n + p.first] = s;
        matrix[p.second * n + p.second] = c;
      }
      for (int row = 0; row < n; ++row) {
        double sum = 0;
        for (int col = 0; col < n; ++col) sum += matrix[row * n + col] * x.at(t, 0, col);
        // A double angle at position 123456 is off by up to ~1e-11: that bounds the agreement.
        EXPECT_NEAR(sum, y.at(t, 0, row), 1e-10) << "row " << row;
      }
    }
  }
}

TEST(RopeReferenceTest, ExactAtHugePositions) {
  // Pair 0 has theta = 1, so its angle is the position itself: cos(2^40) needs the reduction to be
  // exact.
  RopeSpec spec = FindPreset("llama2-7b")->spec;
  DenseTensor x(1, 1, 128);
  x.at(0, 0, 0) = 1;  // (a, b) = (1, 0) -> (cos p, sin p)
  const int64_t p = int64_t{1} << 40;
  const DenseTensor y = ApplyRope(spec, std::vector<int64_t>{p}, x);
  // cos(2^40) and sin(2^40) evaluated at 50 digits with mpmath.
  EXPECT_NEAR(y.at(0, 0, 0), -0.91400407199155700, 1e-15);
  EXPECT_NEAR(y.at(0, 0, 64), -0.40570501153282872, 1e-15);
}

}  // namespace
}  // namespace ropebench
