// Input values for validation and benchmarks: magnitudes in [0.25, 4] with a random sign, rounded
// to the storage dtype. Pair norms bounded away from zero keep the pair-normalised error meaningful
// for every pair.
#pragma once

#include <cstdint>

#include "reference/tensor.h"

namespace ropebench {

void FillRandomValues(const TensorView& view, uint64_t seed);

}  // namespace ropebench
