// highway: for pair i of every head, with pairs (2i, 2i+1) when interleaved and
// (i, i + rotary_dim/2) when half-split,
//   a' = a*cos_i - b*sin_i,   b' = a*sin_i + b*cos_i
// in f32 on Highway vectors (fused multiply-add where the target has it), loaded from and stored
// to f32 / f16 / bf16 with round-to-nearest-even. cos/sin come from the caller, once per token
// (impls/highway.cc). Pairs that do not fill a vector are done on 4-lane, then 1-lane vectors, so
// no head is read or written past rotary_dim.
#include <algorithm>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impls/highway_rope.cc"
#include "hwy/cache_control.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "impls/highway_rope.h"
#include "impls/highway_storage-inl.h"
#include "impls/numeric.h"

HWY_BEFORE_NAMESPACE();
namespace ropebench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rotates whole vectors of Lanes(d) pairs from pair `i` while they fit below `half`; returns the
// first pair not rotated. Four vectors at a time first, all loads before any store and in address
// order (the first halves' lines, then the second halves'): out of cache the hardware prefetcher
// then sees one ascending stream, as in the bandwidth probe, instead of a walk that jumps between
// the two halves of each head.
template <DType kDType, class D>
HWY_INLINE int RotateHalfSplit(D d, void* data, int64_t head, int i, int half, const float* cos,
                               const float* sin) {
  const int lanes = static_cast<int>(hn::Lanes(d));
  for (; i + 4 * lanes <= half; i += 4 * lanes) {
    hn::Vec<D> a[4], b[4];
    for (int v = 0; v < 4; ++v) a[v] = LoadAsF32<kDType>(d, data, head + i + v * lanes);
    for (int v = 0; v < 4; ++v) b[v] = LoadAsF32<kDType>(d, data, head + half + i + v * lanes);
    for (int v = 0; v < 4; ++v) {
      const auto c = hn::LoadU(d, cos + i + v * lanes);
      const auto s = hn::LoadU(d, sin + i + v * lanes);
      const auto a2 = hn::MulSub(a[v], c, hn::Mul(b[v], s));
      b[v] = hn::MulAdd(a[v], s, hn::Mul(b[v], c));
      a[v] = a2;
    }
    for (int v = 0; v < 4; ++v) StoreFromF32<kDType>(d, a[v], data, head + i + v * lanes);
    for (int v = 0; v < 4; ++v) StoreFromF32<kDType>(d, b[v], data, head + half + i + v * lanes);
  }
  for (; i + lanes <= half; i += lanes) {
    const auto c = hn::LoadU(d, cos + i);
    const auto s = hn::LoadU(d, sin + i);
    const auto a = LoadAsF32<kDType>(d, data, head + i);
    const auto b = LoadAsF32<kDType>(d, data, head + half + i);
    StoreFromF32<kDType>(d, hn::MulSub(a, c, hn::Mul(b, s)), data, head + i);
    StoreFromF32<kDType>(d, hn::MulAdd(a, s, hn::Mul(b, c)), data, head + half + i);
  }
  return i;
}

template <DType kDType, class D>
HWY_INLINE int RotateInterleaved(D d, void* data, int64_t head, int i, int half, const float* cos,
                                 const float* sin) {
  const int lanes = static_cast<int>(hn::Lanes(d));
  for (; i + lanes <= half; i += lanes) {
    const auto c = hn::LoadU(d, cos + i);
    const auto s = hn::LoadU(d, sin + i);
    hn::Vec<D> a, b;
    if constexpr (kDType == DType::kF32) {
      hn::LoadInterleaved2(d, static_cast<float*>(data) + head + 2 * i, a, b);
      hn::StoreInterleaved2(hn::MulSub(a, c, hn::Mul(b, s)), hn::MulAdd(a, s, hn::Mul(b, c)), d,
                            static_cast<float*>(data) + head + 2 * i);
    } else {
      // Narrow storage: widen 2 x Lanes elements through an f32 buffer in L1, deinterleave there.
      HWY_ALIGN float pairs[2 * hn::MaxLanes(d)];
      hn::StoreU(LoadAsF32<kDType>(d, data, head + 2 * i), d, pairs);
      hn::StoreU(LoadAsF32<kDType>(d, data, head + 2 * i + lanes), d, pairs + lanes);
      hn::LoadInterleaved2(d, pairs, a, b);
      hn::StoreInterleaved2(hn::MulSub(a, c, hn::Mul(b, s)), hn::MulAdd(a, s, hn::Mul(b, c)), d,
                            pairs);
      StoreFromF32<kDType>(d, hn::LoadU(d, pairs), data, head + 2 * i);
      StoreFromF32<kDType>(d, hn::LoadU(d, pairs + lanes), data, head + 2 * i + lanes);
    }
  }
  return i;
}

