// highway: for pair i of every head, with pairs (2i, 2i+1) when interleaved and
// (i, i + rotary_dim/2) when half-split,
//   a' = a*cos_i - b*sin_i,   b' = a*sin_i + b*cos_i
// in f32 on Highway vectors (fused multiply-add where the target has it), loaded from and stored
// to f32 / f16 / bf16 with round-to-nearest-even. cos/sin come from the caller, a row per token
// (impls/highway/highway.cc), and stay in registers while the token's heads are rotated (in cache;
// a streaming call on a 16-register target walks each head whole instead). Pairs that do not fill a
// vector are done on 4-lane, then 1-lane vectors, so no head is read or written past rotary_dim.
#include <algorithm>
#include <atomic>
#include <string>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impls/highway/highway_rope.cc"
#include "hwy/cache_control.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "impls/core/numeric.h"
#include "impls/core/token_slices.h"
#include "impls/highway/highway_rope.h"
#include "impls/highway/highway_storage-inl.h"
#include "impls/highway/highway_targets.h"
#include "impls/highway/highway_test_hooks.h"

HWY_BEFORE_NAMESPACE();
namespace ropebench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <DType kDType>
constexpr int64_t kElementBytes = kDType == DType::kF32 ? 4 : 2;

// Pairs (a, b) rotated by angles of cosine c and sine s: a*c - b*s and a*s + b*c, fused where the
// target can. Every step below computes its rotation here, whatever its loads and stores.
template <class V>
struct RotatedPairs {
  V a, b;
};
template <class V>
HWY_INLINE RotatedPairs<V> RotatePairs(V a, V b, V c, V s) {
  return {hn::MulSub(a, c, hn::Mul(b, s)), hn::MulAdd(a, s, hn::Mul(b, c))};
}

// One vector of pairs j, j+1, ... of one head whose halves start at `first` and `second`, given
// their cosines and sines.
template <DType kDType, bool kNativeStore, class D>
HWY_INLINE void HalfSplitStep(D d, void* first, void* second, int j, hn::Vec<D> c, hn::Vec<D> s) {
  const auto a = LoadAsF32<kDType>(d, first, j);
  const auto b = LoadAsF32<kDType>(d, second, j);
  const RotatedPairs<hn::Vec<D>> r = RotatePairs(a, b, c, s);
  StoreFromF32<kDType, kNativeStore>(d, r.a, first, j);
  StoreFromF32<kDType, kNativeStore>(d, r.b, second, j);
}

// kVectors vectors of pairs of one head, f32 or f16: every load, then every store. The empty asm
// with a memory clobber keeps the compiler from moving loads past it: without it GCC folded the
// second half's loads into the multiplies, after the first half's stores, which is slower in cache
// (docs/kernel-tuning.md).
template <DType kDType, bool kNativeStore, int kVectors, class D>
HWY_INLINE void HalfSplitInOrder(D d, void* first, void* second, const hn::Vec<D>* c,
                                 const hn::Vec<D>* s) {
  const int lanes = static_cast<int>(hn::Lanes(d));
  hn::Vec<D> a[kVectors], b[kVectors];
  for (int v = 0; v < kVectors; ++v) a[v] = LoadAsF32<kDType>(d, first, v * lanes);
  for (int v = 0; v < kVectors; ++v) b[v] = LoadAsF32<kDType>(d, second, v * lanes);
#if defined(__GNUC__)
  asm volatile("" ::: "memory");
#endif
  RotatedPairs<hn::Vec<D>> r[kVectors];
  for (int v = 0; v < kVectors; ++v) r[v] = RotatePairs(a[v], b[v], c[v], s[v]);
  for (int v = 0; v < kVectors; ++v)
    StoreFromF32<kDType, kNativeStore>(d, r[v].a, first, v * lanes);
  for (int v = 0; v < kVectors; ++v)
    StoreFromF32<kDType, kNativeStore>(d, r[v].b, second, v * lanes);
}

