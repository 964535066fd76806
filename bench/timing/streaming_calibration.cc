#include "bench/timing/streaming_calibration.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include "bench/timing/calibration_prefill.h"
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

// A dtype's fastest distance, with every distance's figure and the call's token count.
struct DTypeCalibration {
  int64_t prefetch_bytes = 0;
  int64_t tokens = 0;
  nlohmann::json bytes_per_second = nlohmann::json::object();
};

// Times the highway candidate on a prefill of `model` out of cache in `dtype` with each distance,
// in alternating rounds; nothing when Ctrl-C stops it.
std::optional<DTypeCalibration> Calibrate(const ModelPreset& model, DType dtype,
                                          HighwayStreaming streaming) {
  const CalibrationPrefill prefill =
      MakeCalibrationPrefill(model, dtype, OutOfCacheBytes() / PrefillTokenBytes(model, dtype));
  const std::unique_ptr<Candidate> highway = MakeHighwayCandidate();
  std::map<int64_t, std::vector<double>> seconds;
  // Ctrl-C ends it between calls: the run then stops as promptly as anywhere else.
  for (int round = -1; round < kRounds && !Interrupted(); ++round) {  // -1 fills and warms
    for (int64_t distance : kDistances) {
      if (Interrupted()) break;
      streaming.SetPrefetchBytes(dtype, distance);
      SetHighwayStreaming(streaming);
      const auto start = std::chrono::steady_clock::now();
      highway->Rotate(prefill.spec, prefill.positions, prefill.q, &prefill.k);
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      if (round >= 0) seconds[distance].push_back(took.count());
    }
  }
  // The rounds measured so far are not alternated fairly.
  if (Interrupted()) return std::nullopt;
  DTypeCalibration calibration;
  calibration.tokens = prefill.q.tokens;
  double best = 0;
  for (const auto& [distance, times] : seconds) {
    // Q and K read and written, as the benchmarks count bytes.
    const double speed = 2.0 * static_cast<double>(prefill.Bytes()) / Median(times);
    calibration.bytes_per_second[std::to_string(distance)] = speed;
    if (speed > best) {
      best = speed;
      calibration.prefetch_bytes = distance;
    }
  }
  return calibration;
}

}  // namespace

nlohmann::json ChooseHighwayStreaming(const std::string& preset, const std::vector<DType>& dtypes,
                                      int64_t largest_working_set,
                                      std::optional<int64_t> forced_prefetch_bytes) {
  HighwayStreaming streaming;
  streaming.in_cache_bytes = CoreL2Bytes(streaming.in_cache_bytes);
  nlohmann::json record = {{"in_cache_bytes", streaming.in_cache_bytes}};
  const auto keep = [&](const char* source) {
    SetHighwayStreaming(streaming);
    record["prefetch_bytes"] = streaming.PrefetchBytes(dtypes.empty() ? DType::kF32 : dtypes[0]);
    record["source"] = source;
    return record;
  };
  if (forced_prefetch_bytes || largest_working_set <= streaming.in_cache_bytes || dtypes.empty()) {
    if (forced_prefetch_bytes) streaming.SetPrefetchBytes(*forced_prefetch_bytes);
    return keep(forced_prefetch_bytes ? "--prefetch-bytes" : "unused");
  }
  const ModelPreset& model = *FindPreset(preset);
  nlohmann::json by_dtype = nlohmann::json::object();
  for (DType dtype : dtypes) {
    const std::optional<DTypeCalibration> calibration = Calibrate(model, dtype, streaming);
    // Interrupted: the defaults stay for every dtype.
    if (!calibration) {
      streaming.prefetch_bytes = HighwayStreaming{}.prefetch_bytes;
      return keep("interrupted");
    }
    streaming.SetPrefetchBytes(dtype, calibration->prefetch_bytes);
    by_dtype[std::string(ToString(dtype))] = {{"prefetch_bytes", calibration->prefetch_bytes},
                                              {"tokens", calibration->tokens},
                                              {"bytes_per_second", calibration->bytes_per_second}};
    if (dtype == dtypes[0]) {
      record["calibration"] = {{"preset", preset},
                               {"dtype", ToString(dtype)},
                               {"tokens", calibration->tokens},
                               {"threads", 1},
                               {"rounds", kRounds},
                               {"bytes_per_second", calibration->bytes_per_second}};
    }
  }
  record["by_dtype"] = by_dtype;
  return keep("calibrated");
}

}  // namespace ropebench
