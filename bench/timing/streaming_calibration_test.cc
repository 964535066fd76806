#include "bench/timing/streaming_calibration.h"

#include <gtest/gtest.h>

#include <string>

#include "impls/highway/highway_streaming.h"

namespace ropebench {
namespace {

class StreamingCalibrationTest : public ::testing::Test {
 protected:
  void TearDown() override { SetHighwayStreaming(HighwayStreaming{}); }
};

TEST_F(StreamingCalibrationTest, AGivenDistanceIsTakenWithoutMeasuring) {
  const nlohmann::json chosen =
      ChooseHighwayStreaming("llama2-7b", {DType::kF32, DType::kBF16}, int64_t{1} << 30, 0);
  EXPECT_EQ(chosen["source"], "--prefetch-bytes");
  EXPECT_EQ(chosen["prefetch_bytes"], 0);
  EXPECT_FALSE(chosen.contains("calibration"));
  for (DType dtype : kAllDTypes) EXPECT_EQ(CurrentHighwayStreaming().PrefetchBytes(dtype), 0);
  EXPECT_EQ(CurrentHighwayStreaming().in_cache_bytes, chosen["in_cache_bytes"].get<int64_t>());
}

TEST_F(StreamingCalibrationTest, NothingIsMeasuredWhenNoCallLeavesTheCache) {
  const nlohmann::json chosen =
      ChooseHighwayStreaming("llama2-7b", {DType::kF32}, 1024, std::nullopt);
  EXPECT_EQ(chosen["source"], "unused");
  EXPECT_FALSE(chosen.contains("calibration"));
}

// Whatever this machine's figures, each dtype's distance kept is the fastest of those measured
// for it, and the kernel takes it for that dtype.
TEST_F(StreamingCalibrationTest, KeepsEachDTypesFastestDistanceMeasured) {
  const nlohmann::json chosen = ChooseHighwayStreaming("llama3.1-8b", {DType::kF32, DType::kBF16},
                                                       int64_t{1} << 30, std::nullopt);
  ASSERT_EQ(chosen["source"], "calibrated");
  ASSERT_EQ(chosen["by_dtype"].size(), 2u);
  for (DType dtype : {DType::kF32, DType::kBF16}) {
    const nlohmann::json& measured = chosen["by_dtype"][std::string(ToString(dtype))];
    const nlohmann::json& speeds = measured["bytes_per_second"];
    ASSERT_GE(speeds.size(), 2u);
    ASSERT_TRUE(speeds.contains("0"));  // no prefetch is always among the choices
    const int64_t kept = measured["prefetch_bytes"].get<int64_t>();
    ASSERT_TRUE(speeds.contains(std::to_string(kept)));
    for (const auto& [distance, speed] : speeds.items()) {
      EXPECT_GT(speed.get<double>(), 0) << distance;
      EXPECT_LE(speed.get<double>(), speeds[std::to_string(kept)].get<double>()) << distance;
    }
    EXPECT_EQ(CurrentHighwayStreaming().PrefetchBytes(dtype), kept) << ToString(dtype);
  }
  // The record's own distance and calibration are the first dtype's, as before by_dtype.
  EXPECT_EQ(chosen["prefetch_bytes"], chosen["by_dtype"]["f32"]["prefetch_bytes"]);
  EXPECT_EQ(chosen["calibration"]["bytes_per_second"],
            chosen["by_dtype"]["f32"]["bytes_per_second"]);
}

}  // namespace
}  // namespace ropebench
