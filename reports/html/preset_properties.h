// The numbers behind the report page's per-preset figures (reports/html/preset_figures.h), from the
// reference's inverse frequencies: wavelengths per pair and RoFormer's long-term-decay bound.
#pragma once

#include <span>

#include "reference/presets.h"
#include "reports/html/preset_figures.h"

namespace ropebench {

// At the preset's served context (dynamic NTK and LongRoPE take their long-context form there).
PresetProperties ComputePresetProperties(const ModelPreset& preset);

// RoFormer §3.4.3: (2/d) * sum_{j=1..d/2} |sum_{k<j} exp(i m theta_k)| at relative distance m.
double DecayBound(std::span<const double> inv_freq, double distance);

}  // namespace ropebench
