// highway: the Highway kernel (impls/highway/highway_rope.cc) on each token's heads, Q and K in one
// pass, with cos/sin from a per-spec cache (impls/core/cos_sin_cache.h) whose rows are what scalar
// computes. highway_openmp: the same, with large calls split over OpenMP threads by tokens, or by
// heads when tokens are few; bitwise the same result for any thread count.
#include <memory>
#include <string>
#include <utility>

#include "impls/core/cos_sin_cache.h"
#include "impls/core/table_candidate.h"
#include "impls/core/token_slices.h"
#include "impls/highway/highway_rope.h"
#include "impls/highway/highway_streaming.h"
#include "impls/highway/highway_targets.h"
#include "impls/variants.h"

namespace ropebench {
namespace {

HighwayStreaming& Streaming() {
  static HighwayStreaming streaming;
  return streaming;
}

Capabilities HighwayCapabilities(bool threaded) {
  Capabilities capabilities =
      AllCapabilities(threaded ? "Highway SIMD, tokens (or heads) over OpenMP threads"
                               : "Highway SIMD, dynamic dispatch over compiled targets");
  capabilities.threaded = threaded;
  return capabilities;
}

class HighwayCandidate final : public TableCandidate {
 public:
  HighwayCandidate(std::string name, bool threaded)
      : TableCandidate(std::move(name), HighwayCapabilities(threaded)) {}

  std::string target() const override { return HighwayDispatchTarget(); }

 protected:
  void RotateFromTable(const RopeSpec& spec, std::span<const int64_t> positions,
                       const TensorView& q, const TensorView* k,
                       const CosSinCache& cache) override {
    const int half = cache.half();
    const int64_t slots = q.heads + (k ? k->heads : 0);
    const int64_t call_bytes = q.tokens * slots * q.head_dim * BytesPerElement(q.dtype);
    const HighwayStreaming& streaming = Streaming();
    const bool streams = call_bytes > streaming.in_cache_bytes;
    const RotationShape shape{spec.rotary_dim, spec.pairing,
                              streams ? streaming.PrefetchBytes(q.dtype) : 0, streams};
    // Runs of tokens whose rows are in the table go to the kernel in one call each; a row past the
    // table is computed for its token alone.
    auto rotate = [&](int64_t t0, int64_t t1, int64_t s0, int64_t s1, float* scratch) {
      while (t0 < t1) {
        int64_t end = t0;
        while (end < t1 && cache.InTable(positions[end])) ++end;
        if (end > t0) {
          HighwayRotateTokens(q, k, {t0, end, s0, s1}, {cache.table(), positions.data() + t0},
                              shape);
          t0 = end;
          continue;
        }
        static constexpr int64_t kOnlyRow = 0;
        const float* row = cache.Row(positions[t0], scratch);
        HighwayRotateTokens(q, k, {t0, t0 + 1, s0, s1}, {row, &kOnlyRow}, shape);
        ++t0;
      }
    };
    ForEachTokenRun(q.tokens, slots, q.tokens * slots * spec.rotary_dim, capabilities().threaded,
                    2 * half, rotate);
  }
};

}  // namespace

void SetHighwayStreaming(const HighwayStreaming& streaming) { Streaming() = streaming; }
const HighwayStreaming& CurrentHighwayStreaming() { return Streaming(); }

std::unique_ptr<Candidate> MakeHighwayCandidate() {
  return std::make_unique<HighwayCandidate>("highway", false);
}
std::unique_ptr<Candidate> MakeHighwayOpenMpCandidate() {
  return std::make_unique<HighwayCandidate>("highway_openmp", true);
}

}  // namespace ropebench