#if HWY_TARGET != HWY_SCALAR  // one lane cannot be split into two halves there
// bf16 two elements per u32 lane: widening is one shift or mask, and narrowing puts two rounded
// values back into one lane without shuffles (a third of the work of widening and narrowing each
// element on its own, which leaves bf16 compute-bound here). Interleaved, a lane is one pair (a,
// b); half-split, a lane holds pairs j and j+1 of one half, so the even and odd pairs are rotated
// as two vectors, with the cosines and sines split to match (SplitEvenOdd).
// With kNative, stores of whole AVX-512 vectors round with AVX512_BF16 (StoreBF16PairsNative).
template <class D, bool kNative>
struct BF16Lanes {
  using DU = hn::RebindToUnsigned<D>;
  DU du32;
  hn::Repartition<uint16_t, DU> du16;

  hn::Vec<D> Lower(hn::Vec<DU> x) const { return hn::BitCast(D(), hn::ShiftLeft<16>(x)); }
  hn::Vec<D> Upper(hn::Vec<DU> x) const {
    return hn::BitCast(D(), hn::And(x, hn::Set(du32, 0xFFFF0000u)));
  }
  hn::Vec<DU> Load(const uint16_t* p) const { return hn::BitCast(du32, hn::LoadU(du16, p)); }
  // The integer rounding, right for every value.
  void StoreRounded(hn::Vec<D> low, hn::Vec<D> high, uint16_t* p) const {
    const auto joined =
        hn::Or(hn::ShiftRight<16>(BF16InUpperHalfOfBF16Result<D>(low)),
               hn::And(BF16InUpperHalfOfBF16Result<D>(high), hn::Set(du32, 0xFFFF0000u)));
    hn::StoreU(hn::BitCast(du16, joined), du16, p);
  }
  // The faster rounding where there is one, which may store subnormals as zero: it then clears
  // bits of `all_normal` (all ones before a group of stores), and the group must be stored again
  // by StoreRounded.
  void StoreUnchecked(hn::Vec<D> low, hn::Vec<D> high, uint16_t* p, uint32_t& all_normal) const {
#if ROPEBENCH_NATIVE_BF16_STORE
    if constexpr (kNative && hn::MaxLanes(D()) == 16) {
      StoreBF16PairsNative(low.raw, high.raw, p, all_normal);
      return;
    }
#endif
    (void)all_normal;
    StoreRounded(low, high, p);
  }
  void Store(hn::Vec<D> low, hn::Vec<D> high, uint16_t* p) const {
    uint32_t all_normal = ~0u;
    StoreUnchecked(low, high, p, all_normal);
    if (HWY_UNLIKELY(all_normal != ~0u)) StoreRounded(low, high, p);
  }
};

// Interleaved: Lanes pairs from pair j.
template <bool kNative, class D>
HWY_INLINE void BF16InterleavedStep(D, void* head, int j, hn::Vec<D> c, hn::Vec<D> s) {
  const BF16Lanes<D, kNative> bf16;
  uint16_t* p = static_cast<uint16_t*>(head) + 2 * j;
  const auto x = bf16.Load(p);
  const RotatedPairs<hn::Vec<D>> r = RotatePairs(bf16.Lower(x), bf16.Upper(x), c, s);
  bf16.Store(r.a, r.b, p);
}

// Half-split: 2 x Lanes pairs from pair j of the halves at `first_half` and `second_half`.
template <bool kNative, class D>
HWY_INLINE void BF16HalfSplitStep(D, void* first_half, void* second_half, int j, hn::Vec<D> c_even,
                                  hn::Vec<D> c_odd, hn::Vec<D> s_even, hn::Vec<D> s_odd) {
  const BF16Lanes<D, kNative> bf16;
  uint16_t* first = static_cast<uint16_t*>(first_half) + j;
  uint16_t* second = static_cast<uint16_t*>(second_half) + j;
  const auto xa = bf16.Load(first), xb = bf16.Load(second);
  const RotatedPairs<hn::Vec<D>> even = RotatePairs(bf16.Lower(xa), bf16.Lower(xb), c_even, s_even);
  const RotatedPairs<hn::Vec<D>> odd = RotatePairs(bf16.Upper(xa), bf16.Upper(xb), c_odd, s_odd);
  bf16.Store(even.a, odd.a, first);
  bf16.Store(even.b, odd.b, second);
}

