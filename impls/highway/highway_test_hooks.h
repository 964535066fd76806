// What the per-target tests reach of the kernel beyond its interface: its conversions on the
// dispatched target, and the switch between its two bf16 roundings.
#pragma once

#include <cstdint>

#include "reference/tensor.h"

namespace ropebench {

// Converts f32 values to f16 or bf16 bits (and back) with the kernel's conversions on the
// dispatched target, `count` values: for tests that every target rounds alike (f16 by the
// converting store when HighwayUseConvertingF16Store has it on).
void HighwayNarrow(DType dtype, const float* in, uint16_t* out, int64_t count);
void HighwayWiden(DType dtype, const uint16_t* in, float* out, int64_t count);

// As the kernel narrows bf16 results of its arithmetic (whose NaNs are quiet, lower 16 bits zero),
// `count` of them: for tests that each rounding path stores what impls/core/numeric.h stores.
void HighwayNarrowBF16Results(const float* in, uint16_t* out, int64_t count);

// Lets (the default) or forbids the kernel to use AVX512_BF16, so that tests can hold both
// roundings to the same results; returns whether this CPU has it.
bool HighwayAllowNativeBF16(bool allowed);

}  // namespace ropebench
