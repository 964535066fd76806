#include "reference/presets.h"

#include <gtest/gtest.h>

#include <cmath>

#include "reference/frequencies.h"

namespace ropebench {
namespace {

TEST(PresetsTest, EveryPublishedModelIsThereAndValid) {
  // One per row of ../shared/PRESETS.md.
  for (const char* name :
       {"llama2-7b", "llama3.1-8b", "llama3.2-1b", "mistral-7b", "qwen2.5-7b", "codellama-7b",
        "gptj-6b", "gptneox-20b", "phi3.5-mini", "deepseek-v2-lite", "deepseek-v3",
        "llama2k-linear-x2", "llama2k-ntk-alpha8"}) {
    const ModelPreset* preset = FindPreset(name);
    ASSERT_NE(preset, nullptr) << name;
    EXPECT_EQ(ValidateSpec(preset->spec), "") << name;
    EXPECT_GE(preset->q_heads, preset->kv_heads) << name;
  }
  EXPECT_EQ(ModelPresets().size(), 13u);
  EXPECT_EQ(FindPreset("llama-9000"), nullptr);
}

TEST(PresetsTest, PublishedShapesAndFactors) {
  const ModelPreset& neox = *FindPreset("gptneox-20b");
  EXPECT_EQ(neox.spec.head_dim, 96);
  EXPECT_EQ(neox.spec.rotary_dim, 24);  // rotary_pct 0.25
  const ModelPreset& gptj = *FindPreset("gptj-6b");
  EXPECT_EQ(gptj.spec.pairing, Pairing::kInterleaved);
  EXPECT_EQ(gptj.spec.rotary_dim, 64);
  const ModelPreset& phi = *FindPreset("phi3.5-mini");
  EXPECT_EQ(phi.spec.long_factor.size(), 48u);
  EXPECT_EQ(phi.spec.short_factor.front(), 1.0);
  EXPECT_EQ(phi.spec.long_factor.back(), 64.83999633789062);
  EXPECT_NEAR(AttentionFactor(phi.spec), 1.1902380714238083, 1e-15);
  EXPECT_EQ(AttentionFactor(FindPreset("deepseek-v2-lite")->spec), 1.0);
  EXPECT_NEAR(AttentionFactor(FindPreset("deepseek-v3")->spec), 1.0857263992561357, 1e-15);
  EXPECT_EQ(FindPreset("llama3.1-8b")->kv_heads, 8);
}

}  // namespace
}  // namespace ropebench
