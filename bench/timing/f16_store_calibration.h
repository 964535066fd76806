// Chooses, per machine, how the highway candidates store f16 results (HighwayUseConvertingF16Store
// in impls/highway/highway_rope.h): a conversion that writes memory itself measured 10-20 % faster
// in cache on an Intel AVX-512 core, and may be slower elsewhere, so a run that times f16 times the
// highway candidate both ways on an in-cache call of the benchmarked model, in alternating rounds,
// and keeps the faster. A few tens of milliseconds at start-up.
#pragma once

#include <optional>
#include <string>

#include "nlohmann/json.hpp"

namespace ropebench {

// Sets the store for the rest of the process and says how it was chosen, for the report's
// machine.highway.f16_store: "converting" (true: the conversion writes memory) and "source":
// measured on `preset` (f16, one thread; "calibrated"), `forced` (--f16-store) without measuring,
// left off where the dispatched target has no such store ("unavailable"), when the run times no
// f16 ("unused") or when Ctrl-C stops the measurement ("interrupted").
nlohmann::json ChooseHighwayF16Store(const std::string& preset, bool times_f16,
                                     std::optional<bool> forced);

}  // namespace ropebench