// kBlocks x 2 x Lanes pairs of one head from the halves at `first_half` and `second_half`, in
// cache: every load, then every store, as HalfSplitInOrder, with the stores' check made once for
// them all (BF16Lanes::StoreUnchecked); results flushed there are stored again from the registers.
template <bool kNative, int kBlocks, class D>
HWY_INLINE void BF16HalfSplitInOrder(D d, void* first_half, void* second_half,
                                     const hn::Vec<D>* c_even, const hn::Vec<D>* c_odd,
                                     const hn::Vec<D>* s_even, const hn::Vec<D>* s_odd) {
  const BF16Lanes<D, kNative> bf16;
  const int step = 2 * static_cast<int>(hn::Lanes(d));
  uint16_t* first = static_cast<uint16_t*>(first_half);
  uint16_t* second = static_cast<uint16_t*>(second_half);
  hn::Vec<hn::RebindToUnsigned<D>> xa[kBlocks], xb[kBlocks];
  for (int v = 0; v < kBlocks; ++v) xa[v] = bf16.Load(first + v * step);
  for (int v = 0; v < kBlocks; ++v) xb[v] = bf16.Load(second + v * step);
#if defined(__GNUC__)
  asm volatile("" ::: "memory");
#endif
  RotatedPairs<hn::Vec<D>> even[kBlocks], odd[kBlocks];
  for (int v = 0; v < kBlocks; ++v) {
    even[v] = RotatePairs(bf16.Lower(xa[v]), bf16.Lower(xb[v]), c_even[v], s_even[v]);
    odd[v] = RotatePairs(bf16.Upper(xa[v]), bf16.Upper(xb[v]), c_odd[v], s_odd[v]);
  }
  uint32_t all_normal = ~0u;
  for (int v = 0; v < kBlocks; ++v) {
    bf16.StoreUnchecked(even[v].a, odd[v].a, first + v * step, all_normal);
  }
  for (int v = 0; v < kBlocks; ++v) {
    bf16.StoreUnchecked(even[v].b, odd[v].b, second + v * step, all_normal);
  }
  if (HWY_UNLIKELY(all_normal != ~0u)) {
    for (int v = 0; v < kBlocks; ++v) {
      bf16.StoreRounded(even[v].a, odd[v].a, first + v * step);
      bf16.StoreRounded(even[v].b, odd[v].b, second + v * step);
    }
  }
}
#endif

// kNativeStore, here and below: the narrow dtype's faster store where the CPU has it and the run
// takes it (bf16: AVX512_BF16's rounding; f16: a conversion that writes memory itself), chosen per
// call by RotateTokensOnTarget.
template <DType kDType, bool kNativeStore, class D>
HWY_INLINE void InterleavedStep(D d, void* head, int j, hn::Vec<D> c, hn::Vec<D> s) {
  hn::Vec<D> a, b;
#if HWY_TARGET != HWY_SCALAR
  if constexpr (kDType == DType::kBF16) {
    BF16InterleavedStep<kNativeStore>(d, head, j, c, s);
    return;
  }
#endif
  if constexpr (kDType == DType::kF32) {
    float* pairs = static_cast<float*>(head) + 2 * j;
    hn::LoadInterleaved2(d, pairs, a, b);
    const RotatedPairs<hn::Vec<D>> r = RotatePairs(a, b, c, s);
    hn::StoreInterleaved2(r.a, r.b, d, pairs);
  } else {
    // Narrow storage: widen 2 x Lanes elements through an f32 buffer in L1, deinterleave there.
    const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
    HWY_ALIGN float pairs[2 * hn::MaxLanes(d)];
    hn::StoreU(LoadAsF32<kDType>(d, head, 2 * j), d, pairs);
    hn::StoreU(LoadAsF32<kDType>(d, head, 2 * j + lanes), d, pairs + lanes);
    hn::LoadInterleaved2(d, pairs, a, b);
    const RotatedPairs<hn::Vec<D>> r = RotatePairs(a, b, c, s);
    hn::StoreInterleaved2(r.a, r.b, d, pairs);
    StoreFromF32<kDType, kNativeStore>(d, hn::LoadU(d, pairs), head, 2 * j);
    StoreFromF32<kDType, kNativeStore>(d, hn::LoadU(d, pairs + lanes), head, 2 * j + lanes);
  }
}

