// The Highway SIMD RoPE kernel: a plain interface (no SIMD types) to the per-target code of
// highway_rope.cc, which Highway's dynamic dispatch picks from (google/highway's skeleton shape).
// Which target that is: highway_targets.h; the hooks the per-target tests use:
// highway_test_hooks.h.
#pragma once

#include <cstdint>

#include "reference/rope_spec.h"
#include "reference/tensor.h"

namespace ropebench {

// How a call rotates: rotary_dim/2 pairs per head, paired as `pairing`.
struct RotationShape {
  int rotary_dim;
  Pairing pairing;
  // How far ahead of each head a streaming call prefetches, where software prefetches keep more
  // lines in flight; 0 (in cache, where they only cost issue slots, or on a machine that gains
  // nothing by them): none.
  int64_t prefetch_bytes = 0;
  // Whether the call streams from memory (its Q and K exceed a core's L2): the kernel then walks
  // each head once, front to back, where in cache it favours keeping cosines and sines in
  // registers.
  bool streaming = false;
};

// Tokens [token_begin, token_end) of a call, and of each the head slots [slot_begin, slot_end)
// (slots as in impls/core/token_slices.h: Q's heads, then K's).
struct TokenRange {
  int64_t token_begin, token_end, slot_begin, slot_end;
};

// Where the tokens' cosines and sines are: token token_begin + i has its row (rotary_dim/2
// cosines, then as many sines, the attention factor folded in) at table + row_of[i] * rotary_dim.
struct TokenRows {
  const float* table;
  const int64_t* row_of;
};

// Rotates the Q and K heads of `range` in place, on the dispatched target, in one call: in cache a
// token's cosines and sines are loaded into registers once for all of its heads (or for each block
// of them, where the registers hold part of a row), and the walk from token to token stays in the
// target's code (a dispatched call per token costs in cache:
// docs/kernel-tuning.md). Elements past rotary_dim are neither read nor written.
void HighwayRotateTokens(const TensorView& q, const TensorView* k, const TokenRange& range,
                         const TokenRows& rows, const RotationShape& shape);

// Whether the dispatched target can store whole AVX-512 vectors of f16 results by a conversion that
// writes memory itself (faster on some cores, slower on others:
// bench/timing/f16_store_calibration.h chooses); whether the kernel does, for the rest of the
// process where the target can (off until set; call before any benchmark runs: not synchronised
// with calls); and whether it does now. Results are bitwise the same either way.
bool HighwayHasConvertingF16Store();
void HighwayUseConvertingF16Store(bool use);
bool HighwayConvertingF16Store();

}  // namespace ropebench
