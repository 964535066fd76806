// RopeSpec: everything that decides a RoPE output (DESIGN.md §2), with validation that names the
// bad field.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ropebench {

// Which elements of a head form a rotated pair.
enum class Pairing {
  kInterleaved,  // (2i, 2i+1): RoFormer, Meta's complex form, GPT-J, ggml NORMAL
  kHalfSplit,    // (i, i + rotary_dim/2): HF rotate_half, GPT-NeoX, ggml NEOX
};

// Context-extension methods, named as Hugging Face's rope_scaling "rope_type".
enum class Scaling { kNone, kLinear, kNtk, kDynamicNtk, kYarn, kLlama3, kLongrope };

inline constexpr Pairing kAllPairings[] = {Pairing::kInterleaved, Pairing::kHalfSplit};
inline constexpr Scaling kAllScalings[] = {Scaling::kNone,       Scaling::kLinear, Scaling::kNtk,
                                           Scaling::kDynamicNtk, Scaling::kYarn,   Scaling::kLlama3,
                                           Scaling::kLongrope};

std::string_view ToString(Pairing pairing);
std::string_view ToString(Scaling scaling);
std::optional<Pairing> ParsePairing(std::string_view name);
std::optional<Scaling> ParseScaling(std::string_view name);

struct RopeSpec {
  int head_dim = 0;    // elements per head
  int rotary_dim = 0;  // even, 2 <= rotary_dim <= head_dim; the first rotary_dim elements rotate
  Pairing pairing = Pairing::kHalfSplit;
  double base = 10000.0;  // rope_theta
  Scaling scaling = Scaling::kNone;
  double factor = 1.0;  // scale factor; for NTK the alpha
  int64_t original_max_positions = 0;
  double beta_fast = 32.0;  // YaRN correction range
  double beta_slow = 1.0;
  bool truncate = true;                    // YaRN: floor/ceil the correction range
  double mscale = 0.0;                     // YaRN (DeepSeek) attention-factor form; 0 = unset
  double mscale_all_dim = 0.0;             // 0 = unset
  std::optional<double> attention_factor;  // unset = the method's default
  double low_freq_factor = 1.0;            // Llama-3
  double high_freq_factor = 4.0;
  std::vector<double> short_factor;  // LongRoPE, rotary_dim/2 values each
  std::vector<double> long_factor;
  int64_t seq_len = 0;  // length of the sequence a call belongs to; 0 = max position + 1

  bool operator==(const RopeSpec&) const = default;
};

// Empty when the spec is valid, else one line naming the first bad field: "rotary_dim: must be
// even".
std::string ValidateSpec(const RopeSpec& spec);

// Empty when every position is usable (p >= 0), else a line naming the first bad one.
std::string ValidatePositions(std::span<const int64_t> positions);

// seq_len as a call sees it: the spec's own, or max position + 1 when unset (DESIGN.md §2 default).
int64_t EffectiveSeqLen(const RopeSpec& spec, std::span<const int64_t> positions);

// The spec with seq_len resolved for this call, so that every consumer sees the same length.
RopeSpec ResolveSeqLen(RopeSpec spec, std::span<const int64_t> positions);

}  // namespace ropebench
