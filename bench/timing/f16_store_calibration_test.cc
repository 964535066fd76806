#include "bench/timing/f16_store_calibration.h"

#include <gtest/gtest.h>

#include "impls/highway/highway_rope.h"

namespace ropebench {
namespace {

class F16StoreCalibrationTest : public ::testing::Test {
 protected:
  void TearDown() override { HighwayUseConvertingF16Store(false); }
  // Whether the dispatched target has the converting store (an AVX2 machine, or
  // ROPEBENCH_CPU_TARGET=AVX2, has not).
  static bool Available() { return HighwayHasConvertingF16Store(); }
};

TEST_F(F16StoreCalibrationTest, AGivenFormIsTakenWithoutMeasuring) {
  const nlohmann::json chosen = ChooseHighwayF16Store("llama2-7b", true, true);
  EXPECT_FALSE(chosen.contains("calibration"));
  if (!Available()) {
    EXPECT_EQ(chosen["source"], "unavailable");
    EXPECT_EQ(chosen["converting"], false);
    return;
  }
  EXPECT_EQ(chosen["source"], "--f16-store");
  EXPECT_EQ(chosen["converting"], true);
  EXPECT_TRUE(HighwayConvertingF16Store());
  EXPECT_EQ(ChooseHighwayF16Store("llama2-7b", true, false)["converting"], false);
  EXPECT_FALSE(HighwayConvertingF16Store());
}

TEST_F(F16StoreCalibrationTest, NothingIsMeasuredWhenTheRunTimesNoF16) {
  HighwayUseConvertingF16Store(true);
  const nlohmann::json chosen = ChooseHighwayF16Store("llama2-7b", false, std::nullopt);
  EXPECT_EQ(chosen["source"], Available() ? "unused" : "unavailable");
  EXPECT_FALSE(chosen.contains("calibration"));
  EXPECT_FALSE(HighwayConvertingF16Store());  // the register form, as before any run
}

// Whatever this machine's figures, the form kept is the faster of the two measured.
TEST_F(F16StoreCalibrationTest, KeepsTheFasterFormMeasured) {
  if (!Available()) GTEST_SKIP() << "the dispatched target has no converting f16 store";
  const nlohmann::json chosen = ChooseHighwayF16Store("llama3.1-8b", true, std::nullopt);
  ASSERT_EQ(chosen["source"], "calibrated");
  const nlohmann::json& speeds = chosen["calibration"]["bytes_per_second"];
  const double separate = speeds["separate"].get<double>();
  const double converting = speeds["converting"].get<double>();
  EXPECT_GT(separate, 0);
  EXPECT_GT(converting, 0);
  EXPECT_EQ(chosen["converting"].get<bool>(), converting > separate);
  EXPECT_EQ(HighwayConvertingF16Store(), converting > separate);
  EXPECT_GE(chosen["calibration"]["tokens"].get<int64_t>(), 1);
}

}  // namespace
}  // namespace ropebench
