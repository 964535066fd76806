#include "bench/diagnosis/diagnosis.h"

#include <gtest/gtest.h>

#include <random>

#include "reference/presets.h"
#include "reference/rope_reference.h"

namespace ropebench {
namespace {

Observation Observe(const RopeSpec& truth, const RopeSpec& used, std::vector<int64_t> positions) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> value(0.5, 2);
  DenseTensor q(static_cast<int64_t>(positions.size()), 2, truth.head_dim);
  for (double& v : q.values) v = static_cast<float>(value(rng));
  Observation o{ResolveSeqLen(truth, positions), positions, DType::kF32, 8, {q}, {}};
  DenseTensor out = ApplyRope(ResolveSeqLen(used, positions), positions, q);
  for (double& v : out.values) v = static_cast<float>(v);  // stored as f32
  o.outputs = {out};
  return o;
}

TEST(DiagnosisTest, NamesTheHypothesisThatMadeTheOutput) {
  const RopeSpec llama = FindPreset("llama2-7b")->spec;
  const std::vector<int64_t> positions = {3, 100, 5000, 70000};
  RopeSpec other_pairing = llama;
  other_pairing.pairing = Pairing::kInterleaved;
  EXPECT_EQ(ExplainOutput(Observe(llama, other_pairing, positions))->code,
            DiagnosisCode::kPairingSwapped);
  RopeSpec other_base = llama;
  other_base.base = 5e5;
  EXPECT_EQ(ExplainOutput(Observe(llama, other_base, positions))->code,
            DiagnosisCode::kBaseMismatch);
  const RopeSpec v3 = FindPreset("deepseek-v3")->spec;
  RopeSpec unscaled = v3;
  unscaled.attention_factor = 1.0;
  EXPECT_EQ(ExplainOutput(Observe(v3, unscaled, positions))->code,
            DiagnosisCode::kAttentionFactorMissing);
}

TEST(DiagnosisTest, GarbageIsUnexplained) {
  const RopeSpec llama = FindPreset("llama2-7b")->spec;
  Observation o = Observe(llama, llama, {1, 2, 3});
  for (double& v : o.outputs[0].values) v = -v * 0.77;
  EXPECT_FALSE(ExplainOutput(o).has_value());
  const std::vector<CheckOutcome> checks = {{Check::kError, false, "big"}};
  EXPECT_EQ(Diagnose(o, checks).code, DiagnosisCode::kUnexplained);
}

}  // namespace
}  // namespace ropebench
