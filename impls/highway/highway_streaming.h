// How the highway candidates stream a call that does not fit in cache: whether and how far ahead
// the kernel prefetches, per storage dtype. The best choice differs between machines (cores that
// keep more lines in flight on their own gain nothing from a software prefetch) and between dtypes
// (on an Intel Xeon f32 took 8 KiB and f16 ran 5-10 % faster at 2 KiB), so it is set per machine
// and dtype by measurement (bench/timing/streaming_calibration.h) or by --prefetch-bytes, not fixed
// here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "reference/tensor.h"

namespace ropebench {

struct HighwayStreaming {
  // Calls whose Q and K fit in this many bytes (a core's L2) are taken to be in cache and never
  // prefetched.
  int64_t in_cache_bytes = int64_t{2} << 20;
  // How far ahead of each head the kernel prefetches in a call out of cache, by DType; 0: never.
  std::array<int64_t, std::size(kAllDTypes)> prefetch_bytes = {4096, 4096, 4096};

  int64_t PrefetchBytes(DType dtype) const { return prefetch_bytes[static_cast<size_t>(dtype)]; }
  void SetPrefetchBytes(DType dtype, int64_t bytes) {
    prefetch_bytes[static_cast<size_t>(dtype)] = bytes;
  }
  // Every dtype at one distance.
  void SetPrefetchBytes(int64_t bytes) { prefetch_bytes.fill(bytes); }
};

// For the rest of the process (call before any benchmark runs: not synchronised with calls).
void SetHighwayStreaming(const HighwayStreaming& streaming);
const HighwayStreaming& CurrentHighwayStreaming();

}  // namespace ropebench
