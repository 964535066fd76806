#include "bench/timing/f16_store_calibration.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "bench/timing/calibration_prefill.h"
#include "bench/timing/machine_info.h"
#include "bench/validation/interrupt.h"
#include "impls/highway/highway_rope.h"
#include "impls/variants.h"
#include "reference/presets.h"
#include "reports/compare/rank_intervals.h"

namespace ropebench {
namespace {

constexpr int kF16StoreRounds = 5;
// Each round times this many seconds of calls of each kind, so that a round is well above the
// clock's resolution and a call's fixed cost.
constexpr double kF16StoreSecondsPerRound = 0.002;

nlohmann::json F16StoreChosen(bool converting, const char* source) {
  HighwayUseConvertingF16Store(converting);
  return {{"converting", HighwayConvertingF16Store()}, {"source", source}};
}

}  // namespace

nlohmann::json ChooseHighwayF16Store(const std::string& preset, bool times_f16,
                                     std::optional<bool> forced) {
  if (!HighwayHasConvertingF16Store()) return F16StoreChosen(false, "unavailable");
  if (forced) return F16StoreChosen(*forced, "--f16-store");
  if (!times_f16) return F16StoreChosen(false, "unused");
  // A call of a quarter of a core's L2: in cache, where the store's cost shows.
  const ModelPreset& model = *FindPreset(preset);
  const int64_t tokens = std::max<int64_t>(
      1, CoreL2Bytes(int64_t{2} << 20) / 4 / PrefillTokenBytes(model, DType::kF16));
  const CalibrationPrefill prefill = MakeCalibrationPrefill(model, DType::kF16, tokens);
  const std::unique_ptr<Candidate> highway = MakeHighwayCandidate();
  const auto seconds_of = [&](int calls) {
    const auto start = std::chrono::steady_clock::now();
    for (int c = 0; c < calls; ++c) {
      highway->Rotate(prefill.spec, prefill.positions, prefill.q, &prefill.k);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  seconds_of(1);  // warms the buffers and the table
  const double one_call = seconds_of(1);
  const int calls =
      std::max(1, static_cast<int>(kF16StoreSecondsPerRound / std::max(one_call, 1e-9)));
  std::map<bool, std::vector<double>> seconds;
  for (int round = 0; round < kF16StoreRounds && !Interrupted(); ++round) {
    for (bool converting : {false, true}) {
      HighwayUseConvertingF16Store(converting);
      seconds[converting].push_back(seconds_of(calls));
    }
  }
  // Ctrl-C: the rounds measured so far are not alternated fairly, so the register form stays.
  if (Interrupted()) return F16StoreChosen(false, "interrupted");
  // Q and K read and written, as the benchmarks count bytes.
  const double bytes = 2.0 * static_cast<double>(prefill.Bytes()) * calls;
  const double separate = bytes / Median(seconds[false]);
  const double converting = bytes / Median(seconds[true]);
  nlohmann::json record = F16StoreChosen(converting > separate, "calibrated");
  record["calibration"] = {
      {"preset", preset},
      {"dtype", "f16"},
      {"tokens", tokens},
      {"threads", 1},
      {"rounds", kF16StoreRounds},
      {"bytes_per_second", {{"separate", separate}, {"converting", converting}}}};
  return record;
}

}  // namespace ropebench
