// The bandwidth probe's in-place read-modify-write, x = x * a + b, on Highway vectors: the widest
// loads and stores the dispatched target has (the same target as the highway candidate, pinned
// with it), so that the probe is a roofline for vectorised RoPE and not a slower loop beside it.
#pragma once

#include <cstdint>

namespace ropebench {

// x[i] = x[i] * a + b for i < n.
void ReadModifyWriteFloats(float* x, int64_t n, float a, float b);

// w[i] = w[i] + addend for the 32-bit words of `bytes` bytes at `data` (a tail under 4 bytes is
// left alone): the same traffic on data of any type, without the floating-point hazards (NaNs,
// subnormals' slow paths) that arbitrary f16/bf16 bit patterns read as floats would bring.
void AddToWords(void* data, int64_t bytes, uint32_t addend);

}  // namespace ropebench
