// The arithmetic around the measurements: medians, MAD, the probe's interpolation, the cost counts.
#include <gtest/gtest.h>

#include <cmath>

#include "bench/cli/summary.h"
#include "bench/timing/bandwidth_probe.h"
#include "bench/timing/benchmarks.h"
#include "bench/timing/gbench_runner.h"
#include "bench/timing/machine_info.h"
#include "impls/registry.h"

namespace ropebench {
namespace {

TEST(MeasurementTest, MedianAndMedianAbsoluteDeviation) {
  EXPECT_EQ(Median({3, 1, 2}), 2);
  EXPECT_EQ(Median({4, 1, 2, 3}), 2.5);
  EXPECT_EQ(Median({}), 0);
  EXPECT_EQ(MedianAbsoluteDeviation({1, 2, 3, 4, 100}), 1);  // an outlier does not move it
}

TEST(MeasurementTest, ProbeInterpolatesLogLinearlyPerThreadCount) {
  const std::vector<BandwidthRecord> probe = {{"rmw", 1, 1 << 10, {1}, 100e9},
                                              {"rmw", 1, 1 << 20, {1}, 10e9},
                                              {"rmw", 2, 1 << 10, {1}, 150e9},
                                              {"copy", 1, 1 << 10, {1}, 999e9}};
  EXPECT_DOUBLE_EQ(ProbeBandwidthAt(probe, 1 << 10, 1), 100e9);
  EXPECT_DOUBLE_EQ(ProbeBandwidthAt(probe, 1 << 15, 1), 55e9);  // halfway in log(size)
  EXPECT_DOUBLE_EQ(ProbeBandwidthAt(probe, 1 << 5, 1), 100e9);  // clamped below
  EXPECT_DOUBLE_EQ(ProbeBandwidthAt(probe, 1 << 30, 1), 10e9);  // and above
  EXPECT_DOUBLE_EQ(ProbeBandwidthAt(probe, 1 << 20, 2), 150e9);
  EXPECT_EQ(ProbeBandwidthAt(probe, 1 << 20, 4), 0);  // no figure for 4 threads
}

// The probe reports what the machine attains: its fastest repetition (STREAM's convention), so that
// a repetition slowed by a neighbour cannot lower the roofline.
TEST(MeasurementTest, ProbeUsesTheFastestRepetition) {
  ProbePlan plan;
  plan.sizes = {1000};
  plan.threads = {1};
  std::map<std::string, CollectedRuns> runs;
  runs["probe/rmw/bytes:1000/threads:1"].repetition_ns = {40, 20, 80};
  runs["probe/copy/bytes:1000/threads:1"].repetition_ns = {10, 50};
  const std::vector<BandwidthRecord> records = ProbeRecords(plan, runs);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kind, "rmw");
  EXPECT_DOUBLE_EQ(records[0].bytes_per_second, 2 * 1000 / 20e-9);  // read and write
  EXPECT_EQ(records[1].kind, "copy");
  EXPECT_DOUBLE_EQ(records[1].bytes_per_second, 1000 / 10e-9);  // each byte of it moves once
}

// The roofline divides a median by the same-buffers probe's median: a candidate as fast as the
// probe reads 1 however noisy the host (over the probe's fastest repetition it would read 0.5
// here), and the record keeps the probe's raw repetitions so that any other statistic can be
// recomputed.
// One benchmark: scalar on 16 tokens of Llama-2-7B, f32, one thread: 32 + 32 heads of 128, every
// element rotated, read and written, kSixteenTokenBytes per call.
constexpr double kSixteenTokenBytes = 2.0 * 16 * 64 * 128 * 4;
BenchmarkPlan SixteenTokensOfLlama2(const Registry& registry) {
  BenchmarkPlan plan;
  plan.candidates = {registry.Find("scalar")};
  plan.presets = {"llama2-7b"};
  plan.dtypes = {DType::kF32};
  plan.tokens = {16};
  plan.threads = {1};
  return plan;
}

TEST(MeasurementTest, RooflineDividesMedianByTheSameBuffersProbesMedian) {
  const Registry registry = BuiltinRegistry();
  const BenchmarkPlan plan = SixteenTokensOfLlama2(registry);
  const double bytes = kSixteenTokenBytes;
  std::map<std::string, CollectedRuns> runs;
  runs["rmw/llama2-7b/f32/tokens:16/threads:1"].repetition_ns = {1000, 2000, 4000};
  runs["rope/scalar/llama2-7b/f32/tokens:16/threads:1"].repetition_ns = {4000, 2000, 1000};
  std::vector<BenchmarkRecord> records = RopeRecords(plan, runs, {}, BenchmarkVerdicts{});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].probe_source, "same_buffers");
  EXPECT_DOUBLE_EQ(records[0].bytes_per_second, bytes / 2000e-9);
  EXPECT_DOUBLE_EQ(records[0].probe_bytes_per_second, bytes / 2000e-9);
  EXPECT_DOUBLE_EQ(records[0].roofline, 1.0);
  EXPECT_EQ(records[0].probe_repetition_ns, (std::vector<double>{1000, 2000, 4000}));

  runs["rope/scalar/llama2-7b/f32/tokens:16/threads:1"].repetition_ns = {8000, 4000, 4000};
  records = RopeRecords(plan, runs, {}, BenchmarkVerdicts{});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_DOUBLE_EQ(records[0].roofline, 0.5);
}

