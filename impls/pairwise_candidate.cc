#include "impls/pairwise_candidate.h"

#include <vector>

#include "impls/numeric.h"

namespace ropebench {

bool AllContiguous(const TensorView& q, const TensorView* k) {
  return q.IsContiguous() && (k == nullptr || k->IsContiguous());
}

CallResult PairwiseCandidate::Rotate(const RopeSpec& spec, std::span<const int64_t> positions,
                                     const TensorView& q, const TensorView* k) {
  const std::string reason = UnsupportedReason(capabilities_, spec, q.dtype, AllContiguous(q, k));
  if (!reason.empty()) return {CallStatus::kUnsupported, reason};

  if (!prepared_for_ || *prepared_for_ != spec) {
    cos_sin_ = PrepareCosSin(spec);
    prepared_for_ = spec;
  }
  const CosSinFn& cos_sin = cos_sin_;
  const int half = spec.rotary_dim / 2;
  const bool interleaved = spec.pairing == Pairing::kInterleaved;
  std::vector<float> cos(half), sin(half);
  for (int64_t t = 0; t < q.tokens; ++t) {
    cos_sin(positions[t], cos.data(), sin.data());  // once per token, shared by Q and K
    ForEachHeadAt(t, q, k, [&](const TensorView& view, int64_t head) {
      WithDType(view.dtype, [&]<DType kDType>() {
        for (int i = 0; i < half; ++i) {
          const int64_t first = head + (interleaved ? 2 * i : i);
          const int64_t second = head + (interleaved ? 2 * i + 1 : i + half);
          const float a = Load<kDType>(view.data, first);
          const float b = Load<kDType>(view.data, second);
          Store<kDType>(view.data, first, a * cos[i] - b * sin[i]);
          Store<kDType>(view.data, second, a * sin[i] + b * cos[i]);
        }
      });
    });
  }
  return {};
}

}  // namespace ropebench
