// The tolerance table (STYLE.md 5): the largest pair-normalised error, in units of the storage
// dtype's unit roundoff u, that a candidate may show, by how it computes x the storage dtype.
#pragma once

#include "impls/candidate.h"
#include "reference/tensor.h"

namespace ropebench {

double PairErrorTolerance(Arithmetic arithmetic, DType dtype);

}  // namespace ropebench
