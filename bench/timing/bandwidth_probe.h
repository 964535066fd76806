// The machine's own memory bandwidth, measured in the same run as the benchmarks: in-place
// read-modify-write (what RoPE does to Q and K) and copy, at working sets from L1-sized to far
// beyond the last-level cache, single- and multi-threaded. Every benchmark's roofline is its
// bytes/s over the rmw figure at its own working set and thread count.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/timing/gbench_runner.h"
#include "reports/records.h"

namespace ropebench {

struct ProbePlan {
  std::vector<int64_t> sizes;  // working sets in bytes
  std::vector<int> threads;
  int repetitions = 3;
  double min_time = 0.02;  // seconds per repetition
  double warm_up = 0.1;    // seconds of untimed use of the buffer before the first repetition
};

// The plan's times for benchmarks given `benchmark_min_time` per repetition: never longer than
// theirs, so that a smoke run's probe (--min-time 0.001) is as short as its benchmarks.
void FitProbeTimes(ProbePlan& plan, double benchmark_min_time);

// Powers of four from 16 KiB up to at least `largest` (and 4x the last-level cache), capped at 8
// GiB.
std::vector<int64_t> ProbeSizes(int64_t largest);

// Registers "probe/rmw/..." and "probe/copy/..." benchmarks with Google Benchmark.
void RegisterProbe(const ProbePlan& plan);

// The probe's records, from what the run collected.
std::vector<BandwidthRecord> ProbeRecords(const ProbePlan& plan,
                                          const std::map<std::string, CollectedRuns>& runs);

// The rmw bandwidth at `bytes` for `threads`, interpolated log-linearly between probed sizes
// (clamped at the ends); 0 when the probe has no figure for that thread count.
double ProbeBandwidthAt(const std::vector<BandwidthRecord>& probe, int64_t bytes, int threads);

}  // namespace ropebench