// --benchmark_filter=rope/ leaves both the sweep and the same-buffer patterns out: the record then
// says there was no probe, never a roofline of 0 (nor a fraction of a made-up limit).
TEST(MeasurementTest, WithoutAnyProbeThereIsNoRoofline) {
  const Registry registry = BuiltinRegistry();
  std::map<std::string, CollectedRuns> runs;
  runs["rope/scalar/llama2-7b/f32/tokens:16/threads:1"].repetition_ns = {4000, 2000, 1000};
  const std::vector<BenchmarkRecord> records =
      RopeRecords(SixteenTokensOfLlama2(registry), runs, {}, BenchmarkVerdicts{});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].probe_source, "none");
  EXPECT_TRUE(std::isnan(records[0].roofline));
  EXPECT_FALSE(records[0].probe_shortfall);
  EXPECT_DOUBLE_EQ(records[0].bytes_per_second, kSixteenTokenBytes / 2000e-9);
}

// The limit is the fastest probe pattern, whichever it is; a benchmark faster than it by more
// than the noise is flagged, one within the noise (or slower) is not.
TEST(MeasurementTest, RooflineDividesByTheFastestPatternAndFlagsAShortfall) {
  const Registry registry = BuiltinRegistry();
  const BenchmarkPlan plan = SixteenTokensOfLlama2(registry);
  std::map<std::string, CollectedRuns> runs;
  runs["rmw/llama2-7b/f32/tokens:16/threads:1"].repetition_ns = {4000, 4000, 4000};
  runs["rmw_prefetch/llama2-7b/f32/tokens:16/threads:1"].repetition_ns = {2000, 2000, 2000};
  runs["rmw_token_walk/llama2-7b/f32/tokens:16/threads:1"].repetition_ns = {3000, 3000, 3000};
  const std::string rope = "rope/scalar/llama2-7b/f32/tokens:16/threads:1";
  runs[rope].repetition_ns = {2040, 2040, 2040};  // 2 % slower than the fastest pattern's 2000
  std::vector<BenchmarkRecord> records = RopeRecords(plan, runs, {}, BenchmarkVerdicts{});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].probe_pattern, "rmw_prefetch");
  EXPECT_DOUBLE_EQ(records[0].probe_bytes_per_second, kSixteenTokenBytes / 2000e-9);
  EXPECT_EQ(records[0].probe_patterns.size(), 3u);
  EXPECT_DOUBLE_EQ(records[0].probe_patterns["rmw"], kSixteenTokenBytes / 4000e-9);
  EXPECT_FALSE(records[0].probe_shortfall);

  runs[rope].repetition_ns = {1900, 1900, 1900};  // 5 % faster, and no noise to explain it
  records = RopeRecords(plan, runs, {}, BenchmarkVerdicts{});
  EXPECT_TRUE(records[0].probe_shortfall);
  runs[rope].repetition_ns = {1550, 1950, 2350};  // 2.6 % faster, within its 20 % noise
  records = RopeRecords(plan, runs, {}, BenchmarkVerdicts{});
  EXPECT_FALSE(records[0].probe_shortfall);
  runs[rope].repetition_ns = {1500, 1600, 2300};  // 25 % faster: over 5 % whatever the noise
  records = RopeRecords(plan, runs, {}, BenchmarkVerdicts{});
  EXPECT_TRUE(records[0].probe_shortfall);
}

