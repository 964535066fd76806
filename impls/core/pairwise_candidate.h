// Element-wise RoPE with f32 arithmetic:  a' = a*cos - b*sin,  b' = a*sin + b*cos  for pair i of
// every head, with pairs (2i, 2i+1) when interleaved and (i, i + rotary_dim/2) when half-split,
// cos/sin per token with the attention factor folded in. Elements past rotary_dim are never
// written. Variants that differ only in how they form cos and sin (scalar, the emulations, test
// mutants) derive from it.
#pragma once

#include <functional>
#include <string>

#include "impls/core/candidate.h"
#include "impls/core/per_spec.h"

namespace ropebench {

// Calls fn(view, offset of the head's element 0) for every head of q, then of k, at token t.
template <typename Fn>
void ForEachHeadAt(int64_t t, const TensorView& q, const TensorView* k, Fn&& fn) {
  for (const TensorView* view : {&q, k}) {
    if (view == nullptr) continue;
    for (int64_t h = 0; h < view->heads; ++h) fn(*view, view->Offset(t, h, 0));
  }
}

// True when every view is packed [tokens][heads][head_dim].
bool AllContiguous(const TensorView& q, const TensorView* k);

class PairwiseCandidate : public Candidate {
 public:
  PairwiseCandidate(std::string name, Capabilities capabilities)
      : name_(std::move(name)), capabilities_(std::move(capabilities)) {}

  std::string_view name() const override { return name_; }
  const Capabilities& capabilities() const override { return capabilities_; }
  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override;

 protected:
  // Fills cos[i] and sin[i] (i < rotary_dim/2) for one position, attention factor included.
  using CosSinFn = std::function<void(int64_t position, float* cos, float* sin)>;
  // Builds what a real engine computes once per spec and caches (frequency tables); called again
  // only when the spec changes.
  virtual CosSinFn PrepareCosSin(const RopeSpec& spec) = 0;

 private:
  std::string name_;
  Capabilities capabilities_;
  PerSpec<CosSinFn> cos_sin_;
};

}  // namespace ropebench
