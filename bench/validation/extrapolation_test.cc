#include "bench/validation/extrapolation.h"

#include <gtest/gtest.h>

#include "bench/validation/testing/real_emulations.h"
#include "impls/registry.h"

namespace ropebench {
namespace {

void Print(const ExtrapolationRecord& r) {
  std::printf("  %-16s %-5s accurate up to %lld%s\n", r.candidate.c_str(), r.dtype.c_str(),
              static_cast<long long>(r.accurate_up_to),
              r.accurate_everywhere ? " (every bucket)" : "");
}

TEST(ExtrapolationTest, PositionsAreEveryPowerOfTwoAndNeighbours) {
  const std::vector<int64_t> positions = ExtrapolationPositions(24);
  EXPECT_EQ(positions.size(), 75u);
  EXPECT_EQ(positions.back(), (int64_t{1} << 24) + 1);
  EXPECT_EQ(positions[positions.size() - 3], (int64_t{1} << 24) - 1);
}

TEST(ExtrapolationTest, ScalarIsAccurateBeyondTwoToTheTwentyFourInEveryDType) {
  Registry registry = BuiltinRegistry();
  for (DType dtype : kAllDTypes) {
    const ExtrapolationRecord r = RunExtrapolation(*registry.Find("scalar"), dtype, {});
    Print(r);
    EXPECT_EQ(r.status, CaseStatus::kPass);
    EXPECT_GE(r.accurate_up_to, (int64_t{1} << 24) + 1);
  }
}

TEST(ExtrapolationTest, Fp32AngleFallsFarShortAndIsDiagnosed) {
  Registry registry = BuiltinRegistry();
  const ExtrapolationRecord scalar = RunExtrapolation(*registry.Find("scalar"), DType::kF32, {});
  for (DType dtype : kAllDTypes) {
    const ExtrapolationRecord r = RunExtrapolation(*registry.Find("fp32_angle"), dtype, {});
    Print(r);
    EXPECT_EQ(r.status, CaseStatus::kPrecision);
    EXPECT_LT(r.accurate_up_to * 64, scalar.accurate_up_to);
    ASSERT_TRUE(r.diagnosis.has_value());
    EXPECT_EQ(r.diagnosis->code, DiagnosisCode::kLowPrecisionAngle);
  }
}

TEST(ExtrapolationTest, GgmlRecurrenceDriftsToo) {
  Registry registry = BuiltinRegistry();
  const ExtrapolationRecord r =
      RunExtrapolation(*registry.Find("ggml_recurrence"), DType::kBF16, {});
  Print(r);
  EXPECT_EQ(r.status, CaseStatus::kPrecision);
  EXPECT_EQ(r.diagnosis->code, DiagnosisCode::kLowPrecisionAngle);
}

// A candidate that accepts only int32 positions (declining the rest) is judged on those it
// accepts: accurate up to 2^31 - 1, and the sweep says where it stops accepting. One that declines
// every position is skipped as a whole.
TEST(ExtrapolationTest, ACandidateThatDeclinesSomePositionsIsJudgedOnTheRest) {
  ExtrapolationOptions options;
  options.max_exponent = 32;
  for (const testing::EmulationSpec& e : testing::AllEmulations()) {
    if (e.name != "int32_positions" && e.name != "ggml_cpu") continue;
    const auto candidate = e.make();
    const ExtrapolationRecord r = RunExtrapolation(*candidate, DType::kF32, options);
    Print(r);
    EXPECT_EQ(r.declines_from, int64_t{1} << 31) << e.name;
    ASSERT_EQ(r.buckets.size(), 33u);
    EXPECT_FALSE(r.buckets[31].declined) << "2^31 - 1 is an int32";
    EXPECT_TRUE(r.buckets[32].declined);
    if (e.name == "int32_positions") {
      EXPECT_EQ(r.status, CaseStatus::kPass);
      EXPECT_EQ(r.accurate_up_to, (int64_t{1} << 31) - 1);
      EXPECT_TRUE(r.accurate_everywhere);
    } else {  // a float32 recurrence: precision-limited long before
      EXPECT_GT(r.accurate_up_to, 0);
      EXPECT_LT(r.accurate_up_to, int64_t{1} << 24);
      ASSERT_TRUE(r.diagnosis.has_value());
      EXPECT_EQ(r.diagnosis->code, DiagnosisCode::kLowPrecisionAngle) << r.diagnosis->detail;
      EXPECT_EQ(r.status, CaseStatus::kPrecision);
    }
  }
}

}  // namespace
}  // namespace ropebench
