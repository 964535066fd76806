#include "reports/html/preset_properties.h"

#include <cmath>
#include <complex>
#include <numbers>

#include "reference/frequencies.h"

namespace ropebench {
namespace {

std::vector<double> Wavelengths(std::span<const double> inv_freq) {
  std::vector<double> out;
  for (double theta : inv_freq) out.push_back(2 * std::numbers::pi / theta);
  return out;
}

}  // namespace

double DecayBound(std::span<const double> inv_freq, double distance) {
  std::complex<double> partial = 0;
  double sum = 0;
  for (double theta : inv_freq) {
    partial += std::polar(1.0, distance * theta);
    sum += std::abs(partial);
  }
  return inv_freq.empty() ? 0 : sum / static_cast<double>(inv_freq.size());
}

PresetProperties ComputePresetProperties(const ModelPreset& preset) {
  RopeSpec scaled = preset.spec;
  scaled.seq_len = preset.max_positions;
  RopeSpec plain = scaled;
  plain.scaling = Scaling::kNone;
  plain.factor = 1;
  PresetProperties p;
  p.name = preset.name;
  p.model = preset.model;
  p.scaling = ToString(preset.spec.scaling);
  p.context = preset.max_positions;
  p.original_context = preset.spec.original_max_positions > 0 ? preset.spec.original_max_positions
                                                              : preset.max_positions;
  const std::vector<double> theta = InverseFrequencies(plain);
  const std::vector<double> scaled_theta = InverseFrequencies(scaled);
  p.wavelength = Wavelengths(theta);
  p.scaled_wavelength = Wavelengths(scaled_theta);
  // Log-spaced distances from 1 to twice the served context: the bound's fall is a log-scale story.
  constexpr int kPoints = 400;
  const double last = 2.0 * static_cast<double>(p.context);
  for (int k = 0; k < kPoints; ++k) {
    const double m = std::pow(last, static_cast<double>(k) / (kPoints - 1));
    p.distance.push_back(m);
    p.decay.push_back(DecayBound(theta, m));
    p.scaled_decay.push_back(DecayBound(scaled_theta, m));
  }
  return p;
}

}  // namespace ropebench