// bf16 two elements per u32 lane: widening is one shift or mask, and narrowing puts two rounded
// values back into one lane without shuffles (a third of the work of widening and narrowing each
// element on its own, which leaves bf16 compute-bound here). Interleaved, a lane is one pair (a,
// b); half-split, a lane holds pairs i and i+1 of one half, so the even and odd pairs are rotated
// as two vectors with the cosines and sines deinterleaved to match. Returns the first pair left.
#if HWY_TARGET != HWY_SCALAR  // one lane cannot be split into two halves there
template <class D>
HWY_INLINE int RotateBF16Lanes(D d, void* data, int64_t head, int half, Pairing pairing,
                               const float* cos, const float* sin, const float* split) {
  const hn::RebindToUnsigned<D> du32;
  const hn::Repartition<uint16_t, decltype(du32)> du16;
  const int lanes = static_cast<int>(hn::Lanes(d));
  const auto upper = hn::Set(du32, 0xFFFF0000u);
  auto lower_of = [&](auto x) { return hn::BitCast(d, hn::ShiftLeft<16>(x)); };
  auto upper_of = [&](auto x) { return hn::BitCast(d, hn::And(x, upper)); };
  auto join = [&](hn::Vec<D> low, hn::Vec<D> high) {
    return hn::BitCast(du16, hn::Or(hn::ShiftRight<16>(BF16InUpperHalf(d, low)),
                                    hn::And(BF16InUpperHalf(d, high), upper)));
  };
  uint16_t* base = static_cast<uint16_t*>(data) + head;
  int i = 0;
  if (pairing == Pairing::kInterleaved) {
    for (; i + lanes <= half; i += lanes) {
      const auto x = hn::BitCast(du32, hn::LoadU(du16, base + 2 * i));
      const auto a = lower_of(x), b = upper_of(x);
      const auto c = hn::LoadU(d, cos + i), s = hn::LoadU(d, sin + i);
      hn::StoreU(join(hn::MulSub(a, c, hn::Mul(b, s)), hn::MulAdd(a, s, hn::Mul(b, c))), du16,
                 base + 2 * i);
    }
    return i;
  }
  for (; i + 2 * lanes <= half; i += 2 * lanes) {
    const auto xa = hn::BitCast(du32, hn::LoadU(du16, base + i));
    const auto xb = hn::BitCast(du32, hn::LoadU(du16, base + half + i));
    hn::Vec<D> c_even, c_odd, s_even, s_odd;
    if (split != nullptr) {  // deinterleaved once per token by SplitEvenOdd
      c_even = hn::LoadU(d, split + 2 * i);
      c_odd = hn::LoadU(d, split + 2 * i + lanes);
      s_even = hn::LoadU(d, split + 2 * i + 2 * lanes);
      s_odd = hn::LoadU(d, split + 2 * i + 3 * lanes);
    } else {
      hn::LoadInterleaved2(d, cos + i, c_even, c_odd);
      hn::LoadInterleaved2(d, sin + i, s_even, s_odd);
    }
    const auto a_even = lower_of(xa), a_odd = upper_of(xa);
    const auto b_even = lower_of(xb), b_odd = upper_of(xb);
    hn::StoreU(join(hn::MulSub(a_even, c_even, hn::Mul(b_even, s_even)),
                    hn::MulSub(a_odd, c_odd, hn::Mul(b_odd, s_odd))),
               du16, base + i);
    hn::StoreU(join(hn::MulAdd(a_even, s_even, hn::Mul(b_even, c_even)),
                    hn::MulAdd(a_odd, s_odd, hn::Mul(b_odd, c_odd))),
               du16, base + half + i);
  }
  return i;
}

