// In-place updates streamed four vectors per step, so that several loads are in flight; the rest
// one lane at a time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench/rmw_kernel.cc"
#include "bench/rmw_kernel.h"

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropebench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// x[i] = update(d, x[i]) over n elements of T.
template <typename T, class Update>
HWY_INLINE void UpdateInPlace(T* HWY_RESTRICT x, int64_t n, const Update& update) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    const auto x0 = hn::LoadU(d, x + i);
    const auto x1 = hn::LoadU(d, x + i + lanes);
    const auto x2 = hn::LoadU(d, x + i + 2 * lanes);
    const auto x3 = hn::LoadU(d, x + i + 3 * lanes);
    hn::StoreU(update(d, x0), d, x + i);
    hn::StoreU(update(d, x1), d, x + i + lanes);
    hn::StoreU(update(d, x2), d, x + i + 2 * lanes);
    hn::StoreU(update(d, x3), d, x + i + 3 * lanes);
  }
  for (; i < n; ++i) hn::StoreU(update(d1, hn::LoadU(d1, x + i)), d1, x + i);
}

void ReadModifyWriteOnTarget(float* HWY_RESTRICT x, int64_t n, float a, float b) {
  UpdateInPlace(x, n,
                [a, b](auto d, auto v) { return hn::MulAdd(v, hn::Set(d, a), hn::Set(d, b)); });
}

void AddToWordsOnTarget(uint32_t* HWY_RESTRICT w, int64_t n, uint32_t addend) {
  UpdateInPlace(w, n, [addend](auto d, auto v) { return hn::Add(v, hn::Set(d, addend)); });
}

}  // namespace HWY_NAMESPACE
}  // namespace ropebench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropebench {

HWY_EXPORT(ReadModifyWriteOnTarget);
HWY_EXPORT(AddToWordsOnTarget);

void ReadModifyWriteFloats(float* x, int64_t n, float a, float b) {
  HWY_DYNAMIC_DISPATCH(ReadModifyWriteOnTarget)(x, n, a, b);
}

void AddToWords(void* data, int64_t bytes, uint32_t addend) {
  HWY_DYNAMIC_DISPATCH(AddToWordsOnTarget)(static_cast<uint32_t*>(data), bytes / 4, addend);
}

}  // namespace ropebench
#endif  // HWY_ONCE
