// Inverse frequencies against independently computed golden values and against closed forms at the
// boundaries where real defects hide (BUG_CLASSES.md 8, 10, 11, 13, 14).
#include "reference/frequencies.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>

#include "reference/presets.h"

namespace ropebench {
namespace {

constexpr double kUlpsAllowed = 4;

double UlpsApart(double value, double expected) {
  return std::fabs(value - expected) /
         (std::numeric_limits<double>::epsilon() * std::max(std::fabs(expected), 1e-300));
}

RopeSpec SpecFromGolden(const nlohmann::json& j) {
  RopeSpec spec;
  spec.rotary_dim = j.at("rotary_dim");
  spec.head_dim = j.value("head_dim", spec.rotary_dim);
  spec.pairing = *ParsePairing(j.at("pairing").get<std::string>());
  spec.scaling = *ParseScaling(j.at("scaling").get<std::string>());
  spec.base = j.at("base");
  spec.factor = j.at("factor");
  spec.original_max_positions = j.at("original_max_positions");
  spec.beta_fast = j.at("beta_fast");
  spec.beta_slow = j.at("beta_slow");
  spec.truncate = j.at("truncate");
  spec.mscale = j.at("mscale");
  spec.mscale_all_dim = j.at("mscale_all_dim");
  if (j.at("attention_factor").get<double>() != 0) spec.attention_factor = j.at("attention_factor");
  spec.low_freq_factor = j.at("low_freq_factor");
  spec.high_freq_factor = j.at("high_freq_factor");
  spec.seq_len = j.at("seq_len");
  if (j.contains("short_factor"))
    spec.short_factor = j.at("short_factor").get<std::vector<double>>();
  if (j.contains("long_factor")) spec.long_factor = j.at("long_factor").get<std::vector<double>>();
  return spec;
}

TEST(FrequenciesTest, MatchesGoldenValuesToAFewUlps) {
  std::ifstream file(std::string(ROPEBENCH_GOLDEN_DIR) + "/frequencies.json");
  ASSERT_TRUE(file) << "missing golden file";
  const nlohmann::json golden = nlohmann::json::parse(file);
  ASSERT_GE(golden.at("cases").size(), 15u);
  for (const nlohmann::json& c : golden.at("cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const RopeSpec spec = SpecFromGolden(c.at("spec"));
    ASSERT_EQ(ValidateSpec(spec), "");
    const std::vector<double> theta = InverseFrequencies(spec);
    const auto& expected = c.at("inv_freq");
    ASSERT_EQ(theta.size(), expected.size());
    double worst = 0;
    for (size_t i = 0; i < theta.size(); ++i) {
      const double ulps = UlpsApart(theta[i], std::stod(expected[i].get<std::string>()));
      worst = std::max(worst, ulps);
      EXPECT_LE(ulps, kUlpsAllowed) << "pair " << i;
    }
    const double attention_ulps =
        UlpsApart(AttentionFactor(spec), std::stod(c.at("attention_factor").get<std::string>()));
    std::printf("  %-36s worst theta %.2f ulp, attention %.2f ulp\n",
                c.at("name").get<std::string>().c_str(), worst, attention_ulps);
    EXPECT_LE(attention_ulps, kUlpsAllowed);
  }
}

RopeSpec Default(int rotary_dim, double base) {
  RopeSpec spec;
  spec.head_dim = spec.rotary_dim = rotary_dim;
  spec.base = base;
  return spec;
}

TEST(FrequenciesTest, DefaultIsBaseToTheMinusTwoIOverD) {
  const std::vector<double> theta = InverseFrequencies(Default(128, 1e4));
  EXPECT_EQ(theta[0], 1.0);
  EXPECT_LE(UlpsApart(theta[32], 0.01), 1);  // 1e4^(-64/128)
  // BUG_CLASSES 8: the (2i-1)/d exponent would give a different second pair.
  EXPECT_LE(UlpsApart(theta[1], std::pow(1e4, -2.0 / 128)), 2);
}

TEST(FrequenciesTest, LinearDividesEveryPairByFactor) {
  RopeSpec spec = Default(64, 1e4);
  const std::vector<double> plain = InverseFrequencies(spec);
  spec.scaling = Scaling::kLinear;
  spec.factor = 4;
  const std::vector<double> scaled = InverseFrequencies(spec);
  for (size_t i = 0; i < plain.size(); ++i) EXPECT_LE(UlpsApart(scaled[i], plain[i] / 4), 1);
}

TEST(FrequenciesTest, NtkIsDefaultWithTheAlphaScaledBase) {
  RopeSpec spec = Default(128, 1e4);
  spec.scaling = Scaling::kNtk;
  spec.factor = 8;
  const std::vector<double> theta = InverseFrequencies(spec);
  const std::vector<double> closed =
      InverseFrequencies(Default(128, 1e4 * std::pow(8.0, 128.0 / 126)));
  for (size_t i = 0; i < theta.size(); ++i) EXPECT_LE(UlpsApart(theta[i], closed[i]), 8) << i;
}

TEST(FrequenciesTest, DynamicNtkEqualsDefaultUpToTheOriginalLength) {
  RopeSpec spec = Default(128, 1e4);
  spec.scaling = Scaling::kDynamicNtk;
  spec.factor = 2;
  spec.original_max_positions = 4096;
  const std::vector<double> plain = InverseFrequencies(Default(128, 1e4));
  for (int64_t seq_len : {1, 100, 4095, 4096}) {
    spec.seq_len = seq_len;
    EXPECT_EQ(InverseFrequencies(spec), plain) << "seq_len " << seq_len;
  }
  spec.seq_len = 4097;  // one past: the base grows
  EXPECT_LT(InverseFrequencies(spec)[1], plain[1]);
  spec.seq_len = 8192;  // factor*L/orig - (factor-1) = 3
  const std::vector<double> closed =
      InverseFrequencies(Default(128, 1e4 * std::pow(3.0, 128.0 / 126)));
  const std::vector<double> theta = InverseFrequencies(spec);
  for (size_t i = 0; i < theta.size(); ++i) EXPECT_LE(UlpsApart(theta[i], closed[i]), 8) << i;
}

RopeSpec Yarn(double factor, int64_t original, bool truncate) {
  RopeSpec spec = Default(128, 1e4);
  spec.scaling = Scaling::kYarn;
  spec.factor = factor;
  spec.original_max_positions = original;
  spec.truncate = truncate;
  return spec;
}

TEST(FrequenciesTest, YarnRampEndsAreExtrapolationAndInterpolation) {
  for (bool truncate : {true, false}) {
    for (double factor : {4.0, 16.0, 40.0}) {
      for (int64_t original : {2048, 4096, 131072}) {
        const RopeSpec spec = Yarn(factor, original, truncate);
        SCOPED_TRACE(testing::Message() << "factor " << factor << " original " << original
                                        << " truncate " << truncate);
        // corr(r) = d ln(L/(2 pi r)) / (2 ln base), by hand.
        auto corr = [&](double r) {
          return 128 * std::log(original / (2 * std::numbers::pi * r)) / (2 * std::log(1e4));
        };
        double low = truncate ? std::floor(corr(32)) : corr(32);
        double high = truncate ? std::ceil(corr(1)) : corr(1);
        low = std::max(low, 0.0);
        high = std::min(high, 127.0);
        const YarnRange range = YarnCorrectionRange(spec);
        EXPECT_NEAR(range.low, low, 1e-12);
        EXPECT_NEAR(range.high, high, 1e-12);
        const std::vector<double> plain = InverseFrequencies(Default(128, 1e4));
        const std::vector<double> theta = InverseFrequencies(spec);
        for (int i = 0; i < 64; ++i) {
          if (i <= low) {
            EXPECT_EQ(theta[i], plain[i]) << "pair " << i << " keeps its frequency";
          } else if (i >= high) {
            EXPECT_LE(UlpsApart(theta[i], plain[i] / factor), 2) << "pair " << i;
          } else {
            const double ramp = (i - low) / (high - low);
            // This closed form rounds low, high and the ramp in double: 1e-13 is its own accuracy.
            EXPECT_NEAR(theta[i], ramp * plain[i] / factor + (1 - ramp) * plain[i],
                        1e-13 * plain[i]);
          }
        }
      }
    }
  }
}

TEST(FrequenciesTest, YarnAttentionFactorForms) {
  RopeSpec spec = Yarn(40, 4096, true);
  EXPECT_NEAR(AttentionFactor(spec), 0.1 * std::log(40.0) + 1, 1e-15);
  spec.mscale = spec.mscale_all_dim = 0.707;  // DeepSeek-V2-Lite: the two cancel
  EXPECT_EQ(AttentionFactor(spec), 1.0);
  spec.mscale = 1.0;  // DeepSeek-V3
  EXPECT_NEAR(AttentionFactor(spec), (0.1 * std::log(40.0) + 1) / (0.0707 * std::log(40.0) + 1),
              1e-15);
  spec.attention_factor = 1.25;  // an explicit factor wins
  EXPECT_EQ(AttentionFactor(spec), 1.25);
  spec = Yarn(1, 4096, true);
  EXPECT_EQ(AttentionFactor(spec), 1.0);
}

RopeSpec Llama3(double base, double factor) {
  RopeSpec spec = Default(128, base);
  spec.scaling = Scaling::kLlama3;
  spec.factor = factor;
  spec.original_max_positions = 8192;
  spec.low_freq_factor = 1;
  spec.high_freq_factor = 4;
  return spec;
}

TEST(FrequenciesTest, Llama3BandsFollowTheWavelength) {
  const RopeSpec spec = Llama3(5e5, 8);
  const std::vector<double> plain = InverseFrequencies(Default(128, 5e5));
  const std::vector<double> theta = InverseFrequencies(spec);
  int low_band = 0, high_band = 0, smoothed = 0;
  for (size_t i = 0; i < theta.size(); ++i) {
    const double wavelen = 2 * std::numbers::pi / plain[i];
    if (wavelen > 8192) {
      ++low_band;
      EXPECT_LE(UlpsApart(theta[i], plain[i] / 8), 2) << i;
    } else if (wavelen < 2048) {
      ++high_band;
      EXPECT_EQ(theta[i], plain[i]) << i;
    } else {
      ++smoothed;
      const double s = (8192 / wavelen - 1) / 3;
      EXPECT_LE(UlpsApart(theta[i], (1 - s) * plain[i] / 8 + s * plain[i]), 8) << i;
    }
  }
  EXPECT_GT(low_band, 0);
  EXPECT_GT(high_band, 0);
  EXPECT_GT(smoothed, 0);
}

TEST(FrequenciesTest, Llama3IsContinuousAtBothBandEdges) {
  // Place pair 1's wavelength just inside and just outside each edge (wavelen = 2 pi base^(2/d)).
  for (double edge : {8192.0, 2048.0}) {
    const double base_at_edge = std::pow(edge / (2 * std::numbers::pi), 64.0);
    const double below = InverseFrequencies(Llama3(base_at_edge * (1 - 1e-12), 8))[1];
    const double above = InverseFrequencies(Llama3(base_at_edge * (1 + 1e-12), 8))[1];
    EXPECT_NEAR(below / above, 1.0, 1e-9) << "edge " << edge;
  }
}

TEST(FrequenciesTest, LongropeSwitchesFactorsOnlyPastTheOriginalLength) {
  const RopeSpec phi = FindPreset("phi3.5-mini")->spec;
  const std::vector<double> plain = InverseFrequencies(Default(96, 1e4));
  for (int64_t seq_len : {int64_t{4095}, int64_t{4096}, int64_t{4097}}) {
    RopeSpec spec = phi;
    spec.seq_len = seq_len;
    const std::vector<double>& ext = seq_len > 4096 ? phi.long_factor : phi.short_factor;
    const std::vector<double> theta = InverseFrequencies(spec);
    for (size_t i = 0; i < theta.size(); ++i) {
      EXPECT_LE(UlpsApart(theta[i], plain[i] / ext[i]), 2)
          << "seq_len " << seq_len << " pair " << i;
    }
  }
  EXPECT_NEAR(AttentionFactor(phi), 1.1902380714238083, 1e-15);
}

}  // namespace
}  // namespace ropebench
