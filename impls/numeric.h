// Storage conversions for candidates: f32 <-> f16 and bf16, both narrowing with
// round-to-nearest-even (DESIGN.md §3: truncating bf16 is a defect, not a convention). The
// reference decodes on its own.
#pragma once

#include <cstdint>

#include "reference/tensor.h"

namespace ropebench {

uint16_t FloatToF16(float value);
float F16ToFloat(uint16_t bits);
uint16_t FloatToBF16(float value);
float BF16ToFloat(uint16_t bits);

// Element `index` of a buffer of the given dtype, as f32 (exact).
float LoadAsFloat(const void* data, DType dtype, int64_t index);
// Stores an f32 into element `index`, rounding to nearest even for f16 and bf16.
void StoreFromFloat(void* data, DType dtype, int64_t index, float value);

}  // namespace ropebench
