// Chooses, per machine and dtype, how the highway candidates stream calls out of cache
// (impls/highway/highway_streaming.h): times the highway candidate on a prefill out of cache of the
// benchmarked model in each dtype the run times with each prefetch distance, none included, in
// alternating rounds, and keeps the fastest. A second or two per dtype at start-up of a benchmark
// run, so that no distance tuned on one machine, or on one dtype, is imposed on the next.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "reference/tensor.h"

namespace ropebench {

// Sets the streaming for the rest of the process and says how it was chosen, for the report's
// machine.highway.streaming ("source"): measured for each of `dtypes` on `preset` (one thread;
// "calibrated": "by_dtype" has each dtype's distance and figures, "prefetch_bytes" and
// "calibration" the first dtype's), `forced_prefetch_bytes` (--prefetch-bytes, every dtype)
// without measuring, or left at the default when no call of the run (`largest_working_set` bytes
// of Q and K) is out of cache ("unused") or when Ctrl-C stops the measurement ("interrupted"). The
// in-cache size is this CPU's L2 where /sys says it.
nlohmann::json ChooseHighwayStreaming(const std::string& preset, const std::vector<DType>& dtypes,
                                      int64_t largest_working_set,
                                      std::optional<int64_t> forced_prefetch_bytes);

}  // namespace ropebench
