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
  const nlohmann::json chosen = ChooseHighwayStreaming("llama2-7b", int64_t{1} << 30, 0);
  EXPECT_EQ(chosen["source"], "--prefetch-bytes");
  EXPECT_EQ(chosen["prefetch_bytes"], 0);
  EXPECT_FALSE(chosen.contains("calibration"));
  EXPECT_EQ(CurrentHighwayStreaming().prefetch_bytes, 0);
  EXPECT_EQ(CurrentHighwayStreaming().in_cache_bytes, chosen["in_cache_bytes"].get<int64_t>());
}

TEST_F(StreamingCalibrationTest, NothingIsMeasuredWhenNoCallLeavesTheCache) {
  const nlohmann::json chosen = ChooseHighwayStreaming("llama2-7b", 1024, std::nullopt);
  EXPECT_EQ(chosen["source"], "unused");
  EXPECT_FALSE(chosen.contains("calibration"));
}

// Whatever this machine's figures, the distance kept is the fastest of those measured.
TEST_F(StreamingCalibrationTest, KeepsTheFastestDistanceMeasured) {
  const nlohmann::json chosen =
      ChooseHighwayStreaming("llama3.1-8b", int64_t{1} << 30, std::nullopt);
  ASSERT_EQ(chosen["source"], "calibrated");
  const nlohmann::json& speeds = chosen["calibration"]["bytes_per_second"];
  ASSERT_GE(speeds.size(), 2u);
  ASSERT_TRUE(speeds.contains("0"));  // no prefetch is always among the choices
  const std::string kept = std::to_string(chosen["prefetch_bytes"].get<int64_t>());
  ASSERT_TRUE(speeds.contains(kept));
  for (const auto& [distance, speed] : speeds.items()) {
    EXPECT_GT(speed.get<double>(), 0) << distance;
    EXPECT_LE(speed.get<double>(), speeds[kept].get<double>()) << distance;
  }
  EXPECT_EQ(CurrentHighwayStreaming().prefetch_bytes, chosen["prefetch_bytes"].get<int64_t>());
}

}  // namespace
}  // namespace ropebench
