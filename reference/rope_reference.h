// The float64 RoPE reference (the oracle). Plain scalar code, readable beside DESIGN.md §2:
//   pair i of a head is (x[first], x[second]) with first/second given by the pairing,
//   angle = p * theta_i, and  a' = A (a cos - b sin),  b' = A (a sin + b cos).
// Angles, cos and sin are formed in 80-bit extended precision from extended-precision frequencies:
// the angle is good to about p * theta * 2^-63 radians, under 2^-30 (1/64 of float32's unit
// roundoff) for every position up to 2^32, the end of the extrapolation sweep. A double angle would
// be 2^11 times worse.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "reference/rope_spec.h"
#include "reference/tensor.h"

namespace ropebench {

// The two elements of a head that rotated pair i moves.
struct PairIndex {
  int first;
  int second;
};
PairIndex PairElements(Pairing pairing, int rotary_dim, int i);

// cos and sin of one pair's angle, already multiplied by the attention factor.
struct CosSin {
  long double cos;
  long double sin;
};

// cos/sin for every (token, pair): [tokens][rotary_dim/2].
using CosSinTable = std::vector<std::vector<CosSin>>;

// The reference cos/sin table of a spec at the given positions (seq_len resolved from them when
// unset).
CosSinTable ReferenceCosSin(const RopeSpec& spec, std::span<const int64_t> positions);

// Rotates every head of x pair by pair with the table; elements past rotary_dim are copied
// unchanged.
DenseTensor RotatePairs(const DenseTensor& x, Pairing pairing, int rotary_dim,
                        const CosSinTable& table);

// The reference: RoPE of spec at the given positions applied to x ([tokens, heads, head_dim]).
DenseTensor ApplyRope(const RopeSpec& spec, std::span<const int64_t> positions,
                      const DenseTensor& x);

}  // namespace ropebench
