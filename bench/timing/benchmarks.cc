#include "bench/timing/benchmarks.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>

#include "bench/timing/aligned_buffer.h"
#include "bench/timing/bandwidth_probe.h"
#include "bench/timing/gbench_runner.h"
#include "bench/timing/machine_info.h"
#include "bench/timing/rmw_kernel.h"
#include "bench/validation/case_runner.h"
#include "bench/validation/interrupt.h"
#include "bench/validation/random_fill.h"
#include "benchmark/benchmark.h"
#include "fmt/format.h"
#include "reference/presets.h"

namespace ropebench {
namespace {

// Tokens in the validation run before timing: all of a short benchmark, else its first and last
// ones.
constexpr int64_t kValidatedTokens = 32;

// The memory patterns the adjacent probe measures on a shape's own buffers; the best of them is the
// shape's limit, so that no way a kernel can stream its lines is faster than "the limit".
struct ProbePattern {
  const char* name;
  StreamPattern stream;
  bool token_walk;  // token by token, its Q row then its K row, as a RoPE token loop walks them
  // Measured only on working sets past a core's L2: stores that bypass the cache cannot beat
  // stores to lines already in it.
  bool out_of_cache_only;
};
constexpr ProbePattern kProbePatterns[] = {
    {"rmw", StreamPattern::kPlain, false, false},
    {"rmw_prefetch", StreamPattern::kPrefetch, false, false},
    {"rmw_stream", StreamPattern::kStream, false, true},
    {"rmw_token_walk", StreamPattern::kPlain, true, false},
};

// Whether `pattern` is measured for `shape` (whose working set is `bytes`).
bool Probes(const ProbePattern& pattern, int64_t bytes) {
  static const int64_t l2 = CoreL2Bytes(int64_t{2} << 20);
  return !pattern.out_of_cache_only || bytes > l2;
}

struct Shape {
  Candidate* candidate;
  const ModelPreset* preset;
  DType dtype;
  int64_t tokens;
  int threads;

  std::string Name() const {
    return fmt::format("rope/{}/{}/{}/tokens:{}/threads:{}", candidate->name(), preset->name,
                       ToString(dtype), tokens, threads);
  }
  // An in-place read-modify-write of this shape's buffers at its thread count (RunAdjacentProbe).
  std::string AdjacentProbeName(const ProbePattern& pattern = kProbePatterns[0]) const {
    return fmt::format("{}/{}/{}/tokens:{}/threads:{}", pattern.name, preset->name, ToString(dtype),
                       tokens, threads);
  }
  int64_t WorkingSet() const { return WorkingSetBytes(std::string(preset->name), dtype, tokens); }
  // Prefill at 0..T-1; a single token decodes at the last position the model serves.
  std::vector<int64_t> Positions() const {
    if (tokens == 1) return {preset->max_positions - 1};
    std::vector<int64_t> positions(tokens);
    for (int64_t t = 0; t < tokens; ++t) positions[t] = t;
    return positions;
  }
};

// The inputs of one shape (preset, dtype, tokens): buffers filled and warmed once, shared by the
// candidates that run on it one after another. Rotating in place keeps the values bounded when the
// attention factor is 1 (it is for the default presets; otherwise they grow by it per call), and
// any values serve for timing once each candidate has been validated on its own.
struct Buffers {
  std::string key;
  RopeSpec spec;  // seq_len resolved
  std::vector<int64_t> positions;
  AlignedBuffer q_data, k_data;
  TensorView q, k;
};

TensorView AllocateView(AlignedBuffer& storage, DType dtype, int64_t tokens, int heads,
                        int head_dim) {
  const int64_t elements = tokens * heads * head_dim;
  storage = AllocateAligned(static_cast<size_t>(elements * BytesPerElement(dtype)));
  if (!storage) throw std::bad_alloc();
  return {storage.get(), dtype, tokens, heads, head_dim, int64_t{heads} * head_dim, head_dim};
}

// Fresh memory is slow for its first tens of milliseconds of use here (see bandwidth_probe.cc):
// touch every cache line until 0.1 s have passed, outside any timing.
void WarmMemory(void* data, int64_t bytes) {
  const auto start = std::chrono::steady_clock::now();
  auto* p = static_cast<volatile unsigned char*>(data);
  do {
    for (int64_t i = 0; i < bytes; i += 64) p[i] = p[i];
  } while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100) &&
           !Interrupted());
}

