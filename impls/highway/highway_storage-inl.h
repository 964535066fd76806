// Per-target loads and stores between f32 vectors and f32 / f16 / bf16 storage. Narrowing rounds
// to nearest even on every target and keeps NaN a quiet NaN with its upper payload, so that every
// target stores the bits impls/core/numeric.h does: Highway 1.0.3's DemoteTo truncates bf16, and
// truncates f16 on targets without F16C (SSE4, SSSE3, SCALAR). Widening is exact everywhere.
// Included once per target by the kernels' foreach_target translation units (highway/skeleton
// convention: the guard toggles with HWY_TARGET_TOGGLE).
#if defined(ROPEBENCH_IMPLS_HIGHWAY_STORAGE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ROPEBENCH_IMPLS_HIGHWAY_STORAGE_INL_H_
#undef ROPEBENCH_IMPLS_HIGHWAY_STORAGE_INL_H_
#else
#define ROPEBENCH_IMPLS_HIGHWAY_STORAGE_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"
#include "reference/tensor.h"

HWY_BEFORE_NAMESPACE();
namespace ropebench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// f32 -> bf16 rounded to nearest even, left in the upper 16 bits of each u32 lane (the lower
// bits are garbage): add 0x7FFF plus the lowest kept bit (ties to even); a NaN only gains its
// quiet bit (the add could carry it into infinity).
template <class D>
HWY_INLINE hn::Vec<hn::RebindToUnsigned<D>> BF16InUpperHalf(D d, hn::Vec<D> v) {
  (void)d;
  const hn::RebindToUnsigned<D> du32;
  const auto bits = hn::BitCast(du32, v);
  // + 0x8000 when the lowest kept bit is set, else + 0x7FFF (a test and a blend of constants).
  const auto increment = hn::IfThenElse(hn::TestBit(bits, hn::Set(du32, 0x10000)),
                                        hn::Set(du32, 0x8000), hn::Set(du32, 0x7FFF));
  const auto rounded = hn::Add(bits, increment);
  const auto quiet_nan = hn::Or(bits, hn::Set(du32, 0x00400000));
  return hn::IfThenElse(hn::RebindMask(du32, hn::IsNaN(v)), quiet_nan, rounded);
}

// The same for results of arithmetic on values widened from bf16 (and on finite f32 constants),
// with no NaN test: such a NaN is an input's NaN made quiet, or the default NaN, and either has
// its lower 16 bits zero, so the increment (at most 0x8000) never carries into the upper half
// and the NaN is stored as impls/core/numeric.h stores it. Two of the five operations per vector
// (bf16 stores are compute-bound in cache, and this is most of their work).
template <class D>
HWY_INLINE hn::Vec<hn::RebindToUnsigned<D>> BF16InUpperHalfOfBF16Result(hn::Vec<D> v) {
  const hn::RebindToUnsigned<D> du32;
  const auto bits = hn::BitCast(du32, v);
  const auto increment = hn::IfThenElse(hn::TestBit(bits, hn::Set(du32, 0x10000)),
                                        hn::Set(du32, 0x8000), hn::Set(du32, 0x7FFF));
  return hn::Add(bits, increment);
}

// Whether this target has StoreBF16PairsNative: the one statement of the condition, for the code
// that uses the store and the code that reports it (redefined on each pass over the targets).
#undef ROPEBENCH_NATIVE_BF16_STORE
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
#define ROPEBENCH_NATIVE_BF16_STORE 1
#else
#define ROPEBENCH_NATIVE_BF16_STORE 0
#endif

#if ROPEBENCH_NATIVE_BF16_STORE
// Results of arithmetic on bf16-widened values, `even` and `odd` elements of 32, rounded to bf16
// nearest even by AVX512_BF16's VCVTNE2PS2BF16 and stored interleaved at `out`: one instruction
// and a permute instead of nine integer operations (BF16InUpperHalfOfBF16Result twice, then a
// shift, a mask and an or; docs/kernel-tuning.md has its gain). The instruction treats subnormal
// inputs as zero, so the words stored with a zero exponent (a subnormal flushed, or a zero: one
// test tells neither apart) clear their bits of `all_normal`, and the caller stores those values
// again by the integer rounding. Checked once for several stores, not per store: on an AMD Zen 4 a
// test and a branch per store cost a fifth of the in-cache rate (docs/kernel-tuning.md). Only for a
// CPU with AVX512_BF16 (the caller checks). Inline assembly: Highway 1.0.3 has no target with the
// instruction, and its intrinsic would need the whole kernel compiled for it.
HWY_INLINE void StoreBF16PairsNative(__m512 even, __m512 odd, uint16_t* out,
                                     __mmask32& all_normal) {
  __m512i packed;  // words 0-15 from `even`, 16-31 from `odd`
  asm("vcvtne2ps2bf16 %2, %1, %0" : "=v"(packed) : "v"(odd), "v"(even));
  all_normal = _mm512_mask_test_epi16_mask(all_normal, packed, _mm512_set1_epi16(0x7F80));
  const __m512i interleave =
      _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22, 6,
                       21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  _mm512_storeu_si512(out, _mm512_permutexvar_epi16(interleave, packed));
}
#endif

