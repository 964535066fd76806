#include "reference/rope_reference.h"

#include <cassert>
#include <cmath>

#include "reference/frequencies.h"

namespace ropebench {

PairIndex PairElements(Pairing pairing, int rotary_dim, int i) {
  if (pairing == Pairing::kInterleaved) return {2 * i, 2 * i + 1};
  return {i, i + rotary_dim / 2};
}

CosSinTable ReferenceCosSin(const RopeSpec& spec, std::span<const int64_t> positions) {
  const RopeSpec resolved = ResolveSeqLen(spec, positions);
  const std::vector<long double> theta = InverseFrequenciesExtended(resolved);
  const long double attention = AttentionFactorExtended(resolved);
  CosSinTable table(positions.size(), std::vector<CosSin>(theta.size()));
  for (size_t t = 0; t < positions.size(); ++t) {
    for (size_t i = 0; i < theta.size(); ++i) {
      // A 64-bit significand holds every int64 position exactly.
      const long double angle = static_cast<long double>(positions[t]) * theta[i];
      table[t][i] = {attention * std::cos(angle), attention * std::sin(angle)};
    }
  }
  return table;
}

DenseTensor RotatePairs(const DenseTensor& x, Pairing pairing, int rotary_dim,
                        const CosSinTable& table) {
  assert(static_cast<int64_t>(table.size()) == x.tokens);
  DenseTensor y = x;  // pass-through elements keep their exact values
  for (int64_t t = 0; t < x.tokens; ++t) {
    for (int64_t h = 0; h < x.heads; ++h) {
      for (int i = 0; i < rotary_dim / 2; ++i) {
        const PairIndex pair = PairElements(pairing, rotary_dim, i);
        const long double a = x.at(t, h, pair.first), b = x.at(t, h, pair.second);
        const CosSin cs = table[t][i];
        y.at(t, h, pair.first) = static_cast<double>(a * cs.cos - b * cs.sin);
        y.at(t, h, pair.second) = static_cast<double>(a * cs.sin + b * cs.cos);
      }
    }
  }
  return y;
}

DenseTensor ApplyRope(const RopeSpec& spec, std::span<const int64_t> positions,
                      const DenseTensor& x) {
  return RotatePairs(x, spec.pairing, spec.rotary_dim, ReferenceCosSin(spec, positions));
}

}  // namespace ropebench
