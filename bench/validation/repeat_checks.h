// The checks that call a candidate again on a case it has already run (DESIGN.md §5): bitwise
// determinism, prefill == token-by-token decode, relative-position invariance and, for dynamic NTK,
// history independence. A repeated call that fails fails its check.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "bench/diagnosis/diagnosis.h"
#include "bench/validation/guarded_tensors.h"
#include "impls/core/candidate.h"
#include "reports/records.h"

namespace ropebench {

// Calls the candidate with its own copies of the spec and positions; when changed_inputs is given,
// says there if the candidate wrote to them.
CallResult CallWithCopies(Candidate& candidate, const RopeSpec& spec,
                          std::span<const int64_t> positions, const TensorView& q,
                          const TensorView& k, std::string* changed_inputs = nullptr);

// A case after its first call: what the repeat checks compare against.
struct FirstCall {
  Candidate& candidate;
  const RopeSpec& spec;  // seq_len resolved
  GuardedTensors& tensors;
  const GuardedTensors::Bytes& inputs;   // every buffer before the first call
  const GuardedTensors::Bytes& outputs;  // and after it
  const Observation& observation;        // positions, widened inputs and outputs, tolerance
  double attention_factor;
};

CheckOutcome CheckDeterminism(const FirstCall& first);
// Only for 2 ..  64 tokens (one call per token).
std::optional<CheckOutcome> CheckPrefillDecode(const FirstCall& first);
CheckOutcome CheckRelativePosition(const FirstCall& first);
// Only for dynamic NTK.
std::optional<CheckOutcome> CheckHistory(const FirstCall& first);

}  // namespace ropebench
