// When a candidate fails, find the one hypothesis that explains its output (DESIGN.md §5): re-run
// the reference with the other pairing, shifted positions, an inverted rotation, swapped cos/sin,
// full rotary, other bases, scaling ignored or misapplied, the attention factor missing or squared,
// or a low-precision angle, and report the first that matches within tolerance.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "reference/metrics.h"
#include "reference/rope_spec.h"
#include "reference/tensor.h"
#include "reports/records.h"

namespace ropebench {

// What a candidate produced on a case: the inputs, its outputs (Q then K) and the case.
struct Observation {
  RopeSpec spec;  // seq_len resolved
  std::vector<int64_t> positions;
  DType dtype = DType::kF32;
  double tolerance = 0;  // max pair-normalised error the case allows
  std::vector<DenseTensor> inputs;
  std::vector<DenseTensor> outputs;
  // Calls the candidate again at other positions (same spec and shape, fresh inputs), so that the
  // diagnosis can measure it where a fit is well posed; unset where it cannot be called again
  // (recorded outputs), nullopt when the call fails.
  std::function<std::optional<Observation>(const std::vector<int64_t>& positions)> rerun = nullptr;
};

// The smallest position whose token's error (one per position) exceeds the observation's
// tolerance, -1 when none does.
int64_t FirstFailingPosition(const Observation& observation, const std::vector<double>& errors);

// The observation of the given tokens only (indices into its positions), in that order.
Observation SelectTokens(const Observation& observation, const std::vector<int64_t>& tokens);

// The outputs' error against the reference, with the per-token maxima.
ErrorMetrics ReferenceError(const Observation& observation);

// The first hypothesis that explains the outputs; failing that, an angle that drifts as positions
// grow; else nullopt.
std::optional<Diagnosis> ExplainOutput(const Observation& observation);

// The diagnosis of a failed case from its check outcomes, explaining wrong outputs with
// ExplainOutput.
Diagnosis Diagnose(const Observation& observation, std::span<const CheckOutcome> checks);

}  // namespace ropebench
