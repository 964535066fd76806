// Per model preset, the two properties that explain what a scaling method does (RoFormer §3.4.3 and
// the context-extension papers): the long-term decay of the attainable attention score with
// relative distance, and each rotary pair's wavelength against the pre-training context. The
// numbers come from the reference (bench/preset_properties); this file only draws them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/html/html_page.h"

namespace ropebench {

struct PresetProperties {
  std::string name;              // the preset
  std::string model;             // its published model
  std::string scaling;           // "yarn", ...; "none" when it has none
  int64_t context = 0;           // the context the model is served at
  int64_t original_context = 0;  // the pre-training context the scaling extends
  // Per pair i: 2*pi/theta_i without scaling, and with the preset's scaling at its served context.
  std::vector<double> wavelength;
  std::vector<double> scaled_wavelength;
  // RoFormer's bound on the attention score at relative distance m, (2/d) sum_j |sum_{k<j}
  // e^{i m theta_k}|, without and with scaling.
  std::vector<double> distance;
  std::vector<double> decay;
  std::vector<double> scaled_decay;
};

// Two figures per preset: the decay curve and the wavelengths.
PageSection PresetSection(const std::vector<PresetProperties>& presets);

}  // namespace ropebench