const Buffers& BuffersFor(const Shape& shape) {
  static std::unique_ptr<Buffers> active;  // one shape's buffers at a time: they can be GiBs
  const std::string key =
      fmt::format("{}/{}/{}", shape.preset->name, ToString(shape.dtype), shape.tokens);
  if (active && active->key == key) return *active;
  active.reset();
  auto buffers = std::make_unique<Buffers>();
  buffers->key = key;
  buffers->positions = shape.Positions();
  buffers->spec = ResolveSeqLen(shape.preset->spec, buffers->positions);
  const int head_dim = shape.preset->spec.head_dim;
  buffers->q =
      AllocateView(buffers->q_data, shape.dtype, shape.tokens, shape.preset->q_heads, head_dim);
  buffers->k =
      AllocateView(buffers->k_data, shape.dtype, shape.tokens, shape.preset->kv_heads, head_dim);
  FillRandomValues(buffers->q, 1);
  FillRandomValues(buffers->k, 2);
  const int bytes = BytesPerElement(shape.dtype);
  WarmMemory(buffers->q.data, buffers->q.tokens * buffers->q.token_stride * bytes);
  WarmMemory(buffers->k.data, buffers->k.tokens * buffers->k.token_stride * bytes);
  active = std::move(buffers);
  return *active;
}

// The shape's buffers, or nullptr with the benchmark skipped: after Ctrl-C, or when they cannot be
// allocated now (the plan refused shapes that cannot fit at all; others may still hold the memory).
const Buffers* BuffersOrSkip(const Shape& shape, benchmark::State& state) {
  if (SkipIfInterrupted(state)) return nullptr;
  try {
    return &BuffersFor(shape);
  } catch (const std::bad_alloc&) {
    state.SkipWithError(
        fmt::format("cannot allocate {:.2f} GiB for Q and K",
                    static_cast<double>(WorkingSetBytes(std::string(shape.preset->name),
                                                        shape.dtype, shape.tokens)) /
                        (1 << 30))
            .c_str());
    return nullptr;
  }
}

std::string ValidateShape(const Shape& shape, const RopeSpec& spec,
                          const std::vector<int64_t>& positions, BenchmarkVerdicts& verdicts) {
  ValidationCase c;
  c.suite = "benchmark";
  c.group = "benchmark";
  c.name = shape.Name();
  c.preset = std::string(shape.preset->name);
  c.spec = spec;
  c.dtype = shape.dtype;
  c.q_heads = shape.preset->q_heads;
  c.kv_heads = shape.preset->kv_heads;
  c.layout = Layout::kContiguous;
  c.seed = 0xbe7c4;
  for (size_t t = 0; t < positions.size(); ++t) {
    if (t < kValidatedTokens / 2 || t + kValidatedTokens / 2 >= positions.size()) {
      c.positions.push_back(positions[t]);
    }
  }
  const CaseRecord record = RunCase(*shape.candidate, c);
  if (record.status == CaseStatus::kSkip) return "unsupported: " + record.skip_reason;
  // The right convention with too little angle precision is still timed, with its verdict.
  if (record.status == CaseStatus::kPrecision) {
    verdicts.precision_limited[shape.Name()] = record.diagnosis->detail;
    return "";
  }
  if (Failed(record.status)) {
    std::string reason = fmt::format("fails validation on this shape: [{}] {}",
                                     ToString(record.diagnosis->code), record.diagnosis->detail);
    verdicts.validation_failures[shape.Name()] = reason;
    return reason;
  }
  return "";
}

