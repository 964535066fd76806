// In-place updates streamed four vectors per step, so that several loads are in flight; the rest
// one lane at a time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench/timing/rmw_kernel.cc"
#include "bench/timing/rmw_kernel.h"

#include "hwy/cache_control.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropebench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// x[i] = update(d, x[i]) over n elements of T, its lines moved as `pattern` says.
template <StreamPattern pattern, typename T, class Update>
HWY_INLINE void UpdateInPlace(T* HWY_RESTRICT x, int64_t n, const Update& update) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  auto store = [&](auto v, T* at) {
    if constexpr (pattern == StreamPattern::kStream) {
      hn::Stream(v, d, at);
    } else {
      hn::StoreU(v, d, at);
    }
  };
  int64_t i = 0;
  if constexpr (pattern == StreamPattern::kStream) {  // Stream stores to aligned addresses only
    const size_t alignment = lanes * sizeof(T);
    for (; i < n && reinterpret_cast<uintptr_t>(x + i) % alignment != 0; ++i) {
      hn::StoreU(update(d1, hn::LoadU(d1, x + i)), d1, x + i);
    }
  }
  constexpr int64_t kAhead = kPrefetchAheadBytes / sizeof(T);
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    if constexpr (pattern == StreamPattern::kPrefetch) {
      // A prefetch never faults: one past the end is harmless.
      for (int64_t line = 0; line < 4 * lanes; line += 64 / sizeof(T)) {
        hwy::Prefetch(x + i + kAhead + line);
      }
    }
    const auto x0 = hn::LoadU(d, x + i);
    const auto x1 = hn::LoadU(d, x + i + lanes);
    const auto x2 = hn::LoadU(d, x + i + 2 * lanes);
    const auto x3 = hn::LoadU(d, x + i + 3 * lanes);
    store(update(d, x0), x + i);
    store(update(d, x1), x + i + lanes);
    store(update(d, x2), x + i + 2 * lanes);
    store(update(d, x3), x + i + 3 * lanes);
  }
  for (; i < n; ++i) hn::StoreU(update(d1, hn::LoadU(d1, x + i)), d1, x + i);
  if constexpr (pattern == StreamPattern::kStream) hwy::FlushStream();
}

void ReadModifyWriteOnTarget(float* HWY_RESTRICT x, int64_t n, float a, float b) {
  UpdateInPlace<StreamPattern::kPlain>(
      x, n, [a, b](auto d, auto v) { return hn::MulAdd(v, hn::Set(d, a), hn::Set(d, b)); });
}

void AddToWordsOnTarget(uint32_t* HWY_RESTRICT w, int64_t n, uint32_t addend,
                        StreamPattern pattern) {
  const auto add = [addend](auto d, auto v) { return hn::Add(v, hn::Set(d, addend)); };
  switch (pattern) {
    case StreamPattern::kPlain:
      return UpdateInPlace<StreamPattern::kPlain>(w, n, add);
    case StreamPattern::kPrefetch:
      return UpdateInPlace<StreamPattern::kPrefetch>(w, n, add);
    case StreamPattern::kStream:
      return UpdateInPlace<StreamPattern::kStream>(w, n, add);
  }
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

void AddToWords(void* data, int64_t bytes, uint32_t addend, StreamPattern pattern) {
  HWY_DYNAMIC_DISPATCH(AddToWordsOnTarget)
  (static_cast<uint32_t*>(data), bytes / 4, addend, pattern);
}

}  // namespace ropebench
#endif  // HWY_ONCE