// Whether this target has StoreF16Converting (redefined on each pass over the targets).
#undef ROPEBENCH_CONVERTING_F16_STORE
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
#define ROPEBENCH_CONVERTING_F16_STORE 1
#else
#define ROPEBENCH_CONVERTING_F16_STORE 0
#endif

#if ROPEBENCH_CONVERTING_F16_STORE
// 16 values rounded to f16 nearest even by a VCVTPS2PH that writes memory itself, as F16C's
// register form does (imm 8: nearest even, no precision exception). GCC folds the conversion into
// the store only when the store is aligned; on an Intel AVX-512 core the folded form leaves one
// vector port free (f16 in cache is bound by those ports) and was 10-20 % faster, and on other
// cores it may be slower, so the kernel takes it only where a run's calibration measured it faster
// (bench/timing/f16_store_calibration.h). Inline assembly for the same reason as above.
HWY_INLINE void StoreF16Converting(__m512 v, uint16_t* out) {
  asm("vcvtps2ph $8, %1, %0" : "=m"(*reinterpret_cast<__m256i_u*>(out)) : "v"(v));
}
#endif

// f32 -> bf16 bits, one per lane.
template <class D>
HWY_INLINE hn::Vec<hn::Rebind<uint16_t, D>> BF16BitsNearestEven(D d, hn::Vec<D> v) {
  const hn::RebindToSigned<D> di32;
  const hn::Rebind<uint16_t, D> du16;
  return hn::DemoteTo(du16, hn::BitCast(di32, hn::ShiftRight<16>(BF16InUpperHalf(d, v))));
}

// f32 -> f16 bits, rounded to nearest even.
template <class D>
HWY_INLINE hn::Vec<hn::Rebind<uint16_t, D>> F16BitsNearestEven(D d, hn::Vec<D> v) {
  const hn::Rebind<uint16_t, D> du16;
#if HWY_TARGET <= HWY_AVX2
  // F16C's vcvtps2ph with imm 0 (_MM_FROUND_NO_EXC) rounds to nearest even, NaN included.
  return hn::BitCast(du16, hn::DemoteTo(hn::Rebind<hwy::float16_t, D>(), v));
#else
  // After F. Giesen's float_to_half_fast3_rtne, lane-wise.
  const hn::RebindToUnsigned<D> du32;
  const hn::RebindToSigned<D> di32;
  const auto bits = hn::BitCast(du32, v);
  const auto sign = hn::And(bits, hn::Set(du32, 0x80000000u));
  const auto magnitude = hn::Xor(bits, sign);
  // Normal results: rebias the exponent (127 -> 15), add 0xFFF plus the lowest kept bit, drop 13
  // fraction bits; a carry correctly bumps the exponent.
  const auto rebiased = hn::Sub(magnitude, hn::Set(du32, 112u << 23));
  const auto lowest_kept = hn::And(hn::ShiftRight<13>(rebiased), hn::Set(du32, 1));
  const auto normal =
      hn::ShiftRight<13>(hn::Add(rebiased, hn::Add(lowest_kept, hn::Set(du32, 0xFFF))));
  // Below 2^-14 the result is subnormal: adding 0.5 makes the FPU round the value to a multiple of
  // 2^-24 (f16's subnormal step), nearest even; what is left above 0.5 is the count of steps.
  const auto half_plus = hn::BitCast(du32, hn::Add(hn::BitCast(d, magnitude), hn::Set(d, 0.5f)));
  const auto subnormal = hn::Sub(half_plus, hn::Set(du32, 0x3F000000u));
  const auto is_subnormal = hn::Lt(hn::BitCast(di32, magnitude), hn::Set(di32, 0x38800000));
  const auto finite = hn::IfThenElse(hn::RebindMask(du32, is_subnormal), subnormal, normal);
  // >= 65520 rounds to infinity; a NaN keeps its upper payload and gains the quiet bit.
  const auto nan =
      hn::Or(hn::Set(du32, 0x7E00), hn::And(hn::ShiftRight<13>(magnitude), hn::Set(du32, 0x1FF)));
  const auto is_nan = hn::Gt(hn::BitCast(di32, magnitude), hn::Set(di32, 0x7F800000));
  const auto overflows = hn::Gt(hn::BitCast(di32, magnitude), hn::Set(di32, 0x477FEFFF));
  auto result = hn::IfThenElse(hn::RebindMask(du32, overflows), hn::Set(du32, 0x7C00), finite);
  result = hn::IfThenElse(hn::RebindMask(du32, is_nan), nan, result);
  result = hn::Or(result, hn::ShiftRight<16>(sign));
  return hn::DemoteTo(du16, hn::BitCast(di32, result));
#endif
}