// Seconds one call of the candidate takes on `tokens` tokens of the shape, predicted from one call
// on a few tokens (after a first call that builds the candidate's cached tables); negative with
// `failure` set when a call fails.
double PredictCallSeconds(const Shape& shape, const RopeSpec& spec, CallResult& failure) {
  constexpr int64_t kSample = 8;
  Shape sample = shape;
  sample.tokens = kSample;
  std::vector<int64_t> positions = sample.Positions();
  const RopeSpec sample_spec = ResolveSeqLen(spec, positions);
  AlignedBuffer q_data, k_data;
  const int head_dim = shape.preset->spec.head_dim;
  const TensorView q = AllocateView(q_data, shape.dtype, kSample, shape.preset->q_heads, head_dim);
  const TensorView k = AllocateView(k_data, shape.dtype, kSample, shape.preset->kv_heads, head_dim);
  FillRandomValues(q, 3);
  FillRandomValues(k, 4);
  if (shape.candidate->capabilities().threaded) omp_set_num_threads(shape.threads);
  Candidate& timed = shape.candidate->ForTiming();
  failure = timed.Rotate(sample_spec, positions, q, &k);  // builds its tables
  if (failure.status != CallStatus::kOk) return -1;
  const auto start = std::chrono::steady_clock::now();
  failure = timed.Rotate(sample_spec, positions, q, &k);
  if (failure.status != CallStatus::kOk) return -1;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // A self-timed program's start-up does not grow with tokens: scale what it says its work took.
  if (timed.capabilities().self_timed && timed.last_call_timing().seconds > 0) {
    seconds = timed.last_call_timing().seconds;
  }
  return seconds * static_cast<double>(shape.tokens) / kSample;
}

// A call that failed while timed: the benchmark is skipped, and its record says how it ended.
void SkipFailedCall(benchmark::State& state, const Shape& shape, const CallResult& result,
                    BenchmarkVerdicts& verdicts) {
  // The Ctrl-C that stopped the run reached the plugin's worker too: not the plugin's crash.
  if (Interrupted()) {
    state.SkipWithError(kInterruptedReason);
    return;
  }
  verdicts.failed_calls.emplace(shape.Name(), result);
  state.SkipWithError(("the call failed: " + result.message).c_str());
}

void RunRope(benchmark::State& state, const Shape& shape, const std::string& skip_reason,
             BenchmarkVerdicts& verdicts) {
  if (!skip_reason.empty()) {  // validated at registration: never timed
    state.SkipWithError(skip_reason.c_str());
    return;
  }
  const Buffers* allocated = BuffersOrSkip(shape, state);
  if (allocated == nullptr) return;
  const Buffers& buffers = *allocated;
  if (shape.candidate->capabilities().threaded) omp_set_num_threads(shape.threads);
  // A candidate that keeps a cos/sin table per spec, as serving engines do, has it built by one
  // untimed call (another shape may have replaced it since validation): an engine builds it before
  // it serves. Everything a call itself does stays timed.
  if (shape.candidate->capabilities().cos_sin == CosSinSource::kCachedTable) {
    const CallResult warm =
        shape.candidate->ForTiming().Rotate(buffers.spec, buffers.positions, buffers.q, &buffers.k);
    if (warm.status != CallStatus::kOk) {
      SkipFailedCall(state, shape, warm, verdicts);
      return;
    }
  }
  Candidate& timed = shape.candidate->ForTiming();
  const bool self_timed = timed.capabilities().self_timed;
  bool self_reported = self_timed;
  bool worker = self_timed;
  for (auto _ : state) {          // NOLINT(clang-analyzer-deadcode.DeadStores): the library's idiom
    if (Interrupted()) continue;  // slow calls would run on for seconds: the rest run empty
    const CallResult result = timed.Rotate(buffers.spec, buffers.positions, buffers.q, &buffers.k);
    if (result.status != CallStatus::kOk) {
      SkipFailedCall(state, shape, result, verdicts);
      return;
    }
    benchmark::ClobberMemory();
    if (self_timed) {  // registered with UseManualTime
      const CallTiming timing = timed.last_call_timing();
      self_reported = self_reported && timing.self_reported;
      worker = worker && timing.worker;
      state.SetIterationTime(timing.seconds);
    }
  }
  if (Interrupted()) {  // the calls after the interrupt ran empty: the figure means nothing
    state.SkipWithError(kInterruptedReason);
    return;
  }
  // The record's `timing`: how the time per call was taken.
  state.SetLabel(!self_timed     ? "wall"
                 : worker        ? "worker"
                 : self_reported ? "self_reported"
                                 : "process");
  state.SetBytesProcessed(state.iterations() *
                          BytesPerCall(std::string(shape.preset->name), shape.dtype, shape.tokens));
  state.SetItemsProcessed(state.iterations() * shape.tokens);
}

