#include "impls/core/inv_freq.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ropebench {
namespace {

constexpr double kPi = std::numbers::pi;

// inv_freq = 1 / (base ** (arange(0, dim, 2) / dim))
std::vector<double> Standard(double base, int dim) {
  std::vector<double> inv_freq;
  for (int j = 0; j < dim; j += 2) inv_freq.push_back(1.0 / std::pow(base, double(j) / dim));
  return inv_freq;
}

double YarnGetMscale(double scale, double mscale) {
  if (scale <= 1) return 1.0;
  return 0.1 * mscale * std::log(scale) + 1.0;
}

RopeFrequencies Yarn(const RopeSpec& s) {
  const int dim = s.rotary_dim;
  auto find_correction_dim = [&](double num_rotations) {
    return (dim * std::log(s.original_max_positions / (num_rotations * 2 * kPi))) /
           (2 * std::log(s.base));
  };
  double low = find_correction_dim(s.beta_fast);
  double high = find_correction_dim(s.beta_slow);
  if (s.truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, dim - 1.0);
  if (low == high) high += 0.001;
  const std::vector<double> extrapolation = Standard(s.base, dim);
  RopeFrequencies out;
  for (int i = 0; i < dim / 2; ++i) {
    const double linear_func = std::clamp((i - low) / (high - low), 0.0, 1.0);
    const double extrapolation_factor = 1 - linear_func;
    const double interpolation = extrapolation[i] / s.factor;
    out.inv_freq.push_back(interpolation * (1 - extrapolation_factor) +
                           extrapolation[i] * extrapolation_factor);
  }
  out.attention_factor =
      (s.mscale != 0 && s.mscale_all_dim != 0)
          ? YarnGetMscale(s.factor, s.mscale) / YarnGetMscale(s.factor, s.mscale_all_dim)
          : YarnGetMscale(s.factor, 1.0);
  return out;
}

std::vector<double> Llama3(const RopeSpec& s) {
  const double old_context_len = s.original_max_positions;
  const double low_freq_wavelen = old_context_len / s.low_freq_factor;
  const double high_freq_wavelen = old_context_len / s.high_freq_factor;
  std::vector<double> inv_freq = Standard(s.base, s.rotary_dim);
  for (double& f : inv_freq) {
    const double wavelen = 2 * kPi / f;
    const double llama = wavelen > low_freq_wavelen ? f / s.factor : f;
    const double smooth_factor =
        (old_context_len / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
    const double smoothed = (1 - smooth_factor) * llama / s.factor + smooth_factor * llama;
    const bool is_medium = !(wavelen < high_freq_wavelen) && !(wavelen > low_freq_wavelen);
    f = is_medium ? smoothed : llama;
  }
  return inv_freq;
}

RopeFrequencies Longrope(const RopeSpec& s) {
  const std::vector<double>& ext =
      s.seq_len > s.original_max_positions ? s.long_factor : s.short_factor;
  RopeFrequencies out;
  for (int j = 0, i = 0; j < s.rotary_dim; j += 2, ++i) {
    out.inv_freq.push_back(1.0 / (ext[i] * std::pow(s.base, double(j) / s.rotary_dim)));
  }
  out.attention_factor =
      s.factor <= 1
          ? 1.0
          : std::sqrt(1 + std::log(s.factor) / std::log(double(s.original_max_positions)));
  return out;
}

RopeFrequencies ByMethod(const RopeSpec& s) {
  const int dim = s.rotary_dim;
  switch (s.scaling) {
    case Scaling::kNone:
      return {Standard(s.base, dim), 1.0};
    case Scaling::kLinear: {
      std::vector<double> inv_freq = Standard(s.base, dim);
      for (double& f : inv_freq) f /= s.factor;
      return {inv_freq, 1.0};
    }
    case Scaling::kNtk:
      return {Standard(s.base * std::pow(s.factor, dim / (dim - 2.0)), dim), 1.0};
    case Scaling::kDynamicNtk: {
      const double seq_len = std::max<double>(s.seq_len, s.original_max_positions);
      const double base =
          s.base * std::pow((s.factor * seq_len / s.original_max_positions) - (s.factor - 1),
                            dim / (dim - 2.0));
      return {Standard(base, dim), 1.0};
    }
    case Scaling::kYarn:
      return Yarn(s);
    case Scaling::kLlama3:
      return {Llama3(s), 1.0};
    case Scaling::kLongrope:
      return Longrope(s);
  }
  return {};
}

}  // namespace

RopeFrequencies ComputeRopeFrequencies(const RopeSpec& spec) {
  RopeFrequencies out = ByMethod(spec);
  if (spec.attention_factor) out.attention_factor = *spec.attention_factor;
  return out;
}

void CosSinAt(const RopeFrequencies& freq, int64_t position, float* cos, float* sin) {
  for (size_t i = 0; i < freq.inv_freq.size(); ++i) {
    const double angle = static_cast<double>(position) * freq.inv_freq[i];
    cos[i] = static_cast<float>(freq.attention_factor * std::cos(angle));
    sin[i] = static_cast<float>(freq.attention_factor * std::sin(angle));
  }
}

}  // namespace ropebench