// The even and odd pairs' cosines and sines of each block of 2 x Lanes pairs, as RotateBF16Lanes
// reads them for half-split heads: block i holds c_even, c_odd, s_even, s_odd at split + 2 i.
template <class D>
HWY_INLINE void SplitEvenOdd(D d, int half, const float* cos, const float* sin, float* split) {
  const int lanes = static_cast<int>(hn::Lanes(d));
  for (int i = 0; i + 2 * lanes <= half; i += 2 * lanes) {
    hn::Vec<D> even, odd;
    hn::LoadInterleaved2(d, cos + i, even, odd);
    hn::StoreU(even, d, split + 2 * i);
    hn::StoreU(odd, d, split + 2 * i + lanes);
    hn::LoadInterleaved2(d, sin + i, even, odd);
    hn::StoreU(even, d, split + 2 * i + 2 * lanes);
    hn::StoreU(odd, d, split + 2 * i + 3 * lanes);
  }
}
#endif

template <DType kDType>
HWY_INLINE void RotateHead(void* data, int64_t head, const TokenRotation& rotation,
                           [[maybe_unused]] const float* split) {
  const hn::ScalableTag<float> d;
  const hn::CappedTag<float, 4> d4;
  const hn::CappedTag<float, 1> d1;
  const int half = rotation.rotary_dim / 2;
  const float* cos = rotation.cos;
  const float* sin = rotation.sin;
  int i = 0;
#if HWY_TARGET != HWY_SCALAR
  if constexpr (kDType == DType::kBF16) {
    i = RotateBF16Lanes(d, data, head, half, rotation.pairing, cos, sin, split);
  }
#endif
  if (rotation.pairing == Pairing::kHalfSplit) {
    i = RotateHalfSplit<kDType>(d, data, head, i, half, cos, sin);
    i = RotateHalfSplit<kDType>(d4, data, head, i, half, cos, sin);
    RotateHalfSplit<kDType>(d1, data, head, i, half, cos, sin);
  } else {
    i = RotateInterleaved<kDType>(d, data, head, i, half, cos, sin);
    i = RotateInterleaved<kDType>(d4, data, head, i, half, cos, sin);
    RotateInterleaved<kDType>(d1, data, head, i, half, cos, sin);
  }
}

// How far ahead of the head being rotated its successors are prefetched. Out of cache the hardware
// prefetcher alone keeps too few lines in flight for one core (measured here: ~0.8 of the
// bandwidth probe's in-place rate without, ~1.0 with prefetches 2-8 KiB ahead). A prefetch never
// faults, so one past the end of a tensor is harmless.
constexpr int64_t kPrefetchBytes = 4096;

void RotateHeadsOnTarget(const TensorView& view, int64_t token, int64_t head_begin,
                         int64_t head_end, const TokenRotation& rotation) {
  const int64_t element_bytes = BytesPerElement(view.dtype);
  const int64_t rotated_bytes = rotation.rotary_dim * element_bytes;
  // bf16 half-split: the cosines and sines split into even and odd pairs once for all heads.
  const float* split = nullptr;
#if HWY_TARGET != HWY_SCALAR
  constexpr int kMaxSplitPairs = 512;
  HWY_ALIGN float split_storage[4 * kMaxSplitPairs];
  const int half = rotation.rotary_dim / 2;
  if (view.dtype == DType::kBF16 && rotation.pairing == Pairing::kHalfSplit &&
      half <= kMaxSplitPairs) {
    SplitEvenOdd(hn::ScalableTag<float>(), half, rotation.cos, rotation.sin, split_storage);
    split = split_storage;
  }
#endif
  WithDType(view.dtype, [&]<DType kDType>() {
    for (int64_t h = head_begin; h < head_end; ++h) {
      const int64_t head = view.Offset(token, h, 0);
      if (rotation.prefetch) {
        const char* ahead =
            static_cast<const char*>(view.data) + head * element_bytes + kPrefetchBytes;
        for (int64_t line = 0; line < rotated_bytes; line += 64) hwy::Prefetch(ahead + line);
      }
      RotateHead<kDType>(view.data, head, rotation, split);
    }
  });
}