// Pairs [i, half) of one head on vectors of Lanes(d), cosines and sines loaded per vector, while a
// whole vector fits; returns the first pair left.
template <DType kDType, bool kNativeStore, class D>
HWY_INLINE int RotateTail(D d, void* head, int i, int half, Pairing pairing, const float* cos,
                          const float* sin) {
  const int lanes = static_cast<int>(hn::Lanes(d));
  for (; i + lanes <= half; i += lanes) {
    const auto c = hn::LoadU(d, cos + i);
    const auto s = hn::LoadU(d, sin + i);
    if (pairing == Pairing::kHalfSplit) {
      HalfSplitStep<kDType, kNativeStore>(
          d, head, static_cast<char*>(head) + half * kElementBytes<kDType>, i, c, s);
    } else {
      InterleavedStep<kDType, kNativeStore>(d, head, i, c, s);
    }
  }
  return i;
}

// Vectors of pairs whose cosines and sines stay in registers while every head of the range is
// rotated: loaded per head instead, those loads 4K-alias with the stores to the heads before them
// (heads are 512 B apart; docs/kernel-tuning.md). 4 vectors of each with AVX-512's 32 registers, 2
// with 16.
#if HWY_TARGET <= HWY_AVX3
constexpr int kChunk = 4;
#else
constexpr int kChunk = 2;
#endif

// Whether a chunk leaves pairs of a half over (with 16 registers, at half 64): a token's heads are
// then passed over once per chunk.
HWY_INLINE bool ChunkCoversPartOfHalf(int64_t half) {
  return kChunk * static_cast<int64_t>(hn::Lanes(hn::ScalableTag<float>())) < half;
}

// A head's rotation, inlined into the head loop by force: given the two bf16 variants of
// RotateToken, GCC 12 called one per head instead, a quarter slower (docs/kernel-tuning.md).
#ifndef ROPEBENCH_HEAD_BODY
#define ROPEBENCH_HEAD_BODY __attribute__((always_inline))
#endif

// One tensor's heads of a token: the first's address, how many, and the bytes from one to the
// next; the token loop advances `first` by the tensor's token stride.
struct HeadRun {
  char* first;
  int64_t count;
  int64_t stride;
};

// Calls rotate(head), with `head` the address of a head's first element, for every head of the
// run, prefetching ahead of each on the first pass. The address is advanced, not recomputed from
// indices: in cache every instruction of the head loop counts (see RotateToken).
template <DType kDType, class Rotate>
HWY_INLINE void ForEachHead(HeadRun run, RotationShape shape, bool first_pass,
                            const Rotate& rotate) {
  char* head = run.first;
  char* const end = head + run.count * run.stride;
  if (shape.prefetch_bytes > 0 && first_pass) {
    // A prefetch never faults, so one past the end of a tensor is harmless.
    const int64_t head_bytes = shape.rotary_dim * kElementBytes<kDType>;
    for (; head != end; head += run.stride) {
      for (int64_t line = 0; line < head_bytes; line += 64) {
        hwy::Prefetch(head + shape.prefetch_bytes + line);
      }
      rotate(head);
    }
    return;
  }
  for (; head != end; head += run.stride) rotate(head);
}

// ForEachHead over the token's Q heads, then its K heads.
template <DType kDType, class Rotate>
HWY_INLINE void ForEachQKHead(HeadRun q, HeadRun k, RotationShape shape, bool first_pass,
                              const Rotate& rotate) {
  ForEachHead<kDType>(q, shape, first_pass, rotate);
  ForEachHead<kDType>(k, shape, first_pass, rotate);
}

// Rotates the heads of one token. kHalf is rotary_dim/2 when it is known at compile time (0 when
// not): each half-split step then addresses both halves from one register with constant offsets,
// where a distance known only at run time takes a second address register per half.
template <DType kDType, bool kNativeStore, int kHalf>
HWY_INLINE void RotateToken(HeadRun q, HeadRun k, const float* cos, const float* sin,
                            RotationShape shape) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const int lanes = static_cast<int>(hn::Lanes(d));
  const int half = kHalf != 0 ? kHalf : shape.rotary_dim / 2;
  const int64_t half_bytes = int64_t{half} * kElementBytes<kDType>;
  const bool half_split = shape.pairing == Pairing::kHalfSplit;
  // A chunk that does not cover the half makes one pass over the token's heads per chunk, each
  // touching a line or less of every head: from memory the hardware prefetchers lose such a walk,
  // so a streaming call rotates each head whole instead, its cosines and sines loaded per vector
  // from L1 (docs/kernel-tuning.md).
  const bool whole_heads = shape.streaming && ChunkCoversPartOfHalf(half);
  int i = 0;
