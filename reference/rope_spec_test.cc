#include "reference/rope_spec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "reference/presets.h"

namespace ropebench {
namespace {

RopeSpec Valid(Scaling scaling) {
  RopeSpec spec = FindPreset("llama2-7b")->spec;
  spec.scaling = scaling;
  spec.factor = 4;
  spec.original_max_positions = 4096;
  spec.short_factor.assign(64, 1.0);
  spec.long_factor.assign(64, 2.0);
  return spec;
}

struct BadSpec {
  const char* what;
  Scaling scaling;
  std::function<void(RopeSpec&)> spoil;
  const char* error;  // the exact one-line message, which names the field
};

TEST(RopeSpecTest, ValidSpecsPass) {
  for (Scaling scaling : kAllScalings) EXPECT_EQ(ValidateSpec(Valid(scaling)), "");
  for (const ModelPreset& preset : ModelPresets()) EXPECT_EQ(ValidateSpec(preset.spec), "");
}

TEST(RopeSpecTest, EachInvalidFieldIsNamed) {
  const double nan = std::nan("");
  const BadSpec table[] = {
      {"head_dim zero", Scaling::kNone, [](RopeSpec& s) { s.head_dim = 0; },
       "head_dim: must be in [2, 65536]"},
      {"odd rotary_dim", Scaling::kNone, [](RopeSpec& s) { s.rotary_dim = 63; },
       "rotary_dim: must be even"},
      {"rotary_dim over head_dim", Scaling::kNone, [](RopeSpec& s) { s.rotary_dim = 130; },
       "rotary_dim: must be in [2, head_dim]"},
      {"rotary_dim zero", Scaling::kNone, [](RopeSpec& s) { s.rotary_dim = 0; },
       "rotary_dim: must be in [2, head_dim]"},
      {"base one", Scaling::kNone, [](RopeSpec& s) { s.base = 1; }, "base: must be > 1"},
      {"base nan", Scaling::kNone, [&](RopeSpec& s) { s.base = nan; }, "base: must be finite"},
      {"factor zero", Scaling::kLinear, [](RopeSpec& s) { s.factor = 0; }, "factor: must be > 0"},
      {"factor inf", Scaling::kLinear, [](RopeSpec& s) { s.factor = INFINITY; },
       "factor: must be finite"},
      {"original negative", Scaling::kLinear, [](RopeSpec& s) { s.original_max_positions = -1; },
       "original_max_positions: must be >= 0"},
      {"yarn without original", Scaling::kYarn, [](RopeSpec& s) { s.original_max_positions = 0; },
       "original_max_positions: required by scaling yarn"},
      {"ntk at rotary_dim 2", Scaling::kNtk, [](RopeSpec& s) { s.rotary_dim = 2; },
       "rotary_dim: ntk scaling needs rotary_dim > 2"},
      {"betas swapped", Scaling::kYarn, [](RopeSpec& s) { std::swap(s.beta_fast, s.beta_slow); },
       "beta_fast: must be > beta_slow"},
      {"beta_slow zero", Scaling::kYarn, [](RopeSpec& s) { s.beta_slow = 0; },
       "beta_slow: must be > 0"},
      {"mscale negative", Scaling::kYarn, [](RopeSpec& s) { s.mscale = -1; },
       "mscale: must be >= 0"},
      {"mscale_all_dim negative", Scaling::kYarn, [](RopeSpec& s) { s.mscale_all_dim = -0.5; },
       "mscale_all_dim: must be >= 0"},
      {"attention factor zero", Scaling::kNone, [](RopeSpec& s) { s.attention_factor = 0.0; },
       "attention_factor: must be positive and finite"},
      {"llama3 band inverted", Scaling::kLlama3, [](RopeSpec& s) { s.high_freq_factor = 0.5; },
       "high_freq_factor: must be > low_freq_factor"},
      {"llama3 low zero", Scaling::kLlama3, [](RopeSpec& s) { s.low_freq_factor = 0; },
       "low_freq_factor: must be > 0"},
      {"longrope short missing", Scaling::kLongrope, [](RopeSpec& s) { s.short_factor.clear(); },
       "short_factor: longrope needs rotary_dim/2 = 64 values, got 0"},
      {"longrope long bad value", Scaling::kLongrope, [](RopeSpec& s) { s.long_factor[3] = -1; },
       "long_factor: value 3 must be positive and finite"},
      {"seq_len negative", Scaling::kNone, [](RopeSpec& s) { s.seq_len = -5; },
       "seq_len: must be >= 0 (0 = max position + 1)"},
  };
  for (const BadSpec& row : table) {
    RopeSpec spec = Valid(row.scaling);
    row.spoil(spec);
    EXPECT_EQ(ValidateSpec(spec), row.error) << row.what;
  }
}

TEST(RopeSpecTest, NegativePositionIsNamed) {
  const std::vector<int64_t> positions = {0, 5, -3};
  EXPECT_EQ(ValidatePositions(positions), "positions: position -3 at token 2 is negative");
  EXPECT_EQ(ValidatePositions(std::vector<int64_t>{0, INT64_MAX}), "");
}

TEST(RopeSpecTest, SeqLenDefaultsToMaxPositionPlusOne) {
  RopeSpec spec = Valid(Scaling::kDynamicNtk);
  const std::vector<int64_t> positions = {7, 300, 2};
  EXPECT_EQ(EffectiveSeqLen(spec, positions), 301);
  spec.seq_len = 9000;
  EXPECT_EQ(EffectiveSeqLen(spec, positions), 9000);
  EXPECT_EQ(ResolveSeqLen(Valid(Scaling::kNone), positions).seq_len, 301);
}

TEST(RopeSpecTest, NamesRoundTrip) {
  for (Scaling s : kAllScalings) EXPECT_EQ(ParseScaling(ToString(s)), s);
  for (Pairing p : kAllPairings) EXPECT_EQ(ParsePairing(ToString(p)), p);
  EXPECT_EQ(ParseScaling("rope"), std::nullopt);
}

}  // namespace
}  // namespace ropebench
