#include "reference/rope_spec.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ropebench {
namespace {

constexpr std::string_view kPairingNames[] = {"interleaved", "half_split"};
constexpr std::string_view kScalingNames[] = {"none", "linear", "ntk",     "dynamic_ntk",
                                              "yarn", "llama3", "longrope"};

bool NeedsOriginalMax(Scaling s) {
  return s == Scaling::kDynamicNtk || s == Scaling::kYarn || s == Scaling::kLlama3 ||
         s == Scaling::kLongrope;
}

std::string Finite(std::string_view field, double value) {
  return std::isfinite(value) ? "" : std::string(field) + ": must be finite";
}

std::string ValidateFactors(std::string_view field, const std::vector<double>& factors,
                            int rotary_dim) {
  const std::string name(field);
  if (factors.size() != static_cast<size_t>(rotary_dim / 2)) {
    return name + ": longrope needs rotary_dim/2 = " + std::to_string(rotary_dim / 2) +
           " values, got " + std::to_string(factors.size());
  }
  for (size_t i = 0; i < factors.size(); ++i) {
    if (!(factors[i] > 0) || !std::isfinite(factors[i])) {
      return name + ": value " + std::to_string(i) + " must be positive and finite";
    }
  }
  return "";
}

}  // namespace

std::string_view ToString(Pairing pairing) { return kPairingNames[static_cast<int>(pairing)]; }
std::string_view ToString(Scaling scaling) { return kScalingNames[static_cast<int>(scaling)]; }

std::optional<Pairing> ParsePairing(std::string_view name) {
  for (Pairing p : kAllPairings) {
    if (ToString(p) == name) return p;
  }
  return std::nullopt;
}

std::optional<Scaling> ParseScaling(std::string_view name) {
  for (Scaling s : kAllScalings) {
    if (ToString(s) == name) return s;
  }
  return std::nullopt;
}

std::string ValidateSpec(const RopeSpec& s) {
  if (s.head_dim < 2 || s.head_dim > 65536) return "head_dim: must be in [2, 65536]";
  if (s.rotary_dim % 2 != 0) return "rotary_dim: must be even";
  if (s.rotary_dim < 2 || s.rotary_dim > s.head_dim) return "rotary_dim: must be in [2, head_dim]";
  for (auto [field, value] : {std::pair{"base", s.base},
                              {"factor", s.factor},
                              {"beta_fast", s.beta_fast},
                              {"beta_slow", s.beta_slow},
                              {"mscale", s.mscale},
                              {"mscale_all_dim", s.mscale_all_dim},
                              {"low_freq_factor", s.low_freq_factor},
                              {"high_freq_factor", s.high_freq_factor}}) {
    if (auto error = Finite(field, value); !error.empty()) return error;
  }
  if (!(s.base > 1)) return "base: must be > 1";
  if (!(s.factor > 0)) return "factor: must be > 0";
  if (s.original_max_positions < 0) return "original_max_positions: must be >= 0";
  if (NeedsOriginalMax(s.scaling) && s.original_max_positions == 0) {
    return "original_max_positions: required by scaling " + std::string(ToString(s.scaling));
  }
  if ((s.scaling == Scaling::kNtk || s.scaling == Scaling::kDynamicNtk) && s.rotary_dim <= 2) {
    // The NTK exponent d/(d-2) has no value at d = 2.
    return "rotary_dim: ntk scaling needs rotary_dim > 2";
  }
  if (s.scaling == Scaling::kYarn) {
    if (!(s.beta_slow > 0)) return "beta_slow: must be > 0";
    if (!(s.beta_fast > s.beta_slow)) return "beta_fast: must be > beta_slow";
  }
  if (s.mscale < 0) return "mscale: must be >= 0";
  if (s.mscale_all_dim < 0) return "mscale_all_dim: must be >= 0";
  if (s.attention_factor && (!(*s.attention_factor > 0) || !std::isfinite(*s.attention_factor))) {
    return "attention_factor: must be positive and finite";
  }
  if (s.scaling == Scaling::kLlama3) {
    if (!(s.low_freq_factor > 0)) return "low_freq_factor: must be > 0";
    if (!(s.high_freq_factor > s.low_freq_factor)) {
      return "high_freq_factor: must be > low_freq_factor";
    }
  }
  if (s.scaling == Scaling::kLongrope) {
    if (auto error = ValidateFactors("short_factor", s.short_factor, s.rotary_dim); !error.empty())
      return error;
    if (auto error = ValidateFactors("long_factor", s.long_factor, s.rotary_dim); !error.empty())
      return error;
  }
  if (s.seq_len < 0) return "seq_len: must be >= 0 (0 = max position + 1)";
  return "";
}

std::string ValidatePositions(std::span<const int64_t> positions) {
  for (size_t t = 0; t < positions.size(); ++t) {
    if (positions[t] < 0) {
      return "positions: position " + std::to_string(positions[t]) + " at token " +
             std::to_string(t) + " is negative";
    }
  }
  return "";
}

int64_t EffectiveSeqLen(const RopeSpec& spec, std::span<const int64_t> positions) {
  if (spec.seq_len > 0 || positions.empty()) return spec.seq_len;
  const int64_t max_position = *std::max_element(positions.begin(), positions.end());
  return max_position == INT64_MAX ? max_position : max_position + 1;
}

RopeSpec ResolveSeqLen(RopeSpec spec, std::span<const int64_t> positions) {
  spec.seq_len = EffectiveSeqLen(spec, positions);
  return spec;
}

}  // namespace ropebench
