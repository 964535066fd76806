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

// Every field of RopeSpec, once, in declaration order. The spec's JSON form
// (reports/spec_json.cc), the plugin ABI and the isolated worker's wire format
// (impls/external/abi_spec.cc) are written from this list; the static_assert on
// spec_fields::MemberCount below makes a field added to the struct and not here a compile error.
#define ROPEBENCH_SPEC_FIELDS(X) \
  X(head_dim)                    \
  X(rotary_dim)                  \
  X(pairing)                     \
  X(base)                        \
  X(scaling)                     \
  X(factor)                      \
  X(original_max_positions)      \
  X(beta_fast)                   \
  X(beta_slow)                   \
  X(truncate)                    \
  X(mscale)                      \
  X(mscale_all_dim)              \
  X(attention_factor)            \
  X(low_freq_factor)             \
  X(high_freq_factor)            \
  X(short_factor)                \
  X(long_factor)                 \
  X(seq_len)

namespace spec_fields {
#define ROPEBENCH_COUNT_FIELD(name) +1
inline constexpr int kListed = 0 ROPEBENCH_SPEC_FIELDS(ROPEBENCH_COUNT_FIELD);
#undef ROPEBENCH_COUNT_FIELD

// How many members an aggregate has: the most initializers it accepts.
struct AnyValue {
  template <class T>
  operator T() const;  // never defined: only asked about in unevaluated contexts
};
template <class T, class... Values>
constexpr int MemberCount() {
  if constexpr (requires { T{Values{}..., AnyValue{}}; }) {
    return MemberCount<T, Values..., AnyValue>();
  } else {
    return sizeof...(Values);
  }
}
static_assert(MemberCount<RopeSpec>() == kListed,
              "a RopeSpec field is missing from ROPEBENCH_SPEC_FIELDS (or one listed is gone)");
}  // namespace spec_fields

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
