// openmp must give scalar's bits exactly, for any thread count (DESIGN.md §5: determinism across
// thread counts), including calls large enough to be split.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstring>
#include <vector>

#include "impls/numeric.h"
#include "impls/variants.h"
#include "reference/presets.h"

namespace ropebench {
namespace {

std::vector<uint16_t> Rotated(Candidate& candidate, int threads, int64_t tokens) {
  const ModelPreset& preset = *FindPreset("llama3.1-8b");
  const int d = preset.spec.head_dim;
  std::vector<uint16_t> q(tokens * preset.q_heads * d), k(tokens * preset.kv_heads * d);
  for (size_t i = 0; i < q.size(); ++i) q[i] = FloatToBF16(static_cast<float>(i % 97) / 31 - 1.5f);
  for (size_t i = 0; i < k.size(); ++i) k[i] = FloatToBF16(static_cast<float>(i % 89) / 29 - 1.5f);
  std::vector<int64_t> positions(tokens);
  for (int64_t t = 0; t < tokens; ++t) positions[t] = 1000 + 7 * t;
  RopeSpec spec = ResolveSeqLen(preset.spec, positions);
  const TensorView qv{q.data(), DType::kBF16, tokens, preset.q_heads, d, preset.q_heads * d, d};
  const TensorView kv{k.data(), DType::kBF16, tokens, preset.kv_heads, d, preset.kv_heads * d, d};
  omp_set_num_threads(threads);
  EXPECT_EQ(candidate.Rotate(spec, positions, qv, &kv).status, CallStatus::kOk);
  q.insert(q.end(), k.begin(), k.end());
  return q;
}

TEST(OpenMpTest, BitwiseEqualToScalarForAnyThreadCount) {
  auto scalar = MakeScalarCandidate();
  auto openmp = MakeOpenMpCandidate();
  EXPECT_TRUE(openmp->capabilities().threaded);
  EXPECT_FALSE(scalar->capabilities().threaded);
  for (int64_t tokens : {1, 3, 700}) {  // 700 tokens x 40 heads x 128 dims is split over threads
    const std::vector<uint16_t> expected = Rotated(*scalar, 1, tokens);
    for (int threads : {1, 2, 3, 8}) {
      EXPECT_EQ(Rotated(*openmp, threads, tokens), expected)
          << tokens << " tokens, " << threads << " threads";
    }
  }
  omp_set_num_threads(omp_get_num_procs());
}

}  // namespace
}  // namespace ropebench
