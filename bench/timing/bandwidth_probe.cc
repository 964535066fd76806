#include "bench/timing/bandwidth_probe.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "bench/timing/aligned_buffer.h"
#include "bench/timing/gbench_runner.h"
#include "bench/timing/machine_info.h"
#include "bench/timing/rmw_kernel.h"
#include "bench/validation/interrupt.h"
#include "benchmark/benchmark.h"
#include "fmt/format.h"

namespace ropebench {
namespace {

constexpr int64_t kSmallest = int64_t{16} << 10;
constexpr int64_t kLargest = int64_t{8} << 30;

// One buffer for every probe benchmark, grown to the largest working set and touched once: Google
// Benchmark calls a benchmark function once per repetition, and allocating and faulting in GiBs
// each time would cost more wall time than the measurement. The values stay near 1 (x = 0.999 x +
// 0.001). nullptr when that much cannot be allocated, or after Ctrl-C.
float* ProbeBuffer(int64_t bytes, int threads) {
  static AlignedBuffer buffer;
  static int64_t capacity = 0;
  if (bytes > capacity) {
    buffer.reset();
    buffer = AllocateAligned(static_cast<size_t>(bytes));
    if (!buffer) {  // the caller skips the point
      capacity = 0;
      return nullptr;
    }
    capacity = bytes;
    const int64_t n = bytes / static_cast<int64_t>(sizeof(float));
    float* x = static_cast<float*>(buffer.get());
    // In steps, so that faulting in GiBs does not hold up a Ctrl-C (nullptr then, as interrupted).
    constexpr int64_t kStep = (int64_t{64} << 20) / static_cast<int64_t>(sizeof(float));
    for (int64_t begin = 0; begin < n; begin += kStep) {
      if (Interrupted()) {
        buffer.reset();
        capacity = 0;
        return nullptr;
      }
      const int64_t end = std::min(n, begin + kStep);
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int64_t i = begin; i < end; ++i) x[i] = 1.0f;
    }
  }
  return static_cast<float*>(buffer.get());
}

std::string ProbeName(const std::string& kind, int64_t bytes, int threads) {
  return fmt::format("probe/{}/bytes:{}/threads:{}", kind, bytes, threads);
}

// x = x * a + b over the working set: one read and one write of every byte, as RoPE in place, on
// the widest vectors of Highway's dispatched target (bench/timing/rmw_kernel.h).
void ReadModifyWrite(benchmark::State& state, int64_t bytes, int threads) {
  if (SkipIfInterrupted(state)) return;
  const int64_t n = bytes / static_cast<int64_t>(sizeof(float));
  float* x = ProbeBuffer(bytes, threads);
  if (x == nullptr) {
    if (SkipIfInterrupted(state)) return;
    state.SkipWithError(fmt::format("cannot allocate {} bytes", bytes).c_str());
    return;
  }
  // Values stay near 1: x -> 0.999 x + 0.001.
  constexpr float kScale = 0.999f, kShift = 0.001f;
  ReadModifyWriteFloats(x, n, kScale, kShift);  // an untimed pass: the first one is slow
  for (auto _ : state) {          // NOLINT(clang-analyzer-deadcode.DeadStores): the library's idiom
    if (Interrupted()) continue;  // a pass over a large set takes a while: the rest run empty
    InPlaceOnThreads(threads, n * int64_t{sizeof(float)}, [&](int64_t begin, int64_t end) {
      ReadModifyWriteFloats(x + begin / 4, (end - begin) / 4, kScale, kShift);
    });
    benchmark::ClobberMemory();
  }
  if (Interrupted()) {
    state.SkipWithError(kInterruptedReason);
    return;
  }
  state.SetBytesProcessed(state.iterations() * 2 * bytes);
}

// dst = src over two halves of the working set: one read and one write of every byte.
void Copy(benchmark::State& state, int64_t bytes, int threads) {
  if (SkipIfInterrupted(state)) return;
  const int64_t n = bytes / 2 / static_cast<int64_t>(sizeof(float));
  float* src = ProbeBuffer(bytes, threads);
  if (src == nullptr) {
    if (SkipIfInterrupted(state)) return;
    state.SkipWithError(fmt::format("cannot allocate {} bytes", bytes).c_str());
    return;
  }
  float* dst = src + n;
  std::memcpy(dst, src, n * sizeof(float));  // an untimed pass: the first one is slow
  for (auto _ : state) {          // NOLINT(clang-analyzer-deadcode.DeadStores): the library's idiom
    if (Interrupted()) continue;  // a pass over a large set takes a while: the rest run empty
    if (threads == 1) {
      std::memcpy(dst, src, n * sizeof(float));
      benchmark::ClobberMemory();
      continue;
    }
#pragma omp parallel num_threads(threads)
    {
      const int64_t chunk = (n + omp_get_num_threads() - 1) / omp_get_num_threads();
      const int64_t begin = std::min(n, chunk * omp_get_thread_num());
      const int64_t end = std::min(n, begin + chunk);
      std::memcpy(dst + begin, src + begin, (end - begin) * sizeof(float));
    }
    benchmark::ClobberMemory();
  }
  if (Interrupted()) {
    state.SkipWithError(kInterruptedReason);
    return;
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}

}  // namespace

void FitProbeTimes(ProbePlan& plan, double benchmark_min_time) {
  plan.min_time = std::min(plan.min_time, benchmark_min_time);
  // Fresh memory can be slow for its first tens of milliseconds of use (a VM's host faulting it
  // in, or huge pages forming), far beyond one untimed pass: the warm-up absorbs it. Five
  // repetitions' worth keeps a short run's warm-up as long, relative to what it times.
  plan.warm_up = std::min(plan.warm_up, 5 * benchmark_min_time);
}

std::vector<int64_t> ProbeSizes(int64_t largest) {
  int64_t last_level = 0;
  for (const CacheLevel& cache : CpuCaches()) last_level = std::max(last_level, cache.bytes);
  const int64_t target = std::min(kLargest, std::max(largest, 2 * last_level));
  std::vector<int64_t> sizes;
  for (int64_t size = kSmallest; size <= kLargest; size *= 4) {
    sizes.push_back(size);
    if (size >= target) break;
  }
  return sizes;
}

void RegisterProbe(const ProbePlan& plan) {
  for (const char* kind : {"rmw", "copy"}) {
    for (int threads : plan.threads) {
      for (int64_t bytes : plan.sizes) {
        const bool rmw = std::strcmp(kind, "rmw") == 0;
        benchmark::RegisterBenchmark(ProbeName(kind, bytes, threads).c_str(),
                                     [=](benchmark::State& state) {
                                       rmw ? ReadModifyWrite(state, bytes, threads)
                                           : Copy(state, bytes, threads);
                                     })
            ->Unit(benchmark::kNanosecond)
            ->UseRealTime()
            ->Repetitions(plan.repetitions)
            ->MinTime(plan.min_time)
            ->MinWarmUpTime(plan.warm_up);
      }
    }
  }
}

std::vector<BandwidthRecord> ProbeRecords(const ProbePlan& plan,
                                          const std::map<std::string, CollectedRuns>& runs) {
  std::vector<BandwidthRecord> records;
  for (const char* kind : {"rmw", "copy"}) {
    for (int threads : plan.threads) {
      for (int64_t bytes : plan.sizes) {
        auto found = runs.find(ProbeName(kind, bytes, threads));
        if (found == runs.end() || found->second.repetition_ns.empty()) continue;
        BandwidthRecord r{kind, threads, bytes, found->second.repetition_ns, 0};
        // The fastest repetition, as STREAM reports its best trial: the probe measures what the
        // machine can attain, and a neighbour on a shared host only ever slows a repetition down
        // (medians of five here still dropped one size to half its neighbours' rate).
        const double fastest_ns = *std::min_element(r.repetition_ns.begin(), r.repetition_ns.end());
        r.bytes_per_second = 2.0 * bytes / (fastest_ns * 1e-9);
        // The copy's working set holds source and destination: each byte of it moves once.
        if (r.kind == "copy") r.bytes_per_second /= 2;
        records.push_back(std::move(r));
      }
    }
  }
  return records;
}

double ProbeBandwidthAt(const std::vector<BandwidthRecord>& probe, int64_t bytes, int threads) {
  std::vector<const BandwidthRecord*> points;
  for (const BandwidthRecord& r : probe) {
    if (r.kind == "rmw" && r.threads == threads) points.push_back(&r);
  }
  if (points.empty()) return 0;
  std::sort(points.begin(), points.end(), [](auto* a, auto* b) { return a->bytes < b->bytes; });
  if (bytes <= points.front()->bytes) return points.front()->bytes_per_second;
  if (bytes >= points.back()->bytes) return points.back()->bytes_per_second;
  for (size_t i = 1; i < points.size(); ++i) {
    if (bytes <= points[i]->bytes) {
      const double x0 = std::log(points[i - 1]->bytes), x1 = std::log(points[i]->bytes);
      const double w = (std::log(static_cast<double>(bytes)) - x0) / (x1 - x0);
      return (1 - w) * points[i - 1]->bytes_per_second + w * points[i]->bytes_per_second;
    }
  }
  return points.back()->bytes_per_second;
}

}  // namespace ropebench
