// highway: for pair i of every head, with pairs (2i, 2i+1) when interleaved and
// (i, i + rotary_dim/2) when half-split,
//   a' = a*cos_i - b*sin_i,   b' = a*sin_i + b*cos_i
// in f32 on Highway vectors (fused multiply-add where the target has it), loaded from and stored
// to f32 / f16 / bf16 with round-to-nearest-even. cos/sin come from the caller, a row per token
// (impls/highway.cc), and stay in registers while all the token's heads are rotated. Pairs that do
// not fill a vector are done on 4-lane, then 1-lane vectors, so no head is read or written past
// rotary_dim.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impls/highway_rope.cc"
#include "hwy/cache_control.h"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "impls/highway_rope.h"
#include "impls/highway_storage-inl.h"
#include "impls/numeric.h"
#include "impls/token_slices.h"

HWY_BEFORE_NAMESPACE();
namespace ropebench {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <DType kDType>
constexpr int64_t kElementBytes = kDType == DType::kF32 ? 4 : 2;

// One vector of pairs j, j+1, ... of one head whose halves start at `first` and `second`, given
// their cosines and sines.
template <DType kDType, class D>
HWY_INLINE void HalfSplitStep(D d, void* first, void* second, int j, hn::Vec<D> c, hn::Vec<D> s) {
  const auto a = LoadAsF32<kDType>(d, first, j);
  const auto b = LoadAsF32<kDType>(d, second, j);
  StoreFromF32<kDType>(d, hn::MulSub(a, c, hn::Mul(b, s)), first, j);
  StoreFromF32<kDType>(d, hn::MulAdd(a, s, hn::Mul(b, c)), second, j);
}

// kVectors vectors of pairs of one head, f32: every load, then every store. The empty asm with a
// memory clobber keeps the compiler from moving loads past it: without it GCC folded the second
// half's loads into the multiplies, after the first half's stores. With the head read first, in
// address order, 16 tokens of Llama-2-7B in cache went from 0.77-0.79 to 0.86-0.91 of the rmw
// probe, Llama-3.1-8B stayed at 0.86-0.88 (f32, one process per build, four alternations, the
// runs where the probe ran at 350-370 and 290-305 GB/s).
template <int kVectors, class D>
HWY_INLINE void HalfSplitInOrder(D d, float* first, float* second, const hn::Vec<D>* c,
                                 const hn::Vec<D>* s) {
  const int lanes = static_cast<int>(hn::Lanes(d));
  hn::Vec<D> a[kVectors], b[kVectors];
  for (int v = 0; v < kVectors; ++v) a[v] = hn::LoadU(d, first + v * lanes);
  for (int v = 0; v < kVectors; ++v) b[v] = hn::LoadU(d, second + v * lanes);
#if defined(__GNUC__)
  asm volatile("" ::: "memory");
#endif
  for (int v = 0; v < kVectors; ++v) {
    hn::StoreU(hn::MulSub(a[v], c[v], hn::Mul(b[v], s[v])), d, first + v * lanes);
  }
  for (int v = 0; v < kVectors; ++v) {
    hn::StoreU(hn::MulAdd(a[v], s[v], hn::Mul(b[v], c[v])), d, second + v * lanes);
  }
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
  void Store(hn::Vec<D> low, hn::Vec<D> high, uint16_t* p) const {
#if ROPEBENCH_NATIVE_BF16_STORE
    if constexpr (kNative && hn::MaxLanes(D()) == 16) {
      if (HWY_LIKELY(StoreBF16PairsNative(low.raw, high.raw, p))) return;
    }
#endif
    const auto joined =
        hn::Or(hn::ShiftRight<16>(BF16InUpperHalfOfBF16Result<D>(low)),
               hn::And(BF16InUpperHalfOfBF16Result<D>(high), hn::Set(du32, 0xFFFF0000u)));
    hn::StoreU(hn::BitCast(du16, joined), du16, p);
  }
};

// Interleaved: Lanes pairs from pair j.
template <bool kNative, class D>
HWY_INLINE void BF16InterleavedStep(D, void* head, int j, hn::Vec<D> c, hn::Vec<D> s) {
  const BF16Lanes<D, kNative> bf16;
  uint16_t* p = static_cast<uint16_t*>(head) + 2 * j;
  const auto x = bf16.Load(p);
  const auto a = bf16.Lower(x), b = bf16.Upper(x);
  bf16.Store(hn::MulSub(a, c, hn::Mul(b, s)), hn::MulAdd(a, s, hn::Mul(b, c)), p);
}

// Half-split: 2 x Lanes pairs from pair j of the halves at `first_half` and `second_half`.
template <bool kNative, class D>
HWY_INLINE void BF16HalfSplitStep(D, void* first_half, void* second_half, int j, hn::Vec<D> c_even,
                                  hn::Vec<D> c_odd, hn::Vec<D> s_even, hn::Vec<D> s_odd) {
  const BF16Lanes<D, kNative> bf16;
  uint16_t* first = static_cast<uint16_t*>(first_half) + j;
  uint16_t* second = static_cast<uint16_t*>(second_half) + j;
  const auto xa = bf16.Load(first), xb = bf16.Load(second);
  const auto a_even = bf16.Lower(xa), a_odd = bf16.Upper(xa);
  const auto b_even = bf16.Lower(xb), b_odd = bf16.Upper(xb);
  bf16.Store(hn::MulSub(a_even, c_even, hn::Mul(b_even, s_even)),
             hn::MulSub(a_odd, c_odd, hn::Mul(b_odd, s_odd)), first);
  bf16.Store(hn::MulAdd(a_even, s_even, hn::Mul(b_even, c_even)),
             hn::MulAdd(a_odd, s_odd, hn::Mul(b_odd, c_odd)), second);
}
#endif

template <DType kDType, bool kNativeBF16, class D>
HWY_INLINE void InterleavedStep(D d, void* head, int j, hn::Vec<D> c, hn::Vec<D> s) {
  hn::Vec<D> a, b;
#if HWY_TARGET != HWY_SCALAR
  if constexpr (kDType == DType::kBF16) {
    BF16InterleavedStep<kNativeBF16>(d, head, j, c, s);
    return;
  }
#endif
  if constexpr (kDType == DType::kF32) {
    float* pairs = static_cast<float*>(head) + 2 * j;
    hn::LoadInterleaved2(d, pairs, a, b);
    hn::StoreInterleaved2(hn::MulSub(a, c, hn::Mul(b, s)), hn::MulAdd(a, s, hn::Mul(b, c)), d,
                          pairs);
  } else {
    // Narrow storage: widen 2 x Lanes elements through an f32 buffer in L1, deinterleave there.
    const int64_t lanes = static_cast<int64_t>(hn::Lanes(d));
    HWY_ALIGN float pairs[2 * hn::MaxLanes(d)];
    hn::StoreU(LoadAsF32<kDType>(d, head, 2 * j), d, pairs);
    hn::StoreU(LoadAsF32<kDType>(d, head, 2 * j + lanes), d, pairs + lanes);
    hn::LoadInterleaved2(d, pairs, a, b);
    hn::StoreInterleaved2(hn::MulSub(a, c, hn::Mul(b, s)), hn::MulAdd(a, s, hn::Mul(b, c)), d,
                          pairs);
    StoreFromF32<kDType>(d, hn::LoadU(d, pairs), head, 2 * j);
    StoreFromF32<kDType>(d, hn::LoadU(d, pairs + lanes), head, 2 * j + lanes);
  }
}

// Pairs [i, half) of one head on vectors of Lanes(d), cosines and sines loaded per vector, while a
// whole vector fits; returns the first pair left.
template <DType kDType, class D>
HWY_INLINE int RotateTail(D d, void* head, int i, int half, Pairing pairing, const float* cos,
                          const float* sin) {
  const int lanes = static_cast<int>(hn::Lanes(d));
  for (; i + lanes <= half; i += lanes) {
    const auto c = hn::LoadU(d, cos + i);
    const auto s = hn::LoadU(d, sin + i);
    if (pairing == Pairing::kHalfSplit) {
      HalfSplitStep<kDType>(d, head, static_cast<char*>(head) + half * kElementBytes<kDType>, i, c,
                            s);
    } else {
      InterleavedStep<kDType, false>(d, head, i, c, s);
    }
  }
  return i;
}

// Vectors of pairs whose cosines and sines stay in registers while every head of the range is
// rotated: loaded per head instead, those loads 4K-alias with the stores to the heads before them
// (heads are 512 B apart) and a head took 2.3x as long in L1 here. 4 vectors of each with AVX-512's
// 32 registers, 2 with 16.
#if HWY_TARGET <= HWY_AVX3
constexpr int kChunk = 4;
#else
constexpr int kChunk = 2;
#endif

// A head's rotation, inlined into the head loop by force: given the two bf16 variants of
// RotateToken, GCC 12 called one per head instead (bf16 at 4096 tokens: ~47 GB/s, ~63 inlined).
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
// where a distance known only at run time took a second address register per half. 16 tokens of
// Llama-3.1-8B, f32, in one process here: the kernel called once went from 0.88 to 0.93 of the rmw
// probe with it, the highway candidate from 0.84-0.85 to 0.88.
template <DType kDType, bool kNativeBF16, int kHalf>
HWY_INLINE void RotateToken(HeadRun q, HeadRun k, const float* cos, const float* sin,
                            RotationShape shape) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const int lanes = static_cast<int>(hn::Lanes(d));
  const int half = kHalf != 0 ? kHalf : shape.rotary_dim / 2;
  const int64_t half_bytes = int64_t{half} * kElementBytes<kDType>;
  const bool half_split = shape.pairing == Pairing::kHalfSplit;
  int i = 0;
#if HWY_TARGET != HWY_SCALAR
  if constexpr (kDType == DType::kBF16) {
    if (half_split) {  // interleaved bf16 takes the common loop (InterleavedStep)
      // A vector covers 2 x Lanes pairs, with four vectors of cosines and sines.
      constexpr int kBlocks = kChunk / 2;
      const int step = 2 * lanes;
      for (; i + kBlocks * step <= half; i += kBlocks * step) {
        V c_even[kBlocks], c_odd[kBlocks], s_even[kBlocks], s_odd[kBlocks];
        for (int v = 0; v < kBlocks; ++v) {
          hn::LoadInterleaved2(d, cos + i + v * step, c_even[v], c_odd[v]);
          hn::LoadInterleaved2(d, sin + i + v * step, s_even[v], s_odd[v]);
        }
        const int64_t first = i * kElementBytes<kDType>;
        ForEachQKHead<kDType>(q, k, shape, i == 0, [&](char* head) ROPEBENCH_HEAD_BODY {
          char* pairs = head + first;
          for (int v = 0; v < kBlocks; ++v) {
            BF16HalfSplitStep<kNativeBF16>(d, pairs, pairs + half_bytes, v * step, c_even[v],
                                           c_odd[v], s_even[v], s_odd[v]);
          }
        });
      }
    }
  }
#endif
  for (; i + kChunk * lanes <= half; i += kChunk * lanes) {
    V c[kChunk], s[kChunk];
    for (int v = 0; v < kChunk; ++v) {
      c[v] = hn::LoadU(d, cos + i + v * lanes);
      s[v] = hn::LoadU(d, sin + i + v * lanes);
    }
    // The pairing is tested here, not per head, and the chunk's address is formed once per head
    // so that every load and store of the head takes a constant offset from it: with the address
    // advanced per head (ForEachHead), an in-cache token went from 0.50 to 0.62 of the rmw probe
    // here (16 tokens of Llama-2-7B, f32, in one process with the code before).
    if (half_split) {
      const int64_t first = i * kElementBytes<kDType>;
      ForEachQKHead<kDType>(q, k, shape, i == 0, [&](char* head) ROPEBENCH_HEAD_BODY {
        char* pairs = head + first;
        if constexpr (kDType == DType::kF32 && kHalf != 0) {  // in cache (RotateTokensOnTarget)
          HalfSplitInOrder<kChunk>(d, reinterpret_cast<float*>(pairs),
                                   reinterpret_cast<float*>(pairs + half_bytes), c, s);
        } else {
          for (int v = 0; v < kChunk; ++v) {
            HalfSplitStep<kDType>(d, pairs, pairs + half_bytes, v * lanes, c[v], s[v]);
          }
        }
      });
    } else {
      ForEachQKHead<kDType>(q, k, shape, i == 0, [&](char* head) ROPEBENCH_HEAD_BODY {
        for (int v = 0; v < kChunk; ++v) {
          InterleavedStep<kDType, kNativeBF16>(d, head, i + v * lanes, c[v], s[v]);
        }
      });
    }
  }
  if (i == half) return;
  // What the chunks leave: whole vectors, then 4 lanes, then 1, so that no head is read or written
  // past rotary_dim.
  const hn::CappedTag<float, 4> d4;
  const hn::CappedTag<float, 1> d1;
  ForEachQKHead<kDType>(q, k, shape, i == 0, [&](char* head) {
    int j = RotateTail<kDType>(d, head, i, half, shape.pairing, cos, sin);
    j = RotateTail<kDType>(d4, head, j, half, shape.pairing, cos, sin);
    RotateTail<kDType>(d1, head, j, half, shape.pairing, cos, sin);
  });
}