#if HWY_TARGET != HWY_SCALAR
  if constexpr (kDType == DType::kBF16) {
    if (half_split) {  // interleaved bf16 takes the common loop (InterleavedStep)
      // A vector covers 2 x Lanes pairs, with four vectors of cosines and sines.
      constexpr int kBlocks = kChunk / 2;
      const int step = 2 * lanes;
      if (whole_heads) {
        const int blocks_end = half - half % step;
        ForEachQKHead<kDType>(q, k, shape, true, [&](char* head) ROPEBENCH_HEAD_BODY {
          for (int j = 0; j < blocks_end; j += step) {
            V c_even, c_odd, s_even, s_odd;
            hn::LoadInterleaved2(d, cos + j, c_even, c_odd);
            hn::LoadInterleaved2(d, sin + j, s_even, s_odd);
            BF16HalfSplitStep<kNativeStore>(d, head, head + half_bytes, j, c_even, c_odd, s_even,
                                            s_odd);
          }
        });
        i = blocks_end;
      }
      for (; !whole_heads && i + kBlocks * step <= half; i += kBlocks * step) {
        V c_even[kBlocks], c_odd[kBlocks], s_even[kBlocks], s_odd[kBlocks];
        for (int v = 0; v < kBlocks; ++v) {
          hn::LoadInterleaved2(d, cos + i + v * step, c_even[v], c_odd[v]);
          hn::LoadInterleaved2(d, sin + i + v * step, s_even[v], s_odd[v]);
        }
        const int64_t first = i * kElementBytes<kDType>;
        ForEachQKHead<kDType>(q, k, shape, i == 0, [&](char* head) ROPEBENCH_HEAD_BODY {
          char* pairs = head + first;
          if constexpr (kHalf != 0) {  // in cache (RotateTokensOnTarget)
            BF16HalfSplitInOrder<kNativeStore, kBlocks>(d, pairs, pairs + half_bytes, c_even, c_odd,
                                                        s_even, s_odd);
          } else {
            for (int v = 0; v < kBlocks; ++v) {
              BF16HalfSplitStep<kNativeStore>(d, pairs, pairs + half_bytes, v * step, c_even[v],
                                              c_odd[v], s_even[v], s_odd[v]);
            }
          }
        });
      }
    }
  }
#endif
  for (; !whole_heads && i + kChunk * lanes <= half; i += kChunk * lanes) {
    V c[kChunk], s[kChunk];
    for (int v = 0; v < kChunk; ++v) {
      c[v] = hn::LoadU(d, cos + i + v * lanes);
      s[v] = hn::LoadU(d, sin + i + v * lanes);
    }
    // The pairing is tested here, not per head, and the chunk's address is formed once per head
    // so that every load and store of the head takes a constant offset from it: in cache every
    // instruction of the head loop counts.
    if (half_split) {
      const int64_t first = i * kElementBytes<kDType>;
      ForEachQKHead<kDType>(q, k, shape, i == 0, [&](char* head) ROPEBENCH_HEAD_BODY {
        char* pairs = head + first;
        if constexpr (kDType != DType::kBF16 && kHalf != 0) {  // in cache (RotateTokensOnTarget)
          HalfSplitInOrder<kDType, kNativeStore, kChunk>(d, pairs, pairs + half_bytes, c, s);
        } else {
          for (int v = 0; v < kChunk; ++v) {
            HalfSplitStep<kDType, kNativeStore>(d, pairs, pairs + half_bytes, v * lanes, c[v],
                                                s[v]);
          }
        }
      });
    } else {
      ForEachQKHead<kDType>(q, k, shape, i == 0, [&](char* head) ROPEBENCH_HEAD_BODY {
        for (int v = 0; v < kChunk; ++v) {
          InterleavedStep<kDType, kNativeStore>(d, head, i + v * lanes, c[v], s[v]);
        }
      });
    }
  }
  if (i == half) return;
  // What the chunks leave: whole vectors, then 4 lanes, then 1, so that no head is read or written
  // past rotary_dim. Not forced inline (ROPEBENCH_HEAD_BODY): that took the kernel's ASan compile
  // from under 2 minutes to over 10, for no speed that could be told from noise.
  const hn::CappedTag<float, 4> d4;
  const hn::CappedTag<float, 1> d1;
  ForEachQKHead<kDType>(q, k, shape, i == 0, [&](char* head) {
    int j = RotateTail<kDType, kNativeStore>(d, head, i, half, shape.pairing, cos, sin);
    j = RotateTail<kDType, kNativeStore>(d4, head, j, half, shape.pairing, cos, sin);
    RotateTail<kDType, kNativeStore>(d1, head, j, half, shape.pairing, cos, sin);
  });
}

