// The bandwidth probe's in-place read-modify-write, x = x * a + b, on Highway vectors: the widest
// loads and stores the dispatched target has (the same target as the highway candidate, pinned
// with it), so that the probe is a roofline for vectorised RoPE and not a slower loop beside it.
#pragma once

#include <cstdint>

namespace ropebench {

// x[i] = x[i] * a + b for i < n.
void ReadModifyWriteFloats(float* x, int64_t n, float a, float b);

}  // namespace ropebench