TEST(MeasurementTest, ProbeSizesReachTheLargestWorkingSetAndBeyondTheCache) {
  const std::vector<int64_t> sizes = ProbeSizes(int64_t{3} << 30);
  EXPECT_EQ(sizes.front(), 16 << 10);
  EXPECT_GE(sizes.back(), int64_t{3} << 30);
  int64_t last_level = 0;
  for (const CacheLevel& c : CpuCaches()) last_level = std::max(last_level, c.bytes);
  EXPECT_GE(ProbeSizes(1).back(), std::min(int64_t{8} << 30, 2 * last_level));
}

TEST(MeasurementTest, BytesCountTheRotatedElementsOnly) {
  // GPT-NeoX-20B: 64 + 64 heads, head_dim 96, rotary_dim 24.
  EXPECT_EQ(WorkingSetBytes("gptneox-20b", DType::kBF16, 10), 10 * 128 * 96 * 2);
  EXPECT_EQ(BytesPerCall("gptneox-20b", DType::kBF16, 10), 2 * 10 * 128 * 24 * 2);
  // Llama-3.1-8B rotates every element of its 32 + 8 heads.
  EXPECT_EQ(BytesPerCall("llama3.1-8b", DType::kF32, 1),
            2 * WorkingSetBytes("llama3.1-8b", DType::kF32, 1));
}

TEST(MeasurementTest, MachineDescriptionHasTheFingerprintFields) {
  const nlohmann::json machine = DescribeMachine(2);
  for (const char* field : {"vendor", "family", "model", "stepping", "isa_flags", "caches",
                            "highway", "kernel", "memory_bytes", "logical_cpus"}) {
    EXPECT_TRUE(machine.contains(field)) << field;
  }
  EXPECT_EQ(machine["threads_used"], 2);
  EXPECT_FALSE(machine["highway"]["compiled"].empty());
}

TEST(MeasurementTest, FormatsPositionsBytesAndSpeeds) {
  EXPECT_EQ(FormatPosition((int64_t{1} << 24) + 1), "2^24+1");
  EXPECT_EQ(FormatPosition((int64_t{1} << 13) - 1), "2^13-1");
  EXPECT_EQ(FormatPosition(9), "9");
  EXPECT_EQ(FormatPosition(-1), "none");
  EXPECT_EQ(FormatBytes(16 << 10), "16K");
  EXPECT_EQ(FormatBytes(int64_t{4} << 30), "4G");
  EXPECT_EQ(FormatSpeed(44.29e9, 0.8), "44.29 (0.80)");
  EXPECT_EQ(FormatSpeed(44.29e9, std::nan("")), "44.29 (-)");
}

// The probe's times follow short benchmark times down, and stay as they are for the default ones.
TEST(MeasurementTest, ProbeTimesAreNoLongerThanTheBenchmarks) {
  ProbePlan standard;
  FitProbeTimes(standard, BenchmarkPlan{}.min_time);
  EXPECT_DOUBLE_EQ(standard.min_time, ProbePlan{}.min_time);
  EXPECT_DOUBLE_EQ(standard.warm_up, ProbePlan{}.warm_up);
  ProbePlan smoke;
  FitProbeTimes(smoke, 0.001);
  EXPECT_DOUBLE_EQ(smoke.min_time, 0.001);
  EXPECT_DOUBLE_EQ(smoke.warm_up, 0.005);
}

}  // namespace
}  // namespace ropebench