// Heads [h0, h1) of `token` in `view`: none when there is no view or the range is empty.
HeadRun FirstTokenHeads(const TensorView* view, int64_t token, int64_t h0, int64_t h1, int bytes) {
  if (view == nullptr || h0 >= h1) return {nullptr, 0, 0};
  return {static_cast<char*>(view->data) + view->Offset(token, h0, 0) * bytes, h1 - h0,
          view->head_stride * bytes};
}

// The token loop, in target code: each token's head runs are the previous token's advanced by the
// views' token strides, and its row is read from the table.
template <DType kDType, bool kNativeBF16, int kHalf>
HWY_INLINE void RotateTokens(const TensorView& q, const TensorView* k, const TokenRange& range,
                             const TokenRows& rows, RotationShape shape) {
  constexpr int kBytes = static_cast<int>(kElementBytes<kDType>);
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
  for (int64_t t = 0; t < tokens; ++t) {
    const float* cos = table + row_of[t] * shape.rotary_dim;
    // A streaming call's rows are streamed too (2 MiB of table at 4096 tokens of rotary_dim 128):
    // the next token's is fetched while this one's heads are rotated (16384 tokens, f32: 1.07-1.08
    // of the rmw probe for Llama-2-7B and 1.01-1.02 for Llama-3.1-8B with it, 0.97-1.07 and
    // 0.98-1.03 without, three rounds alternating).
    if (shape.prefetch_bytes > 0 && t + 1 < tokens) {
      const char* next = reinterpret_cast<const char*>(table + row_of[t + 1] * shape.rotary_dim);
      for (int64_t line = 0; line < row_bytes; line += 64) hwy::Prefetch(next + line);
    }
    RotateToken<kDType, kNativeBF16, kHalf>(q_heads, k_heads, cos, cos + half, shape);
    q_heads.first += q_step;
    k_heads.first += k_step;
  }
}