// In cache, where a chunk covers only part of the half (16 registers), a token's heads are taken
// in blocks this many at a time, which stay in L1 across the chunks' passes: 16 tokens of f32 on
// AVX2 went from about 1.0x to 1.2x autovec (docs/kernel-tuning.md). Not for bf16, measured slower.
constexpr int64_t kBlockHeads = 8;

template <DType kDType, bool kNativeStore, int kHalf>
HWY_INLINE void RotateTokenInBlocks(HeadRun q, HeadRun k, const float* cos, const float* sin,
                                    RotationShape shape) {
  for (const HeadRun& run : {q, k}) {
    for (int64_t b = 0; b < run.count; b += kBlockHeads) {
      const HeadRun block{run.first + b * run.stride, std::min(kBlockHeads, run.count - b),
                          run.stride};
      RotateToken<kDType, kNativeStore, kHalf>(block, HeadRun{nullptr, 0, 0}, cos, sin, shape);
    }
  }
}

// Heads [h0, h1) of `token` in `view`: none when there is no view or the range is empty.
HeadRun FirstTokenHeads(const TensorView* view, int64_t token, int64_t h0, int64_t h1, int bytes) {
  if (view == nullptr || h0 >= h1) return {nullptr, 0, 0};
  return {static_cast<char*>(view->data) + view->Offset(token, h0, 0) * bytes, h1 - h0,
          view->head_stride * bytes};
}

// The token loop, in target code: each token's head runs are the previous token's advanced by the
// views' token strides, and its row is read from the table.
template <DType kDType, bool kNativeStore, int kHalf>
HWY_INLINE void RotateTokens(const TensorView& q, const TensorView* k, const TokenRange& range,
                             const TokenRows& rows, RotationShape shape) {
  constexpr int kBytes = static_cast<int>(kElementBytes<kDType>);
  HWY_DASSERT(kHalf == 0 || shape.rotary_dim == 2 * kHalf);
  const SlotHeads slots = HeadsOfSlots(q, k, range.slot_begin, range.slot_end);
  HeadRun q_heads = FirstTokenHeads(&q, range.token_begin, slots.q_begin, slots.q_end, kBytes);
  HeadRun k_heads = FirstTokenHeads(k, range.token_begin, slots.k_begin, slots.k_end, kBytes);
  const int64_t q_step = q_heads.count > 0 ? q.token_stride * kBytes : 0;
  const int64_t k_step = k_heads.count > 0 ? k->token_stride * kBytes : 0;
  const float* const table = rows.table;
  const int64_t* const row_of = rows.row_of;
  const int64_t half = shape.rotary_dim / 2;
  const int64_t tokens = range.token_end - range.token_begin;
  const int64_t row_bytes = shape.rotary_dim * int64_t{sizeof(float)};
  // One token's heads (a decode step) are in L1 already: blocks would only reload the cosines.
  const bool in_blocks =
      kDType != DType::kBF16 && !shape.streaming && ChunkCoversPartOfHalf(half) && tokens > 1;
  for (int64_t t = 0; t < tokens; ++t) {
    const float* cos = table + row_of[t] * shape.rotary_dim;
    // A streaming call's rows are streamed too (2 MiB of table at 4096 tokens of rotary_dim 128):
    // the next token's is fetched while this one's heads are rotated.
    if (shape.prefetch_bytes > 0 && t + 1 < tokens) {
      const char* next = reinterpret_cast<const char*>(table + row_of[t + 1] * shape.rotary_dim);
      for (int64_t line = 0; line < row_bytes; line += 64) hwy::Prefetch(next + line);
    }
    if (in_blocks) {
      RotateTokenInBlocks<kDType, kNativeStore, kHalf>(q_heads, k_heads, cos, cos + half, shape);
    } else {
      RotateToken<kDType, kNativeStore, kHalf>(q_heads, k_heads, cos, cos + half, shape);
    }
    q_heads.first += q_step;
    k_heads.first += k_step;
  }
}

