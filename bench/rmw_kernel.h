// The bandwidth probe's in-place read-modify-write, x = x * a + b, on Highway vectors: the widest
// loads and stores the dispatched target has (the same target as the highway candidate, pinned
// with it), so that the probe is a roofline for vectorised RoPE and not a slower loop beside it.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace ropebench {

// x[i] = x[i] * a + b for i < n.
void ReadModifyWriteFloats(float* x, int64_t n, float a, float b);

// w[i] = w[i] + addend for the 32-bit words of `bytes` bytes at `data` (a tail under 4 bytes is
// left alone): the same traffic on data of any type, without the floating-point hazards (NaNs,
// subnormals' slow paths) that arbitrary f16/bf16 bit patterns read as floats would bring.
void AddToWords(void* data, int64_t bytes, uint32_t addend);

// Calls update(first_byte, end_byte) over [0, bytes): once, directly, for one thread (an OpenMP
// region's fixed cost would hide L1 bandwidth), else once per thread of a team of `threads`, on
// contiguous shares of whole cache lines, the last thread taking the rest.
template <typename Update>
void InPlaceOnThreads(int threads, int64_t bytes, const Update& update) {
  if (threads == 1) {
    update(int64_t{0}, bytes);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t team = omp_get_num_threads(), thread = omp_get_thread_num();
    const int64_t share = (bytes / team + 63) / 64 * 64;
    const int64_t begin = std::min(bytes, share * thread);
    const int64_t end = thread + 1 == team ? bytes : std::min(bytes, begin + share);
    update(begin, end);
  }
}

}  // namespace ropebench
