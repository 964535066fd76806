#include "bench/validation/validation_case.h"

#include <algorithm>
#include <random>

namespace ropebench {

std::string_view ToString(Layout layout) {
  constexpr std::string_view kNames[] = {"contiguous", "padded", "packed_qkv"};
  return kNames[static_cast<int>(layout)];
}

std::string_view ToString(PositionKind kind) {
  constexpr std::string_view kNames[] = {"sequential", "decode", "random", "nonmonotonic"};
  return kNames[static_cast<int>(kind)];
}

std::vector<int64_t> MakePositions(PositionKind kind, int64_t tokens, int64_t decode_position,
                                   uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> positions;
  switch (kind) {
    case PositionKind::kSequential:
      for (int64_t t = 0; t < tokens; ++t) positions.push_back(t);
      break;
    case PositionKind::kDecode:
      positions.push_back(decode_position);
      break;
    case PositionKind::kRandom: {
      std::uniform_int_distribution<int64_t> any(0, (int64_t{1} << 20) - 1);
      for (int64_t t = 0; t < tokens; ++t) positions.push_back(any(rng));
      break;
    }
    case PositionKind::kNonMonotonic: {
      // Several short sequences of different offsets, shuffled, with repeats.
      std::uniform_int_distribution<int64_t> offset(0, 5000);
      for (int64_t t = 0; t < tokens; ++t) {
        positions.push_back(t % 3 == 2 ? positions[t - 1] : offset(rng) + t % 4);
      }
      std::shuffle(positions.begin(), positions.end(), rng);
      break;
    }
  }
  return positions;
}

}  // namespace ropebench