template <DType kDType>
void ConvertAll(const float* in, uint16_t* out, int64_t count) {
  const hn::CappedTag<float, 1> d1;  // one lane at a time: any count, same rounding code
  for (int64_t i = 0; i < count; ++i) StoreFromF32<kDType>(d1, hn::LoadU(d1, in + i), out, i);
}

void NarrowOnTarget(DType dtype, const float* in, uint16_t* out, int64_t count) {
  const hn::ScalableTag<float> d;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  WithDType(dtype, [&]<DType kDType>() {
    if constexpr (kDType != DType::kF32) {
      for (; i + lanes <= count; i += lanes) StoreFromF32<kDType>(d, hn::LoadU(d, in + i), out, i);
      ConvertAll<kDType>(in + i, out + i, count - i);
    }
  });
}

void WidenOnTarget(DType dtype, const uint16_t* in, float* out, int64_t count) {
  const hn::ScalableTag<float> d;
  const hn::CappedTag<float, 1> d1;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  WithDType(dtype, [&]<DType kDType>() {
    if constexpr (kDType != DType::kF32) {
      int64_t i = 0;
      for (; i + lanes <= count; i += lanes) hn::StoreU(LoadAsF32<kDType>(d, in, i), d, out + i);
      for (; i < count; ++i) hn::StoreU(LoadAsF32<kDType>(d1, in, i), d1, out + i);
    }
  });
}

const char* TargetOnTarget() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace ropebench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropebench {

HWY_EXPORT(RotateHeadsOnTarget);
HWY_EXPORT(NarrowOnTarget);
HWY_EXPORT(WidenOnTarget);
HWY_EXPORT(TargetOnTarget);

void HighwayRotateHeads(const TensorView& view, int64_t token, int64_t head_begin, int64_t head_end,
                        const TokenRotation& rotation) {
  HWY_DYNAMIC_DISPATCH(RotateHeadsOnTarget)(view, token, head_begin, head_end, rotation);
}

void HighwayNarrow(DType dtype, const float* in, uint16_t* out, int64_t count) {
  HWY_DYNAMIC_DISPATCH(NarrowOnTarget)(dtype, in, out, count);
}

void HighwayWiden(DType dtype, const uint16_t* in, float* out, int64_t count) {
  HWY_DYNAMIC_DISPATCH(WidenOnTarget)(dtype, in, out, count);
}

std::string HighwayDispatchTarget() { return HWY_DYNAMIC_DISPATCH(TargetOnTarget)(); }

namespace {

// What this CPU supports, read before any target is disabled (pinning changes what Highway's
// SupportedTargets() returns afterwards).
int64_t CpuTargets() {
  static const int64_t targets = hwy::SupportedTargets() & HWY_TARGETS;
  return targets;
}

std::vector<std::string> TargetNames(int64_t targets) {
  std::vector<std::string> names;
  for (int64_t rest = targets; rest != 0; rest &= rest - 1) {
    names.emplace_back(hwy::TargetName(rest & -rest));  // lowest bit = best target
  }
  return names;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

}  // namespace

std::vector<std::string> HighwayCompiledTargets() { return TargetNames(HWY_TARGETS); }
std::vector<std::string> HighwayCpuTargets() { return TargetNames(CpuTargets()); }

std::string PinHighwayTarget(std::string_view name) {
  const int64_t cpu = CpuTargets();
  for (int64_t rest = HWY_TARGETS; rest != 0; rest &= rest - 1) {
    const int64_t target = rest & -rest;
    if (name != hwy::TargetName(target)) continue;
    if ((cpu & target) == 0) {
      return "Highway target " + std::string(name) + " is not supported by this CPU (it runs " +
             Joined(HighwayCpuTargets()) + ")";
    }
    hwy::DisableTargets(target - 1);  // every better target: dispatch then picks this one
    return "";
  }
  return "unknown Highway target '" + std::string(name) +
         "' (compiled: " + Joined(HighwayCompiledTargets()) + ")";
}

}  // namespace ropebench
#endif  // HWY_ONCE
