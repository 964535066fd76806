// One validation case: a spec, a dtype, a shape, a memory layout and the positions to rotate at.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reference/rope_spec.h"
#include "reference/tensor.h"

namespace ropebench {

// How Q and K sit in memory (BUG_CLASSES.md 16, 18).
enum class Layout {
  kContiguous,  // separate packed Q and K buffers
  kPadded,      // padded heads and padded rows: gaps inside and between heads
  kPackedQkv,  // one [tokens][q heads | k heads | v heads] buffer, as a fused QKV projection writes
               // it
};
inline constexpr Layout kAllLayouts[] = {Layout::kContiguous, Layout::kPadded, Layout::kPackedQkv};
std::string_view ToString(Layout layout);

// Which positions the tokens carry (BUG_CLASSES.md 3, 4).
enum class PositionKind {
  kSequential,    // 0 .. T-1, a prefill
  kDecode,        // one token at a large position, a KV-cache decode step
  kRandom,        // distinct-ish random positions in [0, 2^20)
  kNonMonotonic,  // shuffled, with duplicates, as in a packed batch of several sequences
};
inline constexpr PositionKind kAllPositionKinds[] = {PositionKind::kSequential,
                                                     PositionKind::kDecode, PositionKind::kRandom,
                                                     PositionKind::kNonMonotonic};
std::string_view ToString(PositionKind kind);

struct ValidationCase {
  std::string suite;   // "conformance"
  std::string group;   // "preset", "edge" or "scaling"
  std::string name;    // unique and readable, e.g. "preset/llama3.1-8b/f32/t64/random/packed_qkv"
  std::string preset;  // the model preset, empty for edge and scaling cases
  RopeSpec spec;
  DType dtype = DType::kF32;
  int q_heads = 1;
  int kv_heads = 1;
  Layout layout = Layout::kContiguous;
  PositionKind position_kind = PositionKind::kSequential;
  std::vector<int64_t> positions;  // one per token
  uint32_t seed = 0;               // of the input values

  int64_t tokens() const { return static_cast<int64_t>(positions.size()); }
};

// Deterministic positions of a kind (decode ignores `tokens`: it is one token at decode_position).
std::vector<int64_t> MakePositions(PositionKind kind, int64_t tokens, int64_t decode_position,
                                   uint32_t seed);

}  // namespace ropebench
