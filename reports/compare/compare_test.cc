#include "reports/compare/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "reports/compare/machines.h"
#include "reports/compare/rank_intervals.h"

namespace ropebench {
namespace {

using Json = nlohmann::json;

// Timings of a noisy machine: a median of `ns` with log-normal noise of `spread`.
std::vector<double> Timings(double ns, int n, double spread, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, spread);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(ns * std::exp(noise(rng)));
  return out;
}

Json Report(const std::map<std::string, std::vector<double>>& benchmarks) {
  Json list = Json::array();
  for (const auto& [name, samples] : benchmarks) {
    list.push_back({{"name", name}, {"status", "ok"}, {"repetition_ns", samples}});
  }
  return {{"machine", {{"arch", "x86_64"}, {"family", 6}, {"model", 143}, {"isa_flags", {"avx2"}}}},
          {"tool", {{"compiler", "gcc 12.2.0"}, {"flags", "-O3"}}},
          {"validation", {{"cases", Json::array()}}},
          {"extrapolation", Json::array()},
          {"benchmarks", list}};
}

TEST(RankIntervalsTest, NormalQuantile) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959964, 1e-6);
  EXPECT_NEAR(NormalQuantile(0.5), 0, 1e-12);
  EXPECT_NEAR(NormalQuantile(1 - 0.05 / 80), 3.227218, 1e-6);  // Python statistics.NormalDist
}

// The interval covers the true ratio at about its level: 1000 unpaired experiments at 95 %.
TEST(RankIntervalsTest, UnpairedIntervalCoversTheTruthAtItsLevel) {
  int covered = 0;
  for (uint32_t seed = 0; seed < 1000; ++seed) {
    const auto base = Timings(100, 10, 0.1, seed);
    const auto head = Timings(110, 10, 0.1, seed + 7777);
    const ShiftInterval s = UnpairedShift(base, head, 0.05);
    covered += s.low <= std::log(1.1) && std::log(1.1) <= s.high;
  }
  EXPECT_GE(covered, 930);
  EXPECT_LE(covered, 985);
}

TEST(CompareTest, TenPercentSlowdownIsARegressionOfThatBenchmarkOnly) {
  const Json base = Report({{"a", Timings(1000, 20, 0.02, 1)}, {"b", Timings(500, 20, 0.02, 2)}});
  const Json head = Report({{"a", Timings(1100, 20, 0.02, 3)}, {"b", Timings(500, 20, 0.02, 4)}});
  Comparison c;
  ASSERT_EQ(CompareReports(base, head, {}, c), "");
  ASSERT_EQ(c.benchmarks.size(), 2u);
  EXPECT_EQ(c.benchmarks[0].verdict, Verdict::kRegression);
  EXPECT_NEAR(c.benchmarks[0].ratio, 1.1, 0.02);
  EXPECT_EQ(c.benchmarks[1].verdict, Verdict::kPass);
  EXPECT_TRUE(c.Regressed());
}

// Three repetitions a side (bench's default), every head 20 % slower: the interval is the data's
// range, short of 95 %, so no verdict is claimed from it; with the samples it asks for, one is.
TEST(CompareTest, TooFewRepetitionsForTheLevelAreInconclusiveNotRegressions) {
  for (const bool paired : {false, true}) {
    CompareOptions options;
    options.paired = paired;
    Comparison c;
    ASSERT_EQ(CompareReports(Report({{"a", Timings(1000, 3, 0.01, 1)}}),
                             Report({{"a", Timings(1200, 3, 0.01, 2)}}), options, c),
              "");
    EXPECT_EQ(c.benchmarks[0].verdict, Verdict::kInconclusive) << "paired " << paired;
    EXPECT_TRUE(c.benchmarks[0].at_data_limit);
    const int needed = c.benchmarks[0].samples_needed;
    EXPECT_GT(needed, 3);
    ASSERT_EQ(CompareReports(Report({{"a", Timings(1000, needed, 0.01, 1)}}),
                             Report({{"a", Timings(1200, needed, 0.01, 2)}}), options, c),
              "");
    EXPECT_FALSE(c.benchmarks[0].at_data_limit) << "paired " << paired;
    EXPECT_EQ(c.benchmarks[0].verdict, Verdict::kRegression) << "paired " << paired;
    ASSERT_EQ(CompareReports(Report({{"a", Timings(1000, needed - 1, 0.01, 1)}}),
                             Report({{"a", Timings(1200, needed - 1, 0.01, 2)}}), options, c),
              "");
    EXPECT_TRUE(c.benchmarks[0].at_data_limit) << "paired " << paired;
  }
}

TEST(CompareTest, NoisySamplesAreInconclusiveNotRegressions) {
  const Json base = Report({{"a", Timings(1000, 5, 0.3, 1)}});
  const Json head = Report({{"a", Timings(1100, 5, 0.3, 2)}});
  Comparison c;
  ASSERT_EQ(CompareReports(base, head, {}, c), "");
  EXPECT_EQ(c.benchmarks[0].verdict, Verdict::kInconclusive);
  EXPECT_GT(c.benchmarks[0].detectable, 0.1);
  EXPECT_FALSE(c.Regressed());
}

