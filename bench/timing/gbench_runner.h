// Runs the benchmarks registered with Google Benchmark and collects every repetition of every
// benchmark (the library keeps its timing loop, repetitions and flags; we keep the raw samples for
// the report).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "reports/compare/rank_intervals.h"

namespace ropebench {

struct CollectedRuns {
  std::vector<double> repetition_ns;  // real time per iteration, one per repetition
  int64_t iterations = 0;             // per repetition (of the last)
  std::string label;                  // State::SetLabel's, of the last repetition
  std::string
      error;  // SkipWithError's message: all of it skipped, or (with samples) some repetitions
};

// Called as each benchmark finishes: its name.
using BenchmarkDoneFn = std::function<void(const std::string& name)>;

// Passes `flags` (the --benchmark_* ones) to Google Benchmark, runs everything registered, and
// returns the runs by registered name. With `console`, Google Benchmark's own table goes to stdout
// as it runs. Returns an error message in `error` when a flag is refused.
std::map<std::string, CollectedRuns> RunRegisteredBenchmarks(const std::vector<std::string>& flags,
                                                             bool console,
                                                             const BenchmarkDoneFn& done,
                                                             std::string& error);

// Median absolute deviation of samples (Median is reports/compare/rank_intervals.h's).
double MedianAbsoluteDeviation(const std::vector<double>& samples);

// After Ctrl-C (bench/validation/interrupt.h): runs this repetition's iterations empty — Google
// Benchmark aborts unless every repetition of a benchmark ran as many — and marks it skipped
// ("interrupted"). True then; the benchmark function returns at once.
bool SkipIfInterrupted(benchmark::State& state);

}  // namespace ropebench
