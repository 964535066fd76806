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

// How an in-place pass moves its lines: the ways a RoPE kernel can stream, so that the probe is the
// best of them and not one choice among several.
enum class StreamPattern {
  kPlain,     // loads and stores only
  kPrefetch,  // plus a software prefetch kPrefetchAheadBytes ahead of each line
  kStream,    // stores that bypass the cache (non-temporal) where the target has them
};
inline constexpr int64_t kPrefetchAheadBytes = 4096;

// w[i] = w[i] + addend for the 32-bit words of `bytes` bytes at `data` (a tail under 4 bytes is
// left alone): the same traffic on data of any type, without the floating-point hazards (NaNs,
// subnormals' slow paths) that arbitrary f16/bf16 bit patterns read as floats would bring.
void AddToWords(void* data, int64_t bytes, uint32_t addend,
                StreamPattern pattern = StreamPattern::kPlain);

// Calls update(first, end) over [0, count): once, directly, for one thread (an OpenMP region's
// fixed cost would hide L1 bandwidth), else once per thread of a team of `threads`, on contiguous
// shares that are multiples of `granule` (64 for bytes: whole cache lines), the last thread taking
// the rest.
template <typename Update>
void InPlaceOnThreads(int threads, int64_t count, const Update& update, int64_t granule = 64) {
  if (threads == 1) {
    update(int64_t{0}, count);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t team = omp_get_num_threads(), thread = omp_get_thread_num();
    const int64_t share = (count / team + granule - 1) / granule * granule;
    const int64_t begin = std::min(count, share * thread);
    const int64_t end = thread + 1 == team ? count : std::min(count, begin + share);
    update(begin, end);
  }
}

}  // namespace ropebench
