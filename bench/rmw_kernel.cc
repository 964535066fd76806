// x = x * a + b, four vectors per step so that several loads are in flight; the rest a vector,
// then a lane, at a time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench/rmw_kernel.cc"
#include "bench/rmw_kernel.h"

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropebench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void ReadModifyWriteOnTarget(float* HWY_RESTRICT x, int64_t n, float a, float b) {
  const hn::ScalableTag<float> d;
  const hn::CappedTag<float, 1> d1;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  const auto va = hn::Set(d, a), vb = hn::Set(d, b);
  int64_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    const auto x0 = hn::LoadU(d, x + i);
    const auto x1 = hn::LoadU(d, x + i + lanes);
    const auto x2 = hn::LoadU(d, x + i + 2 * lanes);
    const auto x3 = hn::LoadU(d, x + i + 3 * lanes);
    hn::StoreU(hn::MulAdd(x0, va, vb), d, x + i);
    hn::StoreU(hn::MulAdd(x1, va, vb), d, x + i + lanes);
    hn::StoreU(hn::MulAdd(x2, va, vb), d, x + i + 2 * lanes);
    hn::StoreU(hn::MulAdd(x3, va, vb), d, x + i + 3 * lanes);
  }
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::MulAdd(hn::LoadU(d, x + i), va, vb), d, x + i);
  for (; i < n; ++i) {
    hn::StoreU(hn::MulAdd(hn::LoadU(d1, x + i), hn::Set(d1, a), hn::Set(d1, b)), d1, x + i);
  }
}

void AddToWordsOnTarget(uint32_t* HWY_RESTRICT w, int64_t n, uint32_t addend) {
  const hn::ScalableTag<uint32_t> d;
  const hn::CappedTag<uint32_t, 1> d1;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  const auto v = hn::Set(d, addend);
  int64_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    const auto w0 = hn::LoadU(d, w + i);
    const auto w1 = hn::LoadU(d, w + i + lanes);
    const auto w2 = hn::LoadU(d, w + i + 2 * lanes);
    const auto w3 = hn::LoadU(d, w + i + 3 * lanes);
    hn::StoreU(hn::Add(w0, v), d, w + i);
    hn::StoreU(hn::Add(w1, v), d, w + i + lanes);
    hn::StoreU(hn::Add(w2, v), d, w + i + 2 * lanes);
    hn::StoreU(hn::Add(w3, v), d, w + i + 3 * lanes);
  }
  for (; i < n; ++i) hn::StoreU(hn::Add(hn::LoadU(d1, w + i), hn::Set(d1, addend)), d1, w + i);
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
