#include "bench/validation/random_fill.h"

#include <bit>
#include <cstdint>

#include "impls/core/numeric.h"

namespace ropebench {

void FillRandomValues(const TensorView& view, uint64_t seed) {
  // splitmix64: cheap and well mixed; inputs need variety, not cryptographic quality.
  uint64_t state = seed;
  WithDType(view.dtype, [&]<DType kDType>() {
    for (int64_t t = 0; t < view.tokens; ++t) {
      for (int64_t h = 0; h < view.heads; ++h) {
        const int64_t row = view.Offset(t, h, 0);
        for (int64_t d = 0; d < view.head_dim; ++d) {
          uint64_t z = (state += 0x9E3779B97F4A7C15ull);
          z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
          z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
          z ^= z >> 31;
          // z >> 40 < 2^24 converts exactly from int32, in one instruction (from uint64 it
          // takes a branch on x86-64).
          const auto fraction = static_cast<int32_t>(z >> 40);
          const float magnitude = 0.25f + 3.75f * static_cast<float>(fraction) * 0x1p-24f;
          // The sign from the low bit without a branch (a coin flip mispredicts half the time).
          const uint32_t sign = static_cast<uint32_t>(z & 1) << 31;
          Store<kDType>(view.data, row + d,
                        std::bit_cast<float>(std::bit_cast<uint32_t>(magnitude) ^ sign));
        }
      }
    }
  });
}

}  // namespace ropebench
