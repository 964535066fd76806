// RoPE benchmarks on Google Benchmark, registered from data (STYLE.md 11): candidate x model preset
// x dtype x tokens x threads. Each validates its candidate on its own shape before timing and is
// skipped, with the reason, when the candidate fails or does not support it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/timing/gbench_runner.h"
#include "impls/core/candidate.h"
#include "reports/records.h"

namespace ropebench {

std::vector<int> DefaultThreads();

struct BenchmarkPlan {
  std::vector<Candidate*> candidates;
  // Llama-2-7B (32 heads) and Llama-3.1-8B (32 Q + 8 K heads): the shapes the speed targets of
  // DESIGN.md and the README are stated for.
  std::vector<std::string> presets = {"llama2-7b", "llama3.1-8b"};
  std::vector<DType> dtypes = {DType::kF32, DType::kBF16};
  std::vector<int64_t> tokens = {1, 16, 128, 1024, 4096, 16384, 65536};
  // A threaded candidate runs at each count, one that is not at 1 only; default 1 and every CPU.
  std::vector<int> threads = DefaultThreads();
  int repetitions = 3;
  // When positive, the repetitions of every benchmark and probe pattern at the plan's largest token
  // count: the long-context calls are timed in a run of bounded length rather than left out.
  int repetitions_at_largest = 0;
  double min_time = 0.05;  // seconds per repetition
  // Seconds a benchmark's repetitions may take: a benchmark whose single call (predicted from a
  // call on a few tokens) is slower runs fewer repetitions, at least one.
  double time_budget = 10;
  // When positive, a benchmark whose single call is predicted to take longer is not timed (skipped,
  // with the reason): it keeps the default `run` short; 0 times everything.
  double max_call_seconds = 0;
  // How far ahead the highway candidates prefetch out of cache (--prefetch-bytes, 0: never); unset,
  // chosen by measurement at the start of the run (bench/timing/streaming_calibration.h).
  std::optional<int64_t> prefetch_bytes;
  // Whether the highway candidates store f16 by a converting store (--f16-store); unset, chosen by
  // measurement at the start of the run (bench/timing/f16_store_calibration.h).
  std::optional<bool> converting_f16_store;
};

// Q and K bytes of one benchmark's working set.
int64_t WorkingSetBytes(const std::string& preset, DType dtype, int64_t tokens);
// Bytes one call must move: the rotated elements of Q and K (rotary_dim of each head), read and
// written. Pass-through elements are not counted: a kernel need not touch them.
int64_t BytesPerCall(const std::string& preset, DType dtype, int64_t tokens);
// The largest working set of the plan.
int64_t LargestWorkingSet(const BenchmarkPlan& plan);

// What registration decided, kept for the records, by benchmark name: why a benchmark is not timed
// (its candidate failed validation on that shape), and why one runs fewer repetitions.
struct BenchmarkVerdicts {
  std::map<std::string, std::string> validation_failures;
  // Shapes timed although their check failed: the right convention, precision-limited (the
  // diagnosis's detail); a user comparing implementations wants both figures.
  std::map<std::string, std::string> precision_limited;
  std::map<std::string, std::string> notes;
  // Benchmarks whose calls failed while being timed (a crash, a hang, an error): how, and why.
  std::map<std::string, CallResult> failed_calls;
};

// Validates every shape before anything is timed, then registers it with Google Benchmark (skipped
// ones too, so that they are reported with their reason).
std::shared_ptr<BenchmarkVerdicts> RegisterRopeBenchmarks(const BenchmarkPlan& plan);

// The records of every benchmark of the plan, with the roofline against `probe`.
std::vector<BenchmarkRecord> RopeRecords(const BenchmarkPlan& plan,
                                         const std::map<std::string, CollectedRuns>& runs,
                                         const std::vector<BandwidthRecord>& probe,
                                         const BenchmarkVerdicts& verdicts);

// How many benchmarks the plan registers.
size_t CountRopeBenchmarks(const BenchmarkPlan& plan);

}  // namespace ropebench
