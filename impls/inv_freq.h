// The built-in candidates' own inverse frequencies and attention factor, in double, written the way
// serving code computes them (after Hugging Face's _compute_*_parameters). Deliberately separate
// from reference/frequencies: the oracle must not share code with what it judges.
#pragma once

#include <vector>

#include "reference/rope_spec.h"

namespace ropebench {

struct RopeFrequencies {
  std::vector<double> inv_freq;  // rotary_dim/2 values
  double attention_factor = 1.0;
};

// spec.seq_len must be resolved (dynamic NTK and LongRoPE depend on it).
RopeFrequencies ComputeRopeFrequencies(const RopeSpec& spec);

}  // namespace ropebench