// Head dims of 128 (Llama, Mistral, Qwen and most others) take the compile-time half in cache.
// Not when streaming: there the same code ran at 0.83-1.00 of the rmw probe against 0.92-1.06
// for the run-time half (4096 and 16384 tokens of Llama-2-7B and Llama-3.1-8B, f32, `ropebench
// bench`, binaries alternating twice).
constexpr int kCommonHalf = 64;

void RotateTokensOnTarget(const TensorView& q, const TensorView* k, const TokenRange& range,
                          const TokenRows& rows, const RotationShape& shape, bool native_bf16) {
  WithDType(q.dtype, [&]<DType kDType>() {
    const auto run = [&]<bool kNative>() {
      if (shape.rotary_dim == 2 * kCommonHalf && shape.prefetch_bytes == 0) {
        RotateTokens<kDType, kNative, kCommonHalf>(q, k, range, rows, shape);
      } else {
        RotateTokens<kDType, kNative, 0>(q, k, range, rows, shape);
      }
    };
    // Only bf16 has a second variant: f32 and f16 are not instantiated twice.
    if constexpr (kDType == DType::kBF16) {
      if (native_bf16) {
        run.template operator()<true>();
        return;
      }
    }
    run.template operator()<false>();
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

namespace {

std::atomic<bool> native_bf16_allowed{true};

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
  HWY_DYNAMIC_DISPATCH(RotateTokensOnTarget)(q, k, range, rows, shape, UseNativeBF16());
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

void HighwayNarrow(DType dtype, const float* in, uint16_t* out, int64_t count) {
  HWY_DYNAMIC_DISPATCH(NarrowOnTarget)(dtype, in, out, count);
}

void HighwayWiden(DType dtype, const uint16_t* in, float* out, int64_t count) {
  HWY_DYNAMIC_DISPATCH(WidenOnTarget)(dtype, in, out, count);
}

std::string HighwayDispatchTarget() { return HWY_DYNAMIC_DISPATCH(TargetOnTarget)(); }

namespace {

std::vector<std::string> TargetNames(int64_t targets);
std::string Joined(const std::vector<std::string>& names);

// kCpuTargetEnvironment=NAME makes the process behave as a CPU whose best target is NAME (every
// better one disabled), so that a developer sees what a machine without, say, AVX-512 will see.
constexpr const char* kCpuTargetEnvironment = "ROPEBENCH_CPU_TARGET";

int64_t CappedByEnvironment(int64_t supported) {
  const char* name = std::getenv(kCpuTargetEnvironment);
  if (name == nullptr || *name == '\0') return supported;
  for (int64_t rest = HWY_TARGETS; rest != 0; rest &= rest - 1) {
    const int64_t target = rest & -rest;
    if (std::string_view(name) != hwy::TargetName(target)) continue;
    if ((supported & target) == 0) break;
    hwy::DisableTargets(target - 1);
    return supported & ~(target - 1);
  }
  // At start-up, before any caller can be told: one line naming the variable, then exit 2.
  std::fprintf(stderr, "%s=%s: not a compiled Highway target this CPU runs (%s)\n",
               kCpuTargetEnvironment, name, Joined(TargetNames(supported)).c_str());
  std::exit(2);
}

// What this CPU supports (capped by kCpuTargetEnvironment), read before any target is pinned
// (pinning changes what Highway's SupportedTargets() returns afterwards).
int64_t CpuTargets() {
  static const int64_t targets = CappedByEnvironment(hwy::SupportedTargets() & HWY_TARGETS);
  return targets;
}

// Applied at start-up, so that Highway's per-target test suites are instantiated for the capped
// CPU.
[[maybe_unused]] const int64_t kCpuTargetsAtStartUp = CpuTargets();

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

std::string HighwayCpuTargetCap() {
  CpuTargets();  // the cap is checked there
  const char* name = std::getenv(kCpuTargetEnvironment);
  return name == nullptr ? "" : name;
}

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
