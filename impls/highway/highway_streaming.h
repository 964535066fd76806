// How the highway candidates stream a call that does not fit in cache: whether and how far ahead
// the kernel prefetches. The best choice differs between machines (cores that keep more lines in
// flight on their own gain nothing from a software prefetch), so it is set per machine by
// measurement (bench/timing/streaming_calibration.h) or by --prefetch-bytes, not fixed here.
#pragma once

#include <cstdint>

namespace ropebench {

struct HighwayStreaming {
  // Calls whose Q and K fit in this many bytes (a core's L2) are taken to be in cache and never
  // prefetched.
  int64_t in_cache_bytes = int64_t{2} << 20;
  // How far ahead of each head the kernel prefetches in a call out of cache; 0: never.
  int64_t prefetch_bytes = 4096;
};

// For the rest of the process (call before any benchmark runs: not synchronised with calls).
void SetHighwayStreaming(const HighwayStreaming& streaming);
const HighwayStreaming& CurrentHighwayStreaming();

}  // namespace ropebench
