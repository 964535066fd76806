// Inverse frequencies theta_i and the attention factor of every scaling method, exactly as
// DESIGN.md §2 writes them. Computed in 80-bit extended precision: the reference forms its angles
// from these, so the oracle stays exact at positions far beyond 2^24, and rounded to double they
// are correctly rounded in practice (the golden test holds them to a few ulps).
#pragma once

#include <vector>

#include "reference/rope_spec.h"

namespace ropebench {

// theta_i for i = 0 .. rotary_dim/2 - 1. Dynamic NTK and LongRoPE read spec.seq_len (resolve it
// first).
std::vector<long double> InverseFrequenciesExtended(const RopeSpec& spec);
std::vector<double> InverseFrequencies(const RopeSpec& spec);

// The factor that multiplies cos and sin: the spec's own when set, else the method's default.
long double AttentionFactorExtended(const RopeSpec& spec);
double AttentionFactor(const RopeSpec& spec);

// YaRN's correction range [low, high] in pair indices, after truncation and clamping.
struct YarnRange {
  double low;
  double high;
};
YarnRange YarnCorrectionRange(const RopeSpec& spec);

}  // namespace ropebench
