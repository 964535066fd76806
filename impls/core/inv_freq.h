// The built-in candidates' own inverse frequencies and attention factor, in double, written the way
// serving code computes them (after Hugging Face's _compute_*_parameters). Deliberately separate
// from reference/frequencies: the oracle must not share code with what it judges.
#pragma once

#include <cstdint>
#include <vector>

#include "reference/rope_spec.h"

namespace ropebench {

struct RopeFrequencies {
  std::vector<double> inv_freq;  // rotary_dim/2 values
  double attention_factor = 1.0;
};

// spec.seq_len must be resolved (dynamic NTK and LongRoPE depend on it).
RopeFrequencies ComputeRopeFrequencies(const RopeSpec& spec);

// cos and sin of angle position * inv_freq[i] for every i, with the attention factor folded in:
// the angle in double (exact position, double frequency), cos and sin in double, rounded to f32.
void CosSinAt(const RopeFrequencies& freq, int64_t position, float* cos, float* sin);

}  // namespace ropebench
