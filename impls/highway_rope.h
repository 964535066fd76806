// The Highway SIMD RoPE kernel: a plain interface (no SIMD types) to the per-target code of
// highway_rope.cc, which Highway's dynamic dispatch picks from (google/highway's skeleton shape),
// and the choice of that target.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reference/rope_spec.h"
#include "reference/tensor.h"

namespace ropebench {

// How a call rotates: rotary_dim/2 pairs per head, paired as `pairing`.
struct RotationShape {
  int rotary_dim;
  Pairing pairing;
  // When the call streams from memory (its Q and K exceed a core's L2), how far ahead of each head
  // to prefetch, where software prefetches keep more lines in flight; 0 (in cache, where they
  // only cost issue slots, or on a machine that gains nothing by them): none.
  int64_t prefetch_bytes = 0;
};

// Tokens [token_begin, token_end) of a call, and of each the head slots [slot_begin, slot_end)
// (slots as in impls/token_slices.h: Q's heads, then K's).
struct TokenRange {
  int64_t token_begin, token_end, slot_begin, slot_end;
};

// Where the tokens' cosines and sines are: token token_begin + i has its row (rotary_dim/2
// cosines, then as many sines, the attention factor folded in) at table + row_of[i] * rotary_dim.
struct TokenRows {
  const float* table;
  const int64_t* row_of;
};

// Rotates the Q and K heads of `range` in place, on the dispatched target, in one call: a token's
// cosines and sines are loaded into registers once for all of its heads, and the walk from token to
// token stays in the target's code (16 tokens of Llama-3.1-8B, f32, in one process here: 0.85 of
// the rmw probe with a dispatched call per token, 0.93 in one call). Elements past rotary_dim are
// neither read nor written.
void HighwayRotateTokens(const TensorView& q, const TensorView* k, const TokenRange& range,
                         const TokenRows& rows, const RotationShape& shape);

// Converts f32 values to f16 or bf16 bits (and back) with the kernel's conversions on the
// dispatched target, `count` values: for tests that every target rounds alike.
void HighwayNarrow(DType dtype, const float* in, uint16_t* out, int64_t count);
void HighwayWiden(DType dtype, const uint16_t* in, float* out, int64_t count);

// As the kernel narrows bf16 results of its arithmetic (whose NaNs are quiet, lower 16 bits zero),
// `count` of them: for tests that each rounding path stores what impls/numeric.h stores.
void HighwayNarrowBF16Results(const float* in, uint16_t* out, int64_t count);

// How bf16 results are rounded on the dispatched target: "AVX512_BF16" (VCVTNE2PS2BF16, on AVX3
// targets of a CPU that has it) or "integer" (every other target, and subnormal or zero results).
std::string HighwayBF16Rounding();
// Lets (the default) or forbids the kernel to use AVX512_BF16, so that tests can hold both
// roundings to the same results; returns whether this CPU has it.
bool HighwayAllowNativeBF16(bool allowed);

// The target HighwayRotateTokens dispatches to now ("AVX3", "AVX2", ..., "SCALAR").
std::string HighwayDispatchTarget();
// Targets compiled into the kernel, best first, and those of them this CPU runs (with the
// environment's ROPEBENCH_CPU_TARGET=NAME, none better than NAME: the process acts as such a CPU).
std::vector<std::string> HighwayCompiledTargets();
std::vector<std::string> HighwayCpuTargets();
// The ROPEBENCH_CPU_TARGET the process acts under, or "".
std::string HighwayCpuTargetCap();

// Makes dispatch pick `name` (a compiled target this CPU runs) for the rest of the process, by
// disabling every better target. Empty on success, else why not ("unknown Highway target ...").
std::string PinHighwayTarget(std::string_view name);

}  // namespace ropebench
