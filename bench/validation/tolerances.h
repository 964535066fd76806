// The tolerance table (STYLE.md 5): the largest pair-normalised error, in units of the storage
// dtype's unit roundoff u, that a candidate may show, by how it computes x the storage dtype.
#pragma once

#include "impls/core/candidate.h"
#include "reference/tensor.h"

namespace ropebench {

// The table's bound, or the run's own where one is set.
double PairErrorTolerance(Arithmetic arithmetic, DType dtype);

// One bound for every case and sweep of this run instead of the table's (`--tolerance U`); 0
// restores the table. Process-wide because a run judges under one bound, set before it starts.
void SetRunTolerance(double u);

}  // namespace ropebench
