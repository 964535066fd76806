#include "bench/timing/streaming_calibration.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include "bench/timing/aligned_buffer.h"
#include "bench/timing/machine_info.h"
#include "bench/validation/interrupt.h"
#include "impls/highway/highway_streaming.h"
#include "impls/variants.h"
#include "reference/presets.h"
#include "reports/compare/rank_intervals.h"

namespace ropebench {
namespace {

// The distances tried, 0 being no software prefetch: around the few KiB that hide a DRAM latency
// at one core's bandwidth.
constexpr int64_t kDistances[] = {0, 1024, 2048, 4096, 8192};
constexpr int kRounds = 5;

// A working set well past every cache: four times the largest, at least 64 MiB, at most 1 GiB.
int64_t OutOfCacheBytes() {
  int64_t largest = 0;
  for (const CacheLevel& c : CpuCaches()) largest = std::max(largest, c.bytes);
  return std::clamp<int64_t>(4 * largest, int64_t{64} << 20, int64_t{1} << 30);
}

}  // namespace

nlohmann::json ChooseHighwayStreaming(const std::string& preset, int64_t largest_working_set,
                                      std::optional<int64_t> forced_prefetch_bytes) {
  HighwayStreaming streaming;
  streaming.in_cache_bytes = CoreL2Bytes(streaming.in_cache_bytes);
  nlohmann::json record = {{"in_cache_bytes", streaming.in_cache_bytes}};
  if (forced_prefetch_bytes || largest_working_set <= streaming.in_cache_bytes) {
    if (forced_prefetch_bytes) streaming.prefetch_bytes = *forced_prefetch_bytes;
    SetHighwayStreaming(streaming);
    record["prefetch_bytes"] = streaming.prefetch_bytes;
    record["source"] = forced_prefetch_bytes ? "--prefetch-bytes" : "unused";
    return record;
  }
  const ModelPreset& model = *FindPreset(preset);
  const int64_t head_dim = model.spec.head_dim;
  const int64_t row = (model.q_heads + model.kv_heads) * head_dim;
  const int64_t tokens = OutOfCacheBytes() / (row * int64_t{sizeof(float)});
  const AlignedBuffer storage = AllocateAligned(tokens * row * sizeof(float));
  float* const data = static_cast<float*>(storage.get());
  std::fill_n(data, tokens * row, 1.0f);
  const TensorView q{
      data, DType::kF32, tokens, model.q_heads, head_dim, model.q_heads * head_dim, head_dim};
  const TensorView k{data + tokens * model.q_heads * head_dim,
                     DType::kF32,
                     tokens,
                     model.kv_heads,
                     head_dim,
                     model.kv_heads * head_dim,
                     head_dim};
  std::vector<int64_t> positions(tokens);
  for (int64_t t = 0; t < tokens; ++t) positions[t] = t;
  const RopeSpec spec = ResolveSeqLen(model.spec, positions);
  const std::unique_ptr<Candidate> highway = MakeHighwayCandidate();
  std::map<int64_t, std::vector<double>> seconds;
  // Ctrl-C ends it between calls: the run then stops as promptly as anywhere else.
  for (int round = -1; round < kRounds && !Interrupted(); ++round) {  // -1 fills and warms
    for (int64_t distance : kDistances) {
      if (Interrupted()) break;
      streaming.prefetch_bytes = distance;
      SetHighwayStreaming(streaming);
      const auto start = std::chrono::steady_clock::now();
      highway->Rotate(spec, positions, q, &k);
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      if (round >= 0) seconds[distance].push_back(took.count());
    }
  }
  streaming.prefetch_bytes = HighwayStreaming{}.prefetch_bytes;
  if (Interrupted()) {  // the rounds measured so far are not alternated fairly: the default stays
    SetHighwayStreaming(streaming);
    record["prefetch_bytes"] = streaming.prefetch_bytes;
    record["source"] = "interrupted";
    return record;
  }
  nlohmann::json measured = nlohmann::json::object();
  double best = 0;
  for (const auto& [distance, times] : seconds) {
    // Q and K read and written, as the benchmarks count bytes.
    const double speed = 2.0 * static_cast<double>(tokens * row * sizeof(float)) / Median(times);
    measured[std::to_string(distance)] = speed;
    if (speed > best) {
      best = speed;
      streaming.prefetch_bytes = distance;
    }
  }
  SetHighwayStreaming(streaming);
  record["prefetch_bytes"] = streaming.prefetch_bytes;
  record["source"] = "calibrated";
  record["calibration"] = {{"preset", preset}, {"dtype", "f32"},    {"tokens", tokens},
                           {"threads", 1},     {"rounds", kRounds}, {"bytes_per_second", measured}};
  return record;
}

}  // namespace ropebench
