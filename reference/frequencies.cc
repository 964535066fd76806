#include "reference/frequencies.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

namespace ropebench {
namespace {

// Every formula is evaluated in extended precision (see the header).
using Real = long double;

// theta_i = base^(-2i/d): the default RoPE frequencies for a given base.
std::vector<Real> DefaultFrequencies(Real base, int rotary_dim) {
  std::vector<Real> theta(rotary_dim / 2);
  for (int i = 0; i < rotary_dim / 2; ++i) {
    theta[i] = std::pow(base, -Real(2 * i) / Real(rotary_dim));
  }
  return theta;
}

// NTK-aware base: base * alpha^(d/(d-2)).
Real NtkBase(Real base, Real alpha, int rotary_dim) {
  const Real d = rotary_dim;
  return base * std::pow(alpha, d / (d - 2));
}

Real YarnCorrectionDim(Real rotations, const RopeSpec& s) {
  const Real d = s.rotary_dim;
  return d * std::log(Real(s.original_max_positions) / (2 * std::numbers::pi_v<Real> * rotations)) /
         (2 * std::log(Real(s.base)));
}

std::pair<Real, Real> YarnRangeIn(const RopeSpec& s) {
  Real low = YarnCorrectionDim(s.beta_fast, s);
  Real high = YarnCorrectionDim(s.beta_slow, s);
  if (s.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, Real(0));
  high = std::min(high, Real(s.rotary_dim - 1));
  if (low == high) high += Real(0.001);  // keeps the ramp's division finite
  return {low, high};
}

std::vector<Real> YarnFrequencies(const RopeSpec& s) {
  std::vector<Real> theta = DefaultFrequencies(s.base, s.rotary_dim);
  const auto [low, high] = YarnRangeIn(s);
  for (size_t i = 0; i < theta.size(); ++i) {
    const Real ramp = std::clamp((Real(i) - low) / (high - low), Real(0), Real(1));
    theta[i] = ramp * theta[i] / Real(s.factor) + (1 - ramp) * theta[i];
  }
  return theta;
}

std::vector<Real> Llama3Frequencies(const RopeSpec& s) {
  std::vector<Real> theta = DefaultFrequencies(s.base, s.rotary_dim);
  const Real original = s.original_max_positions, factor = s.factor;
  const Real low_freq_wavelen = original / Real(s.low_freq_factor);
  const Real high_freq_wavelen = original / Real(s.high_freq_factor);
  for (Real& t : theta) {
    const Real wavelen = 2 * std::numbers::pi_v<Real> / t;
    if (wavelen > low_freq_wavelen) {
      t = t / factor;
    } else if (wavelen >= high_freq_wavelen) {
      const Real smooth = (original / wavelen - Real(s.low_freq_factor)) /
                          (Real(s.high_freq_factor) - Real(s.low_freq_factor));
      t = (1 - smooth) * t / factor + smooth * t;
    }
  }
  return theta;
}

std::vector<Real> LongropeFrequencies(const RopeSpec& s) {
  // The long factors apply only once the sequence is longer than the pre-training context.
  const std::vector<double>& ext =
      s.seq_len > s.original_max_positions ? s.long_factor : s.short_factor;
  std::vector<Real> theta(s.rotary_dim / 2);
  for (int i = 0; i < s.rotary_dim / 2; ++i) {
    theta[i] = 1 / (Real(ext[i]) * std::pow(Real(s.base), Real(2 * i) / Real(s.rotary_dim)));
  }
  return theta;
}

// YaRN's g(s, m) = 0.1 m ln(s) + 1 for s > 1.
Real YarnMscale(Real scale, Real mscale) {
  return scale <= 1 ? Real(1) : mscale * std::log(scale) / 10 + 1;  // 0.1 exactly, not a double 0.1
}

std::vector<Real> InverseFrequenciesIn(const RopeSpec& s) {
  switch (s.scaling) {
    case Scaling::kNone:
      return DefaultFrequencies(s.base, s.rotary_dim);
    case Scaling::kLinear: {
      std::vector<Real> theta = DefaultFrequencies(s.base, s.rotary_dim);
      for (Real& t : theta) t /= Real(s.factor);
      return theta;
    }
    case Scaling::kNtk:
      return DefaultFrequencies(NtkBase(s.base, s.factor, s.rotary_dim), s.rotary_dim);
    case Scaling::kDynamicNtk: {
      const Real original = s.original_max_positions;
      const Real length = std::max<int64_t>(s.seq_len, s.original_max_positions);
      const Real alpha = Real(s.factor) * length / original - (Real(s.factor) - 1);
      return DefaultFrequencies(NtkBase(s.base, alpha, s.rotary_dim), s.rotary_dim);
    }
    case Scaling::kYarn:
      return YarnFrequencies(s);
    case Scaling::kLlama3:
      return Llama3Frequencies(s);
    case Scaling::kLongrope:
      return LongropeFrequencies(s);
  }
  return {};
}

}  // namespace

std::vector<long double> InverseFrequenciesExtended(const RopeSpec& spec) {
  return InverseFrequenciesIn(spec);
}

std::vector<double> InverseFrequencies(const RopeSpec& spec) {
  const std::vector<long double> extended = InverseFrequenciesExtended(spec);
  return {extended.begin(), extended.end()};
}

long double AttentionFactorExtended(const RopeSpec& s) {
  if (s.attention_factor) return Real(*s.attention_factor);
  if (s.scaling == Scaling::kYarn) {
    if (s.mscale != 0 && s.mscale_all_dim != 0) {
      return YarnMscale(s.factor, s.mscale) / YarnMscale(s.factor, s.mscale_all_dim);
    }
    return YarnMscale(s.factor, 1);
  }
  if (s.scaling == Scaling::kLongrope) {
    if (s.factor <= 1) return Real(1);
    return std::sqrt(1 + std::log(Real(s.factor)) / std::log(Real(s.original_max_positions)));
  }
  return Real(1);
}

double AttentionFactor(const RopeSpec& spec) {
  return static_cast<double>(AttentionFactorExtended(spec));
}

YarnRange YarnCorrectionRange(const RopeSpec& spec) {
  const auto [low, high] = YarnRangeIn(spec);
  return {static_cast<double>(low), static_cast<double>(high)};
}

}  // namespace ropebench
