#include "impls/pairwise_candidate.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "impls/numeric.h"

namespace ropebench {
namespace {

// Below this many rotated elements (~256 KiB of f32) a call runs on one thread: waking a team costs
// microseconds.
constexpr int64_t kParallelElements = int64_t{1} << 16;

}  // namespace

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
  // Tokens [begin, end): each token's result depends on that token alone, so any split over threads
  // gives the same bits.
  auto rotate_tokens = [&](int64_t begin, int64_t end) {
    std::vector<float> cos(half), sin(half);
    for (int64_t t = begin; t < end; ++t) {
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
  };
  const int64_t elements = q.tokens * (q.heads + (k ? k->heads : 0)) * spec.rotary_dim;
  if (!capabilities_.threaded || q.tokens < 2 || elements < kParallelElements) {
    rotate_tokens(0, q.tokens);  // decode and small calls never pay for waking threads
    return {};
  }
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    const int64_t chunk = (q.tokens + threads - 1) / threads;
    rotate_tokens(std::min(q.tokens, thread * chunk), std::min(q.tokens, (thread + 1) * chunk));
  }
  return {};
}

}  // namespace ropebench