// A candidate for the roofline's denominator: every 32-bit word of the shape's own Q and K buffers
// read, added to and written back in place as `pattern` moves them, on Highway's widest vectors, at
// the shape's thread count, run just before its candidates. Measured on the same memory and
// minutes closer in time than the bandwidth sweep's point at that size, it keeps a noisy host's
// drift out of the ratio.
void RunAdjacentProbe(benchmark::State& state, const Shape& shape, const ProbePattern& pattern) {
  const Buffers* allocated = BuffersOrSkip(shape, state);
  if (allocated == nullptr) return;
  const Buffers& buffers = *allocated;
  const int bytes = BytesPerElement(shape.dtype);
  const int64_t q_row = buffers.q.token_stride * bytes, k_row = buffers.k.token_stride * bytes;
  const int64_t q_bytes = buffers.q.tokens * q_row, k_bytes = buffers.k.tokens * k_row;
  char* const q = static_cast<char*>(buffers.q.data);
  char* const k = static_cast<char*>(buffers.k.data);
  volatile uint32_t zero = 0;  // adds nothing, but the compiler cannot know it
  const uint32_t addend = zero;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the library's idiom
    if (pattern.token_walk) {
      InPlaceOnThreads(
          shape.threads, shape.tokens,
          [&](int64_t begin, int64_t end) {
            for (int64_t t = begin; t < end; ++t) {
              AddToWords(q + t * q_row, q_row, addend, pattern.stream);
              AddToWords(k + t * k_row, k_row, addend, pattern.stream);
            }
          },
          /*granule=*/1);
    } else {
      for (const auto& [data, size] : {std::pair{q, q_bytes}, {k, k_bytes}}) {
        InPlaceOnThreads(shape.threads, size, [&, data = data](int64_t begin, int64_t end) {
          AddToWords(data + begin, end - begin, addend, pattern.stream);
        });
      }
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 2 * (q_bytes + k_bytes));
}

// Shape-major: the candidates of one shape run one after another on the same buffers.
std::vector<Shape> Shapes(const BenchmarkPlan& plan) {
  std::vector<Shape> shapes;
  for (const std::string& preset : plan.presets) {
    for (DType dtype : plan.dtypes) {
      for (int64_t tokens : plan.tokens) {
        for (int threads : plan.threads) {
          for (Candidate* candidate : plan.candidates) {
            if (threads > 1 && !candidate->capabilities().threaded) continue;
            shapes.push_back({candidate, FindPreset(preset), dtype, tokens, threads});
          }
        }
      }
    }
  }
  return shapes;
}

// Whether a benchmark ran faster than its probe by more than the two medians' noise (their
// relative median absolute deviations), and in any case by more than 5 %: the probe is then no
// limit for this shape, and its roofline is not a fraction of one.
bool ProbeFallsShort(const BenchmarkRecord& r) {
  constexpr double kMostSlack = 0.05;
  auto relative_noise = [](const std::vector<double>& ns) {
    const double median = Median(ns);
    return median > 0 ? MedianAbsoluteDeviation(ns) / median : 0;
  };
  const double noise = relative_noise(r.repetition_ns) +
                       (r.probe_repetition_ns.empty() ? 0 : relative_noise(r.probe_repetition_ns));
  return r.roofline > 1 + std::min(kMostSlack, noise);
}

}  // namespace

std::vector<int> DefaultThreads() {
  const int cpus = std::max(1, omp_get_num_procs());
  return cpus > 1 ? std::vector<int>{1, cpus} : std::vector<int>{1};
}

int64_t WorkingSetBytes(const std::string& preset, DType dtype, int64_t tokens) {
  const ModelPreset& p = *FindPreset(preset);
  return tokens * (p.q_heads + p.kv_heads) * int64_t{p.spec.head_dim} * BytesPerElement(dtype);
}

int64_t BytesPerCall(const std::string& preset, DType dtype, int64_t tokens) {
  const ModelPreset& p = *FindPreset(preset);
  return 2 * tokens * (p.q_heads + p.kv_heads) * int64_t{p.spec.rotary_dim} *
         BytesPerElement(dtype);
}