// Head dims of 128 (Llama, Mistral, Qwen and most others) take the compile-time half in cache;
// not when streaming, where it measured slower than the run-time half (docs/kernel-tuning.md).
constexpr int kCommonHalf = 64;

void RotateTokensOnTarget(const TensorView& q, const TensorView* k, const TokenRange& range,
                          const TokenRows& rows, const RotationShape& shape, bool native_bf16,
                          bool converting_f16) {
  // The callers' side of the interface (highway_rope.h), checked in debug and sanitizer builds.
  HWY_DASSERT(shape.rotary_dim >= 2 && shape.rotary_dim % 2 == 0 && shape.prefetch_bytes >= 0);
  HWY_DASSERT(shape.rotary_dim <= q.head_dim && (k == nullptr || shape.rotary_dim <= k->head_dim));
  HWY_DASSERT(k == nullptr || (k->tokens == q.tokens && k->dtype == q.dtype));
  HWY_DASSERT(0 <= range.token_begin && range.token_begin <= range.token_end &&
              range.token_end <= q.tokens);
  HWY_DASSERT(0 <= range.slot_begin && range.slot_begin <= range.slot_end &&
              range.slot_end <= q.heads + (k == nullptr ? 0 : k->heads));
  HWY_DASSERT(q.data != nullptr && (k == nullptr || k->data != nullptr));
  HWY_DASSERT(rows.table != nullptr && rows.row_of != nullptr);
  WithDType(q.dtype, [&]<DType kDType>() {
    const auto run = [&]<bool kNative>() {
      if (shape.rotary_dim == 2 * kCommonHalf && !shape.streaming) {
        RotateTokens<kDType, kNative, kCommonHalf>(q, k, range, rows, shape);
      } else {
        RotateTokens<kDType, kNative, 0>(q, k, range, rows, shape);
      }
    };
    // f32, and f16 on targets without StoreF16Converting, are not instantiated twice.
    if constexpr (kDType == DType::kBF16) {
      if (native_bf16) {
        run.template operator()<true>();
        return;
      }
    } else if constexpr (kDType == DType::kF16 && ROPEBENCH_CONVERTING_F16_STORE) {
      if (converting_f16) {
        run.template operator()<true>();
        return;
      }
    }
    (void)converting_f16;
    run.template operator()<false>();
  });
}

template <DType kDType>
void ConvertAll(const float* in, uint16_t* out, int64_t count) {
  const hn::CappedTag<float, 1> d1;  // one lane at a time: any count, same rounding code
  for (int64_t i = 0; i < count; ++i) StoreFromF32<kDType>(d1, hn::LoadU(d1, in + i), out, i);
}

