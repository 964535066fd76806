#include "impls/core/pairwise_candidate.h"

#include "impls/core/numeric.h"
#include "impls/core/token_slices.h"

namespace ropebench {

bool AllContiguous(const TensorView& q, const TensorView* k) {
  return q.IsContiguous() && (k == nullptr || k->IsContiguous());
}

CallResult PairwiseCandidate::Rotate(const RopeSpec& spec, std::span<const int64_t> positions,
                                     const TensorView& q, const TensorView* k) {
  const std::string reason = UnsupportedReason(capabilities_, spec, q.dtype, AllContiguous(q, k));
  if (!reason.empty()) return {CallStatus::kUnsupported, reason};

  const CosSinFn& cos_sin =
      cos_sin_.Get(spec, [this](const RopeSpec& s) { return PrepareCosSin(s); });
  const int half = spec.rotary_dim / 2;
  const bool interleaved = spec.pairing == Pairing::kInterleaved;
  const int64_t slots = q.heads + (k ? k->heads : 0);
  auto rotate = [&](int64_t t, int64_t slot_begin, int64_t slot_end, float* scratch) {
    float* cos = scratch;
    float* sin = scratch + half;
    cos_sin(positions[t], cos, sin);  // once per token (and thread), shared by Q and K
    ForEachHeadRange(q, k, slot_begin, slot_end,
                     [&](const TensorView& view, int64_t h0, int64_t h1) {
                       WithDType(view.dtype, [&]<DType kDType>() {
                         for (int64_t h = h0; h < h1; ++h) {
                           const int64_t head = view.Offset(t, h, 0);
                           for (int i = 0; i < half; ++i) {
                             const int64_t first = head + (interleaved ? 2 * i : i);
                             const int64_t second = head + (interleaved ? 2 * i + 1 : i + half);
                             const float a = Load<kDType>(view.data, first);
                             const float b = Load<kDType>(view.data, second);
                             Store<kDType>(view.data, first, a * cos[i] - b * sin[i]);
                             Store<kDType>(view.data, second, a * sin[i] + b * cos[i]);
                           }
                         }
                       });
                     });
  };
  ForEachTokenSlice(q.tokens, slots, q.tokens * slots * spec.rotary_dim, capabilities_.threaded,
                    2 * half, rotate);
  return {};
}

}  // namespace ropebench
