// autovec: the loop an engineer writes first, as the baseline the hand-vectorised kernel must beat:
// plain C++ with no intrinsics over the per-spec float32 cos/sin table (impls/core/cos_sin_cache.h,
// angles formed in double, so as accurate as scalar), token by token, head by head, left to the
// compiler's auto-vectoriser. It is compiled once per x86-64 level and runs at the level of the
// Highway target dispatched now (AVX3 -> x86-64-v4, AVX2 -> v3, SSE4 -> v2), so that the two are
// compared on the same instruction set, and ROPEBENCH_CPU_TARGET or --target hold both.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "impls/core/cos_sin_cache.h"
#include "impls/core/numeric.h"
#include "impls/core/table_candidate.h"
#include "impls/highway/highway_targets.h"
#include "impls/variants.h"

namespace ropebench {
namespace {

// The storage types as an engineer spells them: the compiler's own half type where it has one (GCC
// 12 converts it one element at a time, with F16C where the level has it: it has no vector
// _Float16 before AVX512-FP16), else the project's bit conversions.
#if defined(__FLT16_MAX__) && !defined(__clang__)
using Half = _Float16;
inline float Widen(Half h) { return static_cast<float>(h); }
inline void Narrow(float value, Half& h) { h = static_cast<Half>(value); }
#else
struct Half {
  uint16_t bits;
};
inline float Widen(Half h) { return F16ToFloat(h.bits); }
inline void Narrow(float value, Half& h) { h.bits = FloatToF16(value); }
#endif
struct BFloat16 {
  uint16_t bits;
};
inline float Widen(float f) { return f; }
inline void Narrow(float value, float& f) { f = value; }
inline float Widen(BFloat16 b) { return BF16ToFloat(b.bits); }
inline void Narrow(float value, BFloat16& b) { b.bits = FloatToBF16(value); }

// One call's work, as plain data for the per-level entry points.
struct AutovecCall {
  const CosSinCache* cache;
  std::span<const int64_t> positions;
  const TensorView* views[2];  // Q, then K (or null)
  bool interleaved;
};

template <typename T>
[[gnu::always_inline]] inline void RotateHead(T* __restrict x, const float* __restrict cos,
                                              const float* __restrict sin, int half,
                                              bool interleaved) {
  if (interleaved) {
    for (int i = 0; i < half; ++i) {
      const float a = Widen(x[2 * i]), b = Widen(x[2 * i + 1]);
      Narrow(a * cos[i] - b * sin[i], x[2 * i]);
      Narrow(a * sin[i] + b * cos[i], x[2 * i + 1]);
    }
    return;
  }
  T* __restrict y = x + half;
  for (int i = 0; i < half; ++i) {
    const float a = Widen(x[i]), b = Widen(y[i]);
    Narrow(a * cos[i] - b * sin[i], x[i]);
    Narrow(a * sin[i] + b * cos[i], y[i]);
  }
}

template <typename T>
[[gnu::always_inline]] inline void RotateTokens(const AutovecCall& call) {
  const int half = call.cache->half();
  std::vector<float> scratch;  // a row past the table, computed for its token alone
  for (size_t t = 0; t < call.positions.size(); ++t) {
    const int64_t position = call.positions[t];
    if (!call.cache->InTable(position)) scratch.resize(2 * half);
    const float* row = call.cache->Row(position, scratch.data());
    for (const TensorView* view : call.views) {
      if (view == nullptr) continue;
      T* data = static_cast<T*>(view->data);
      for (int64_t h = 0; h < view->heads; ++h) {
        RotateHead(data + view->Offset(static_cast<int64_t>(t), h, 0), row, row + half, half,
                   call.interleaved);
      }
    }
  }
}

[[gnu::always_inline]] inline void RotateCall(const AutovecCall& call) {
  switch (call.views[0]->dtype) {
    case DType::kF32:
      return RotateTokens<float>(call);
    case DType::kF16:
      return RotateTokens<Half>(call);
    case DType::kBF16:
      return RotateTokens<BFloat16>(call);
  }
}

// One entry point per level; the attribute is all that differs. Explicit targets and a
// run-time choice rather than target_clones: ifunc resolvers run before ThreadSanitizer starts.
#if defined(__x86_64__)
[[gnu::target("arch=x86-64-v4")]] void RotateV4(const AutovecCall& call) { RotateCall(call); }
[[gnu::target("arch=x86-64-v3")]] void RotateV3(const AutovecCall& call) { RotateCall(call); }
[[gnu::target("arch=x86-64-v2")]] void RotateV2(const AutovecCall& call) { RotateCall(call); }
#endif
void RotateBaseline(const AutovecCall& call) { RotateCall(call); }

struct Level {
  std::string_view name;
  void (*rotate)(const AutovecCall&);
};

// The level matching the Highway target dispatched now.
Level LevelOf(std::string_view highway_target) {
#if defined(__x86_64__)
  if (highway_target.starts_with("AVX3")) return {"x86-64-v4", RotateV4};
  if (highway_target == "AVX2") return {"x86-64-v3", RotateV3};
  if (highway_target == "SSE4") return {"x86-64-v2", RotateV2};
#endif
  (void)highway_target;
  return {"baseline", RotateBaseline};
}

class AutovecCandidate final : public TableCandidate {
 public:
  AutovecCandidate()
      : TableCandidate("autovec",
                       AllCapabilities("plain C++ loop over a cached float32 cos/sin table, "
                                       "auto-vectorised per x86-64 level")) {}

  std::string target() const override { return std::string(LevelOf(HighwayDispatchTarget()).name); }

 protected:
  void RotateFromTable(const RopeSpec& spec, std::span<const int64_t> positions,
                       const TensorView& q, const TensorView* k,
                       const CosSinCache& cache) override {
    const AutovecCall call{&cache, positions, {&q, k}, spec.pairing == Pairing::kInterleaved};
    LevelOf(HighwayDispatchTarget()).rotate(call);
  }
};

}  // namespace

std::unique_ptr<Candidate> MakeAutovecCandidate() { return std::make_unique<AutovecCandidate>(); }

}  // namespace ropebench