TEST(CompareTest, ThresholdOverridesMostSpecificWins) {
  const Json base = Report({{"rope/scalar/x", Timings(1000, 20, 0.01, 1)}});
  const Json head = Report({{"rope/scalar/x", Timings(1100, 20, 0.01, 2)}});
  CompareOptions options;
  ASSERT_EQ(ReadThresholds({{"benchmarks", {{"rope/*", 0.01}, {"rope/scalar/*", 0.2}}}}, options),
            "");
  Comparison c;
  ASSERT_EQ(CompareReports(base, head, options, c), "");
  EXPECT_EQ(c.benchmarks[0].threshold, 0.2);
  EXPECT_EQ(c.benchmarks[0].verdict, Verdict::kPass);
  EXPECT_EQ(ReadThresholds({{"defualt", 0.1}}, options),
            "unknown key 'defualt' (default, benchmarks)");
}

// An accuracy regression fails the comparison even when every timing improved.
TEST(CompareTest, AccuracyRegressionFailsWhateverTheTimings) {
  Json base = Report({{"a", Timings(1000, 20, 0.01, 1)}});
  Json head = Report({{"a", Timings(500, 20, 0.01, 2)}});
  base["validation"]["cases"] = {
      {{"candidate", "highway"}, {"name", "preset/x"}, {"status", "pass"}}};
  head["validation"]["cases"] = {{{"candidate", "highway"},
                                  {"name", "preset/x"},
                                  {"status", "fail"},
                                  {"diagnosis", {{"code", "pairing_swapped"}, {"detail", "d"}}}}};
  Comparison c;
  ASSERT_EQ(CompareReports(base, head, {}, c), "");
  EXPECT_EQ(c.benchmarks[0].verdict, Verdict::kImproved);
  ASSERT_EQ(c.accuracy_regressions.size(), 1u);
  EXPECT_NE(c.accuracy_regressions[0].find("passed in BASE, fail in HEAD [pairing_swapped]"),
            std::string::npos);
  EXPECT_TRUE(c.Regressed());

  head["validation"]["cases"] = base["validation"]["cases"];
  base["extrapolation"] = {{{"candidate", "highway"},
                            {"preset", "llama2-7b"},
                            {"dtype", "f32"},
                            {"status", "pass"},
                            {"accurate_up_to", 1 << 30}}};
  head["extrapolation"] = {{{"candidate", "highway"},
                            {"preset", "llama2-7b"},
                            {"dtype", "f32"},
                            {"status", "pass"},
                            {"accurate_up_to", 1 << 25}}};
  ASSERT_EQ(CompareReports(base, head, {}, c), "");
  ASSERT_EQ(c.accuracy_regressions.size(), 1u);
  EXPECT_NE(c.accuracy_regressions[0].find("accurate up to 1073741824 in BASE, 33554432 in HEAD"),
            std::string::npos);
}

// The right convention with too little precision still no longer passes: a regression.
TEST(CompareTest, PassToPrecisionIsAnAccuracyRegression) {
  Json base = Report({{"a", Timings(1000, 20, 0.01, 1)}});
  Json head = Report({{"a", Timings(1000, 20, 0.01, 2)}});
  base["validation"]["cases"] = {
      {{"candidate", "plugin"}, {"name", "preset/x"}, {"status", "pass"}}};
  head["validation"]["cases"] = {
      {{"candidate", "plugin"},
       {"name", "preset/x"},
       {"status", "precision"},
       {"diagnosis", {{"code", "low_precision_angle"}, {"detail", "float32 angles"}}}}};
  Comparison c;
  ASSERT_EQ(CompareReports(base, head, {}, c), "");
  ASSERT_EQ(c.accuracy_regressions.size(), 1u);
  EXPECT_NE(c.accuracy_regressions[0].find("passed in BASE, precision in HEAD [low_precision"),
            std::string::npos);

  head["validation"]["cases"] = base["validation"]["cases"];
  head["benchmarks"][0]["verdict"] = "precision";
  head["benchmarks"][0]["verdict_detail"] = "float32 angles";
  ASSERT_EQ(CompareReports(base, head, {}, c), "");
  ASSERT_EQ(c.accuracy_regressions.size(), 1u);
  EXPECT_NE(c.accuracy_regressions[0].find("benchmark a: passed in BASE, precision in HEAD"),
            std::string::npos);
  EXPECT_TRUE(c.Regressed());

  head["benchmarks"][0]["verdict"] = "pass";
  ASSERT_EQ(CompareReports(base, head, {}, c), "");
  EXPECT_TRUE(c.accuracy_regressions.empty());
}

