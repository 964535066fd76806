#include "bench/validation/random_fill.h"

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
          const float magnitude = 0.25f + 3.75f * static_cast<float>(z >> 40) * 0x1p-24f;
          Store<kDType>(view.data, row + d, (z & 1) ? -magnitude : magnitude);
        }
      }
    }
  });
}

}  // namespace ropebench