#if HWY_TARGET > HWY_AVX2
// f16 bits -> f32 where there is no F16C (Highway 1.0.3's emulation there turns infinities and
// NaNs into finite values). After F. Giesen's half_to_float, lane-wise: move exponent and
// fraction into place and rebias; infinity and NaN get the top exponent (a NaN made quiet, as
// F16C does); zero and subnormals are renormalised by one float subtraction.
template <class D>
HWY_INLINE hn::Vec<D> F16BitsToF32(D d, hn::Vec<hn::Rebind<uint16_t, D>> h) {
  const hn::RebindToUnsigned<D> du32;
  const auto bits = hn::PromoteTo(du32, h);
  const auto sign = hn::ShiftLeft<16>(hn::And(bits, hn::Set(du32, 0x8000)));
  const auto shifted = hn::ShiftLeft<13>(hn::And(bits, hn::Set(du32, 0x7FFF)));
  const auto exponent = hn::And(shifted, hn::Set(du32, 0x0F800000));
  const auto rebiased = hn::Add(shifted, hn::Set(du32, 112u << 23));
  const auto is_special = hn::Eq(exponent, hn::Set(du32, 0x0F800000));
  const auto is_nan =
      hn::And(is_special, hn::Ne(hn::And(bits, hn::Set(du32, 0x3FF)), hn::Zero(du32)));
  auto out = hn::IfThenElse(is_special, hn::Add(rebiased, hn::Set(du32, 112u << 23)), rebiased);
  out = hn::IfThenElse(is_nan, hn::Or(out, hn::Set(du32, 0x00400000)), out);
  // 2^-14 + x * 2^-24 (x the fraction), minus 2^-14: exact.
  const auto renormalised =
      hn::BitCast(du32, hn::Sub(hn::BitCast(d, hn::Add(rebiased, hn::Set(du32, 1u << 23))),
                                hn::BitCast(d, hn::Set(du32, 113u << 23))));
  out = hn::IfThenElse(hn::Eq(exponent, hn::Zero(du32)), renormalised, out);
  return hn::BitCast(d, hn::Or(out, sign));
}
#endif

// Lanes(d) elements of storage type kDType starting at element `index`, as f32.
template <DType kDType, class D>
HWY_INLINE hn::Vec<D> LoadAsF32(D d, const void* data, int64_t index) {
  if constexpr (kDType == DType::kF32) {
    return hn::LoadU(d, static_cast<const float*>(data) + index);
  } else if constexpr (kDType == DType::kF16) {
#if HWY_TARGET <= HWY_AVX2
    const hn::Rebind<hwy::float16_t, D> df16;  // F16C's vcvtph2ps
    return hn::PromoteTo(d, hn::LoadU(df16, static_cast<const hwy::float16_t*>(data) + index));
#else
    const hn::Rebind<uint16_t, D> du16;
    return F16BitsToF32(d, hn::LoadU(du16, static_cast<const uint16_t*>(data) + index));
#endif
  } else {
    // bf16 is the upper half of an f32.
    const hn::Rebind<uint16_t, D> du16;
    const hn::RebindToUnsigned<D> du32;
    const auto bits =
        hn::PromoteTo(du32, hn::LoadU(du16, static_cast<const uint16_t*>(data) + index));
    return hn::BitCast(d, hn::ShiftLeft<16>(bits));
  }
}

// Stores the Lanes(d) values of v as kDType from element `index` on, rounding to nearest even;
// whole AVX-512 vectors of f16 by StoreF16Converting when kConvertingF16.
template <DType kDType, bool kConvertingF16 = false, class D>
HWY_INLINE void StoreFromF32(D d, hn::Vec<D> v, void* data, int64_t index) {
  if constexpr (kDType == DType::kF32) {
    hn::StoreU(v, d, static_cast<float*>(data) + index);
  } else {
    const hn::Rebind<uint16_t, D> du16;
    uint16_t* out = static_cast<uint16_t*>(data) + index;
    if constexpr (kDType == DType::kF16) {
#if ROPEBENCH_CONVERTING_F16_STORE
      if constexpr (kConvertingF16 && hn::MaxLanes(D()) == 16) {
        StoreF16Converting(v.raw, out);
        return;
      }
#endif
      hn::StoreU(F16BitsNearestEven(d, v), du16, out);
    } else {
      hn::StoreU(BF16BitsNearestEven(d, v), du16, out);
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace ropebench
HWY_AFTER_NAMESPACE();

#endif  // ROPEBENCH_IMPLS_HIGHWAY_STORAGE_INL_H_
