#include "bench/validation/case_runner.h"

#include <gtest/gtest.h>

#include <map>

#include "bench/validation/suites.h"
#include "bench/validation/testing/case_stride.h"
#include "impls/registry.h"

namespace ropebench {
namespace {

// Runs every `stride`th case of the suite (SuiteFilter::stride: every group and shape), prints the
// worst error per group x dtype, then asserts that every case passed.
void ExpectAllPass(Candidate& candidate, size_t stride) {
  const std::vector<ValidationCase> cases = ConformanceSuite({.stride = stride * kTestCaseStride});
  std::map<std::string, double> worst;
  size_t run = 0;
  for (size_t n = 0; n < cases.size(); ++n, ++run) {
    const CaseRecord record = RunCase(candidate, cases[n]);
    EXPECT_EQ(record.status, CaseStatus::kPass)
        << cases[n].name << ": "
        << (record.diagnosis ? record.diagnosis->detail : record.skip_reason);
    if (record.metrics) {
      double& w = worst[cases[n].group + "/" + record.dtype];
      w = std::max(w, record.metrics->max_pair_error);
    }
  }
  std::printf("  %s: %zu cases\n", std::string(candidate.name()).c_str(), run);
  for (const auto& [key, error] : worst)
    std::printf("    %-16s worst pair error %.3fu\n", key.c_str(), error);
}

TEST(CaseRunnerTest, ScalarPassesEveryConformanceCase) {
  Registry registry = BuiltinRegistry();
  ExpectAllPass(*registry.Find("scalar"), 1);
}

// openmp at every CPU (the tests' default OpenMP team) on a quarter of the suite: its threads split
// tokens and heads the same way for every spec, and OpenMpTest holds it bitwise equal to scalar
// over decode, token-split and head-split shapes at 1, 2, 3 and 8 threads. The Highway candidates
// have their own per-target tests (highway_targets_test.cc).
TEST(CaseRunnerTest, OpenMpPassesAQuarterOfTheConformanceCases) {
  Registry registry = BuiltinRegistry();
  ExpectAllPass(*registry.Find("openmp"), 4);
}

TEST(CaseRunnerTest, MatrixPassesASpreadOfConformanceCases) {
  // The O(rotary_dim^2) matrix form over all ~3600 cases takes minutes; `ropebench validate
  // --candidate matrix` runs them all.
  Registry registry = BuiltinRegistry();
  ExpectAllPass(*registry.Find("matrix"), 7);
}

TEST(CaseRunnerTest, UnsupportedCasesAreSkippedNeverPassed) {
  Registry registry = BuiltinRegistry();
  int skipped = 0;
  for (const ValidationCase& c :
       ConformanceSuite({.presets = {"deepseek-v3"}, .dtypes = {DType::kF32}})) {
    const CaseRecord record = RunCase(*registry.Find("ggml_recurrence"), c);
    EXPECT_EQ(record.status, CaseStatus::kSkip);
    EXPECT_EQ(record.skip_reason, "scaling yarn not supported");
    EXPECT_TRUE(record.checks.empty());
    ++skipped;
  }
  EXPECT_GT(skipped, 0);
}

TEST(CaseRunnerTest, RecordsEveryCheckAndTheMetrics) {
  Registry registry = BuiltinRegistry();
  const std::vector<ValidationCase> cases =
      ConformanceSuite({.presets = {"gptneox-20b"}, .dtypes = {DType::kBF16}});
  const CaseRecord record = RunCase(*registry.Find("scalar"), cases.front());
  ASSERT_TRUE(record.metrics.has_value());
  EXPECT_EQ(record.metrics->tolerance, 1.5);
  std::vector<Check> run;
  for (const CheckOutcome& c : record.checks) run.push_back(c.check);
  // Every check but `call` (the first call returned) and `history` (dynamic NTK only).
  for (Check expected : kAllChecks) {
    if (expected == Check::kCall || expected == Check::kHistory) continue;
    EXPECT_NE(std::find(run.begin(), run.end(), expected), run.end()) << expected;
  }
}

}  // namespace
}  // namespace ropebench