TEST(CompareTest, DifferentMachinesAreRefusedNamingTheFields) {
  const Json base = Report({{"a", Timings(1000, 5, 0.01, 1)}});
  Json head = base;
  head["machine"]["model"] = 85;
  head["tool"]["compiler"] = "clang 16";
  head["machine"]["host"] = "another";  // never part of the fingerprint
  Comparison c;
  EXPECT_EQ(CompareReports(base, head, {}, c),
            "the reports come from different machines or builds (machine.model, tool.compiler "
            "differ); compare them with --cross-machine");
  CompareOptions options;
  options.cross_machine = true;
  ASSERT_EQ(CompareReports(base, head, options, c), "");
  EXPECT_EQ(c.fingerprint_differences.size(), 2u);
}

TEST(CompareTest, BenchmarksOnOneSideAreListed) {
  const Json base = Report({{"a", Timings(1000, 5, 0.01, 1)}, {"gone", Timings(1, 5, 0.01, 1)}});
  const Json head = Report({{"a", Timings(1000, 5, 0.01, 2)}, {"new", Timings(1, 5, 0.01, 1)}});
  Comparison c;
  ASSERT_EQ(CompareReports(base, head, {}, c), "");
  EXPECT_EQ(c.only_in_base, std::vector<std::string>{"gone"});
  EXPECT_EQ(c.only_in_head, std::vector<std::string>{"new"});
}

// Paired samples cancel a drift both sides share: a steady 10 % slowdown under a drift of +-30 %.
TEST(CompareTest, PairedSamplesSeeThroughSharedDrift) {
  std::vector<double> base, head;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> drift(0.7, 1.3);
  std::normal_distribution<double> noise(0, 0.01);
  for (int i = 0; i < 12; ++i) {
    const double d = drift(rng);
    base.push_back(1000 * d * std::exp(noise(rng)));
    head.push_back(1100 * d * std::exp(noise(rng)));
  }
  CompareOptions options;
  Comparison unpaired, paired;
  ASSERT_EQ(CompareReports(Report({{"a", base}}), Report({{"a", head}}), options, unpaired), "");
  options.paired = true;
  ASSERT_EQ(CompareReports(Report({{"a", base}}), Report({{"a", head}}), options, paired), "");
  EXPECT_EQ(unpaired.benchmarks[0].verdict, Verdict::kInconclusive);
  EXPECT_EQ(paired.benchmarks[0].verdict, Verdict::kRegression);
}

}  // namespace
}  // namespace ropebench

namespace ropebench {
namespace {

Json MachineReport(double speed, uint32_t seed, int repetitions = 10) {
  Json list = Json::array();
  for (const char* candidate : {"highway", "scalar"}) {
    for (int tokens : {128, 4096}) {
      const double ns = tokens * 100.0 / speed;
      list.push_back({{"name", std::string("rope/") + candidate + "/" + std::to_string(tokens)},
                      {"status", "ok"},
                      {"candidate", candidate},
                      {"preset", "llama2-7b"},
                      {"dtype", "f32"},
                      {"tokens", tokens},
                      {"threads", 1},
                      {"bytes_per_second", 1e9 * speed},
                      {"roofline", 0.5},
                      {"repetition_ns", Timings(ns, repetitions, 0.02, seed++)}});
    }
  }
  Json report = Report({});
  report["benchmarks"] = list;
  return report;
}

TEST(MachinesTest, TwiceAsFastIsAGeometricMeanOfTwoWithEveryBenchmarkWon) {
  MachinesComparison c;
  ASSERT_EQ(CompareMachines({MachineReport(1, 1), MachineReport(2, 100)}, {"a.json", "b.json"}, c),
            "");
  ASSERT_EQ(c.tables.size(), 1u);
  const MachineTable& t = c.tables[0];
  EXPECT_EQ(t.rows.size(), 4u);
  EXPECT_NEAR(t.geomean[1], 2.0, 1e-9);
  EXPECT_LE(t.low[1], 2.0);
  EXPECT_GE(t.high[1], 2.0);
  EXPECT_EQ(t.wins[1], 4);
  EXPECT_EQ(t.losses[1], 0);
  EXPECT_EQ(c.fingerprints.size(), 2u);
  EXPECT_EQ(CompareMachines({MachineReport(1, 1)}, {"a.json"}, c),
            "--machines needs at least two reports");
}

// Three repetitions a side cannot give a 95 % interval: twice as fast, yet no win is claimed.
TEST(MachinesTest, TooFewRepetitionsClaimNoWin) {
  MachinesComparison c;
  ASSERT_EQ(CompareMachines({MachineReport(1, 1, 3), MachineReport(2, 100, 3)}, {"a", "b"}, c), "");
  EXPECT_NEAR(c.tables[0].geomean[1], 2.0, 1e-9);
  EXPECT_EQ(c.tables[0].wins[1], 0);
  EXPECT_EQ(c.tables[0].losses[1], 0);
}

}  // namespace
}  // namespace ropebench