int64_t LargestWorkingSet(const BenchmarkPlan& plan) {
  int64_t largest = 0;
  for (const std::string& preset : plan.presets) {
    for (DType dtype : plan.dtypes) {
      for (int64_t tokens : plan.tokens) {
        largest = std::max(largest, WorkingSetBytes(preset, dtype, tokens));
      }
    }
  }
  return largest;
}

// Whether `shape` is the first of its buffers and thread count: its adjacent probe goes first.
bool FirstOfItsGroup(const std::vector<Shape>& shapes, size_t i) {
  return i == 0 || shapes[i - 1].AdjacentProbeName() != shapes[i].AdjacentProbeName();
}

size_t CountRopeBenchmarks(const BenchmarkPlan& plan) {
  const std::vector<Shape> shapes = Shapes(plan);
  size_t count = shapes.size();
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (!FirstOfItsGroup(shapes, i)) continue;
    const int64_t bytes = shapes[i].WorkingSet();
    for (const ProbePattern& pattern : kProbePatterns) count += Probes(pattern, bytes);
  }
  return count;
}

std::shared_ptr<BenchmarkVerdicts> RegisterRopeBenchmarks(const BenchmarkPlan& plan) {
  auto verdicts = std::make_shared<BenchmarkVerdicts>();
  const std::vector<Shape> shapes = Shapes(plan);
  const int64_t largest =
      plan.tokens.empty() ? 0 : *std::max_element(plan.tokens.begin(), plan.tokens.end());
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape& shape = shapes[i];
    const int asked = shape.tokens == largest && plan.repetitions_at_largest > 0
                          ? std::min(plan.repetitions, plan.repetitions_at_largest)
                          : plan.repetitions;
    for (const ProbePattern& pattern : kProbePatterns) {
      if (!FirstOfItsGroup(shapes, i) || !Probes(pattern, shape.WorkingSet())) continue;
      benchmark::RegisterBenchmark(
          shape.AdjacentProbeName(pattern).c_str(),
          [shape, &pattern](benchmark::State& state) { RunAdjacentProbe(state, shape, pattern); })
          ->Unit(benchmark::kNanosecond)
          ->UseRealTime()
          ->Repetitions(asked)
          ->MinTime(plan.min_time);
    }
    const std::vector<int64_t> positions = shape.Positions();
    const RopeSpec spec = ResolveSeqLen(shape.preset->spec, positions);
    // Validated before anything is timed, on this shape's spec, dtype and heads.
    std::string skip_reason =
        Interrupted() ? kInterruptedReason : ValidateShape(shape, spec, positions, *verdicts);
    int repetitions = asked;
    if (skip_reason.empty()) {
      // Fewer repetitions where even one call is slow (the O(rotary_dim^2) matrix form at 64K
      // tokens takes tens of seconds here); Google Benchmark still runs and aggregates them.
      CallResult failure;
      const double call_seconds = PredictCallSeconds(shape, spec, failure);
      if (failure.status != CallStatus::kOk) {
        skip_reason = "the call failed: " + failure.message;
        verdicts->failed_calls.emplace(shape.Name(), failure);
      } else if (plan.max_call_seconds > 0 && call_seconds > plan.max_call_seconds) {
        skip_reason = fmt::format(
            "not timed: a call takes ~{:.1f}s, over this run's limit of {:g}s per call (--full, "
            "or `ropebench bench`, times it)",
            call_seconds, plan.max_call_seconds);
      }
      const int affordable = static_cast<int>(plan.time_budget / std::max(call_seconds, 1e-9));
      repetitions = std::clamp(affordable, 1, asked);
      if (repetitions < asked) {
        verdicts->notes[shape.Name()] = fmt::format(
            "{} of {} repetitions: a call takes ~{:.1f}s, the time budget is {:g}s per benchmark",
            repetitions, asked, call_seconds, plan.time_budget);
      }
    }
    benchmark::internal::Benchmark* registered = benchmark::RegisterBenchmark(
        shape.Name().c_str(), [shape, skip_reason, verdicts](benchmark::State& state) {
          RunRope(state, shape, skip_reason, *verdicts);
        });
    registered->Unit(benchmark::kNanosecond)->Repetitions(repetitions)->MinTime(plan.min_time);
    if (shape.candidate->ForTiming().capabilities().self_timed) {
      registered->UseManualTime();
    } else {
      registered->UseRealTime();
    }
  }
  return verdicts;
}