void NarrowOnTarget(DType dtype, const float* in, uint16_t* out, int64_t count,
                    bool converting_f16) {
  const hn::ScalableTag<float> d;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  WithDType(dtype, [&]<DType kDType>() {
    if constexpr (kDType != DType::kF32) {
      const auto narrow = [&]<bool kConverting>() {
        for (; i + lanes <= count; i += lanes) {
          StoreFromF32<kDType, kConverting>(d, hn::LoadU(d, in + i), out, i);
        }
      };
      if (converting_f16) {
        narrow.template operator()<true>();
      } else {
        narrow.template operator()<false>();
      }
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

// As the kernel stores bf16 results: `count` values as even and odd elements of whole vectors
// (BF16Lanes), the rest one at a time.
void NarrowBF16ResultsOnTarget(const float* in, uint16_t* out, int64_t count, bool native_bf16) {
  int64_t i = 0;
#if HWY_TARGET != HWY_SCALAR
  const hn::ScalableTag<float> d;
  const int64_t step = 2 * static_cast<int64_t>(hn::Lanes(d));
  const auto narrow = [&]<bool kNative>() {
    const BF16Lanes<decltype(d), kNative> bf16;
    for (; i + step <= count; i += step) {
      hn::Vec<decltype(d)> even, odd;
      hn::LoadInterleaved2(d, in + i, even, odd);
      bf16.Store(even, odd, out + i);
    }
  };
  if (native_bf16) {
    narrow.template operator()<true>();
  } else {
    narrow.template operator()<false>();
  }
#else
  (void)native_bf16;
#endif
  ConvertAll<DType::kBF16>(in + i, out + i, count - i);
}

const char* TargetOnTarget() { return hwy::TargetName(HWY_TARGET); }

// Whether BF16Lanes on this target has the AVX512_BF16 store.
bool NativeBF16StoreOnTarget() { return ROPEBENCH_NATIVE_BF16_STORE != 0; }

// Whether StoreFromF32 on this target has StoreF16Converting.
bool ConvertingF16StoreOnTarget() { return ROPEBENCH_CONVERTING_F16_STORE != 0; }

}  // namespace HWY_NAMESPACE
}  // namespace ropebench
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropebench {

HWY_EXPORT(RotateTokensOnTarget);
HWY_EXPORT(NarrowOnTarget);
HWY_EXPORT(WidenOnTarget);
HWY_EXPORT(NarrowBF16ResultsOnTarget);
HWY_EXPORT(TargetOnTarget);
HWY_EXPORT(NativeBF16StoreOnTarget);
HWY_EXPORT(ConvertingF16StoreOnTarget);

namespace {

std::atomic<bool> native_bf16_allowed{true};
std::atomic<bool> converting_f16_store{false};

bool CpuHasNativeBF16() {
#if HWY_ARCH_X86
  static const bool has = __builtin_cpu_supports("avx512bf16");
  return has;
#else
  return false;
#endif
}

bool UseNativeBF16() {
  return CpuHasNativeBF16() && native_bf16_allowed.load(std::memory_order_relaxed);
}

}  // namespace

void HighwayRotateTokens(const TensorView& q, const TensorView* k, const TokenRange& range,
                         const TokenRows& rows, const RotationShape& shape) {
  HWY_DYNAMIC_DISPATCH(RotateTokensOnTarget)
  (q, k, range, rows, shape, UseNativeBF16(), converting_f16_store.load(std::memory_order_relaxed));
}

void HighwayNarrowBF16Results(const float* in, uint16_t* out, int64_t count) {
  HWY_DYNAMIC_DISPATCH(NarrowBF16ResultsOnTarget)(in, out, count, UseNativeBF16());
}

std::string HighwayBF16Rounding() {
  return HWY_DYNAMIC_DISPATCH(NativeBF16StoreOnTarget)() && UseNativeBF16() ? "AVX512_BF16"
                                                                            : "integer";
}

bool HighwayAllowNativeBF16(bool allowed) {
  native_bf16_allowed.store(allowed, std::memory_order_relaxed);
  return CpuHasNativeBF16();
}

bool HighwayHasConvertingF16Store() { return HWY_DYNAMIC_DISPATCH(ConvertingF16StoreOnTarget)(); }

void HighwayUseConvertingF16Store(bool use) {
  converting_f16_store.store(use && HighwayHasConvertingF16Store(), std::memory_order_relaxed);
}

bool HighwayConvertingF16Store() { return converting_f16_store.load(std::memory_order_relaxed); }

void HighwayNarrow(DType dtype, const float* in, uint16_t* out, int64_t count) {
  HWY_DYNAMIC_DISPATCH(NarrowOnTarget)
  (dtype, in, out, count, converting_f16_store.load(std::memory_order_relaxed));
}

void HighwayWiden(DType dtype, const uint16_t* in, float* out, int64_t count) {
  HWY_DYNAMIC_DISPATCH(WidenOnTarget)(dtype, in, out, count);
}

std::string HighwayDispatchTarget() { return HWY_DYNAMIC_DISPATCH(TargetOnTarget)(); }

// ROPEBENCH_CPU_TARGET applies from start-up wherever the kernel is linked, so that Highway's
// per-target test suites are instantiated for the capped CPU.
[[maybe_unused]] const bool kCpuTargetCapApplied = (HighwayCpuTargets(), true);

}  // namespace ropebench
#endif  // HWY_ONCE
