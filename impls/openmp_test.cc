// The threaded candidates must give their single-threaded twin's bits exactly, for any thread
// count (DESIGN.md §5: determinism across thread counts): openmp against scalar, highway_openmp
// against highway, on calls too small to split, split by tokens, and split within tokens' heads,
// with highway's cos/sin rows read from its table and computed per token.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstring>
#include <vector>

#include "impls/core/numeric.h"
#include "impls/core/token_slices.h"
#include "impls/variants.h"
#include "reference/presets.h"

namespace ropebench {
namespace {

struct Shape {
  const char* what;
  int64_t tokens;
  int q_heads, kv_heads;
  int64_t first_position = 1000;
};

std::vector<uint16_t> Rotated(Candidate& candidate, int threads, const Shape& shape) {
  const RopeSpec& preset_spec = FindPreset("llama3.1-8b")->spec;
  const int d = preset_spec.head_dim;
  std::vector<uint16_t> q(shape.tokens * shape.q_heads * d), k(shape.tokens * shape.kv_heads * d);
  for (size_t i = 0; i < q.size(); ++i) q[i] = FloatToBF16(static_cast<float>(i % 97) / 31 - 1.5f);
  for (size_t i = 0; i < k.size(); ++i) k[i] = FloatToBF16(static_cast<float>(i % 89) / 29 - 1.5f);
  std::vector<int64_t> positions(shape.tokens);
  for (int64_t t = 0; t < shape.tokens; ++t) positions[t] = shape.first_position + 7 * t;
  RopeSpec spec = ResolveSeqLen(preset_spec, positions);
  const TensorView qv{q.data(), DType::kBF16, shape.tokens, shape.q_heads, d, shape.q_heads * d, d};
  const TensorView kv{k.data(), DType::kBF16, shape.tokens, shape.kv_heads, d, shape.kv_heads * d,
                      d};
  omp_set_num_threads(threads);
  EXPECT_EQ(candidate.Rotate(spec, positions, qv, &kv).status, CallStatus::kOk);
  q.insert(q.end(), k.begin(), k.end());
  return q;
}

TEST(OpenMpTest, BitwiseEqualToTheSingleThreadedTwinForAnyThreadCount) {
  constexpr Shape kShapes[] = {
      {"decode, one thread", 1, 32, 8},
      {"small call, one thread", 3, 32, 8},
      {"split over tokens", 700, 32, 8},  // 700 x 40 heads x 128 dims
      {"split within tokens' heads", 3, 512, 512},
      // highway's rows computed per token, not read from its table (impls/core/cos_sin_cache.h)
      {"split over tokens, positions past the cos/sin table", 700, 32, 8, int64_t{1} << 21},
  };
  static_assert(3 * 1024 * 128 >= kParallelElements, "the head split must be threaded");
  const std::pair<std::unique_ptr<Candidate>, std::unique_ptr<Candidate>> twins[] = {
      {MakeScalarCandidate(), MakeOpenMpCandidate()},
      {MakeHighwayCandidate(), MakeHighwayOpenMpCandidate()},
  };
  for (const auto& [single, threaded] : twins) {
    EXPECT_TRUE(threaded->capabilities().threaded);
    EXPECT_FALSE(single->capabilities().threaded);
    for (const Shape& shape : kShapes) {
      const std::vector<uint16_t> expected = Rotated(*single, 1, shape);
      for (int threads : {1, 2, 3, 8}) {
        EXPECT_EQ(Rotated(*threaded, threads, shape), expected)
            << threaded->name() << ", " << shape.what << ", " << threads << " threads";
      }
    }
  }
  omp_set_num_threads(omp_get_num_procs());
}

// The split visits every (token, head) once: whole tokens in runs of any length, a token cut by a
// thread's share in a run of its own.
TEST(OpenMpTest, TokenRunsCoverEveryUnitOnce) {
  for (int threads : {1, 2, 3, 8}) {
    omp_set_num_threads(threads);
    for (const int64_t tokens : {1, 2, 5, 64}) {
      constexpr int64_t kSlots = 7;
      std::vector<int> visits(tokens * kSlots);
      ForEachTokenRun(tokens, kSlots, kParallelElements, true, 1,
                      [&](int64_t t0, int64_t t1, int64_t first, int64_t last, float*) {
                        ASSERT_LT(t0, t1);
                        ASSERT_LE(t1, tokens);
                        ASSERT_LT(first, last);
                        ASSERT_LE(last, kSlots);
                        if (t1 - t0 > 1) {
                          ASSERT_TRUE(first == 0 && last == kSlots);
                        }
                        for (int64_t t = t0; t < t1; ++t) {
                          for (int64_t s = first; s < last; ++s) {
#pragma omp atomic
                            ++visits[t * kSlots + s];
                          }
                        }
                      });
      for (int v : visits) EXPECT_EQ(v, 1) << tokens << " tokens, " << threads << " threads";
    }
  }
  omp_set_num_threads(omp_get_num_procs());
}

}  // namespace
}  // namespace ropebench