std::vector<BenchmarkRecord> RopeRecords(const BenchmarkPlan& plan,
                                         const std::map<std::string, CollectedRuns>& runs,
                                         const std::vector<BandwidthRecord>& probe,
                                         const BenchmarkVerdicts& verdicts) {
  std::vector<BenchmarkRecord> records;
  for (const Shape& shape : Shapes(plan)) {
    BenchmarkRecord r;
    r.name = shape.Name();
    r.candidate = shape.candidate->name();
    r.preset = shape.preset->name;
    r.dtype = ToString(shape.dtype);
    r.tokens = shape.tokens;
    r.threads = shape.threads;
    r.positions = shape.tokens == 1 ? "decode" : "prefill";
    r.working_set_bytes = WorkingSetBytes(r.preset, shape.dtype, shape.tokens);
    r.bytes_per_call = BytesPerCall(r.preset, shape.dtype, shape.tokens);
    r.cos_sin = ToString(shape.candidate->capabilities().cos_sin);
    r.target = shape.candidate->target();
    auto found = runs.find(r.name);
    if (found == runs.end()) continue;  // filtered out with --benchmark_filter
    const CollectedRuns& run = found->second;
    if (!run.error.empty() || run.repetition_ns.empty()) {
      const auto failed = verdicts.failed_calls.find(r.name);
      r.status = failed == verdicts.failed_calls.end()
                     ? "skipped"
                     : std::string(ToString(StatusOfFailedCall(failed->second.status)));
      r.skip_reason = run.error.empty() ? "no repetition ran" : run.error;
      r.validation_failed = verdicts.validation_failures.count(r.name) > 0;
      records.push_back(std::move(r));
      continue;
    }
    r.status = "ok";
    if (auto note = verdicts.notes.find(r.name); note != verdicts.notes.end())
      r.note = note->second;
    if (auto limited = verdicts.precision_limited.find(r.name);
        limited != verdicts.precision_limited.end()) {
      r.verdict = "precision";
      r.verdict_detail = limited->second;
    }
    r.iterations = run.iterations;
    r.timing = run.label.empty() ? "wall" : run.label;
    r.repetition_ns = run.repetition_ns;
    r.median_ns = Median(r.repetition_ns);
    r.mad_ns = MedianAbsoluteDeviation(r.repetition_ns);
    r.bytes_per_second = r.bytes_per_call / (r.median_ns * 1e-9);
    r.tokens_per_second = r.tokens / (r.median_ns * 1e-9);
    r.ns_per_token = r.median_ns / r.tokens;
    r.probe_bytes_per_second = ProbeBandwidthAt(probe, r.working_set_bytes, r.threads);
    r.probe_source = "sweep";
    for (const ProbePattern& pattern : kProbePatterns) {
      const auto adjacent = runs.find(shape.AdjacentProbeName(pattern));
      if (adjacent == runs.end() || adjacent->second.repetition_ns.empty()) continue;
      // Its median repetition, the numerator's statistic: a median over a fastest repetition falls
      // with the host's noise alone, and a gate on it would follow the neighbour's load, not the
      // kernel.
      const double speed =
          2.0 * r.working_set_bytes / (Median(adjacent->second.repetition_ns) * 1e-9);
      r.probe_patterns[pattern.name] = speed;
      if (r.probe_source != "same_buffers" || speed > r.probe_bytes_per_second) {
        r.probe_repetition_ns = adjacent->second.repetition_ns;
        r.probe_bytes_per_second = speed;
        r.probe_source = "same_buffers";
        r.probe_pattern = pattern.name;
      }
    }
    if (r.probe_bytes_per_second > 0) {
      r.roofline = r.bytes_per_second / r.probe_bytes_per_second;
    } else {  // the probe was left out (--benchmark_filter): no limit to be a fraction of
      r.probe_source = "none";
      r.roofline = std::numeric_limits<double>::quiet_NaN();
    }
    r.probe_shortfall = ProbeFallsShort(r);
    records.push_back(std::move(r));
  }
  return records;
}

}  // namespace ropebench
