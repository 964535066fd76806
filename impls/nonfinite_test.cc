// NaN and infinity in Q or K (issue 7's hostile inputs): every built-in candidate must carry a
// non-finite input element into exactly its own pair — both elements of that pair, of that head
// and token — and leave every other element equal to what it is without the NaN. The matrix form
// is the one exception by construction: its dense product multiplies the NaN by the zeros of R_p,
// so it reaches every rotated element of that head (0 * NaN = NaN) — but never another head or
// token.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "impls/variants.h"
#include "reference/presets.h"

namespace ropebench {
namespace {

constexpr int kTokens = 5, kHeads = 4;

std::vector<float> Rotated(Candidate& candidate, const RopeSpec& spec, std::vector<float> q) {
  std::vector<int64_t> positions(kTokens);
  for (int t = 0; t < kTokens; ++t) positions[t] = 100 + 3 * t;
  const RopeSpec resolved = ResolveSeqLen(spec, positions);
  const int d = spec.head_dim;
  const TensorView view{q.data(), DType::kF32, kTokens, kHeads, d, int64_t{kHeads} * d, d};
  EXPECT_EQ(candidate.Rotate(resolved, positions, view, nullptr).status, CallStatus::kOk)
      << candidate.name();
  return q;
}

// The element that shares a pair with element `i` of a head.
int Partner(const RopeSpec& spec, int i) {
  if (i >= spec.rotary_dim) return i;  // passes through alone
  if (spec.pairing == Pairing::kInterleaved) return i ^ 1;
  const int half = spec.rotary_dim / 2;
  return i < half ? i + half : i - half;
}

TEST(NonFiniteInputs, StayInTheirOwnPair) {
  const std::unique_ptr<Candidate> candidates[] = {
      MakeScalarCandidate(), MakeOpenMpCandidate(), MakeHighwayCandidate(),
      MakeHighwayOpenMpCandidate(), MakeMatrixCandidate()};
  const float poisons[] = {std::numeric_limits<float>::quiet_NaN(),
                           std::numeric_limits<float>::infinity()};
  for (const char* preset : {"llama2-7b", "gptj-6b"}) {  // half-split; interleaved + partial
    const RopeSpec& spec = FindPreset(preset)->spec;
    const int d = spec.head_dim;
    std::vector<float> clean(size_t{kTokens} * kHeads * d);
    for (size_t i = 0; i < clean.size(); ++i) clean[i] = std::sin(0.37f * static_cast<float>(i));
    for (const auto& candidate : candidates) {
      const std::vector<float> expected = Rotated(*candidate, spec, clean);
      for (float poison : poisons) {
        for (int element : {0, 3, d / 2 + 1, spec.rotary_dim - 1, d - 1}) {
          const int token = 2, head = 1;
          const size_t at = (size_t{token} * kHeads + head) * d;
          std::vector<float> q = clean;
          q[at + element] = poison;
          const std::vector<float> got = Rotated(*candidate, spec, q);
          const bool dense = candidate->name() == "matrix" && element < spec.rotary_dim;
          for (size_t i = 0; i < got.size(); ++i) {
            const bool in_pair = dense ? i >= at && i < at + spec.rotary_dim
                                       : i == at + element || i == at + Partner(spec, element);
            if (in_pair) {
              EXPECT_FALSE(std::isfinite(got[i]))
                  << candidate->name() << " " << preset << ": element " << element;
            } else {
              ASSERT_EQ(got[i], expected[i])
                  << candidate->name() << " " << preset << ": poison at element " << element
                  << " reached index " << i;
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace ropebench
