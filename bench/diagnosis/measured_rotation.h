// What a candidate did, measured from its inputs and outputs instead of replayed (DESIGN.md §5).
// RoPE maps each pair to a rotation with a gain: as complex numbers z' = w z with w = g e^{i phi}
// the same for every head of Q and K at one token and pair. Fitting w over the heads gives the
// angle and gain the candidate applied, and how well one w fits every head says whether the output
// is a rotation of that pairing at all. No rounding of the candidate's needs to be reproduced.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/diagnosis/diagnosis.h"
#include "reference/rope_spec.h"

namespace ropebench {

struct MeasuredRotation {
  Pairing pairing = Pairing::kHalfSplit;  // the pairing whose outputs fit rotations best
  // sum |z' - w z|^2 / sum |z'|^2 under that pairing: ~u^2 for a rotation, ~1 for anything else.
  double residual = 0;
  double other_residual = 0;  // the same under the other pairing
  // Whether the heads pin the pairing down (one head and no K fits any pairing exactly).
  bool pairing_determined = true;
  double gain = 0;  // median over tokens and pairs of |w|
  // [token][pair]: the angle applied (radians, in (-pi, pi]) and its gain.
  std::vector<std::vector<double>> angle;
  std::vector<std::vector<double>> pair_gain;
};

// A rotation's fit holds to this relative residual (storage rounding of bf16 stays below 1e-4).
inline constexpr double kRotationResidual = 1e-2;

// The best-fitting pairing's rotation, or nullopt when under neither pairing is the output a
// per-pair rotation of the input (a dense mixing, a copy from another head, zeros).
std::optional<MeasuredRotation> MeasureRotation(const Observation& observation);

// One explanation of the measured angles: phase + sign * positions[t] * theta[i].
struct AngleModel {
  std::vector<long double> positions;  // per token
  std::vector<long double> theta;      // per pair
  int sign = 1;
  long double phase = 0;
};

// The measured angle minus the model's, wrapped into (-pi, pi]: [token][pair].
std::vector<std::vector<double>> AngleResidual(const MeasuredRotation& m, const AngleModel& model);

// How many bits of angle the model accounts for: -log2 of the worst |residual| / (|angle| + 1),
// the angle being the spec's (`scale`, the same for every model compared), so that a model right
// up to a relative rounding of its angles keeps about that rounding's bits, one a whole position or
// a factor off keeps almost none, and angles past every model's precision favour none.
// Over the given tokens only, when `tokens` is not empty.
double KeptBits(const MeasuredRotation& m, const AngleModel& model, const AngleModel& scale,
                const std::vector<size_t>& tokens = {});

// How a right convention's angles fall short of exact (REAL_IMPLEMENTATIONS.md's profiles).
struct PrecisionProfile {
  double bits = 0;  // KeptBits of the model
  // The residual fitted as a relative error of each pair's frequency (angle * epsilon_i): the
  // largest |epsilon_i|, and whether that fit explains most of the residual.
  double frequency_error = 0;
  bool systematic = false;
  bool grows_along_pairs = false;  // |epsilon_i| rises with i (a recurrence pair after pair)
  std::string name;                // in words: "float32 frequencies and angles", ...
};
PrecisionProfile ProfileOf(const MeasuredRotation& m, const AngleModel& model,
                           const AngleModel& scale);

// Per pair, the rotation the candidate applied against the spec's (`spec`: the spec's own angle
// model): the inverse frequency and offset fitted to the measured angles over the small positions
// (all tokens when fewer than three are small), the median gain and the bits of angle kept.
RecoveredPairs RecoverPairs(const MeasuredRotation& m, const AngleModel& spec);

// The recovered frequencies against the spec's, in words: "pairs 0-17 at the spec's frequency;
// pairs 18-63 at 8x the spec's". Runs of pairs whose ratio agrees within 2 %; empty when there are
// more than five runs (noise, not a pattern) or where a pair has no positive finite ratio.
std::string DescribeFrequencies(const RecoveredPairs& recovered);

}  // namespace ropebench
