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
// first pair not rotated.
template <DType kDType, class D>
HWY_INLINE int RotateHalfSplit(D d, void* data, int64_t head, int i, int half, const float* cos,
                               const float* sin) {
  const int lanes = static_cast<int>(hn::Lanes(d));
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

template <DType kDType>
void RotateHead(void* data, int64_t head, const TokenRotation& rotation) {
  const hn::ScalableTag<float> d;
  const hn::CappedTag<float, 4> d4;
  const hn::CappedTag<float, 1> d1;
  const int half = rotation.rotary_dim / 2;
  const float* cos = rotation.cos;
  const float* sin = rotation.sin;
  int i = 0;
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

void RotateHeadsOnTarget(const TensorView& view, int64_t token, int64_t head_begin,
                         int64_t head_end, const TokenRotation& rotation) {
  WithDType(view.dtype, [&]<DType kDType>() {
    for (int64_t h = head_begin; h < head_end; ++h) {
      RotateHead<kDType>(view.data, view.Offset(token, h, 0), rotation);
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
