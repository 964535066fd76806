// Every check can fail: each mutant (one defect of BUG_CLASSES.md) is run on the real conformance
// cases that can expose it, must fail at least one, and every failure must carry the expected
// diagnosis.
#include "bench/validation/testing/mutants.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "bench/diagnosis/diagnosis.h"
#include "bench/validation/case_runner.h"
#include "bench/validation/suites.h"

namespace ropebench {
namespace {

constexpr size_t kMaxCasesPerMutant = 12;

// Up to `limit` of the matching cases, spread evenly so that every layout and position kind shows
// up.
std::vector<ValidationCase> CasesFor(const testing::MutantSpec& mutant, size_t limit) {
  static const std::vector<ValidationCase> suite = ConformanceSuite({});
  std::vector<ValidationCase> matching;
  for (const ValidationCase& c : suite) {
    if (mutant.applies(c)) matching.push_back(c);
  }
  if (matching.size() <= limit) return matching;
  std::vector<ValidationCase> spread;
  for (size_t n = 0; n < limit; ++n) spread.push_back(matching[n * matching.size() / limit]);
  return spread;
}

}  // namespace

namespace testing {
// Names the mutant instead of dumping its bytes when a parameterised test fails.
void PrintTo(const MutantSpec& mutant, std::ostream* os) { *os << mutant.name; }
}  // namespace testing

namespace {

class MutantTest : public ::testing::TestWithParam<testing::MutantSpec> {};

TEST_P(MutantTest, IsCaughtWithTheExpectedDiagnosis) {
  const testing::MutantSpec& mutant = GetParam();
  const std::vector<ValidationCase> cases = CasesFor(mutant, kMaxCasesPerMutant);
  ASSERT_FALSE(cases.empty()) << "no case exposes " << mutant.name;
  int failed = 0;
  for (const ValidationCase& c : cases) {
    const auto candidate = mutant.make();  // fresh: a stateful defect must show within one case
    const CaseRecord record = RunCase(*candidate, c);
    ASSERT_NE(record.status, CaseStatus::kSkip) << c.name << ": " << record.skip_reason;
    if (record.status != CaseStatus::kFail && record.status != CaseStatus::kPrecision) continue;
    ++failed;
    ASSERT_TRUE(record.diagnosis.has_value());
    // precision exactly when the diagnosis is an angle-precision floor: the right convention.
    EXPECT_EQ(record.status == CaseStatus::kPrecision,
              record.diagnosis->code == DiagnosisCode::kLowPrecisionAngle)
        << c.name;
    std::printf("  %-30s %-62s -> %s: %s\n", mutant.name.c_str(), c.name.c_str(),
                ToString(record.diagnosis->code).data(), record.diagnosis->detail.c_str());
    EXPECT_EQ(record.diagnosis->code, mutant.expected_code)
        << c.name << ": " << record.diagnosis->detail;
  }
  EXPECT_GT(failed, 0) << mutant.name << " (BUG_CLASSES.md row " << mutant.bug_class
                       << ") passed every case it was given";
}

INSTANTIATE_TEST_SUITE_P(BugClasses, MutantTest, ::testing::ValuesIn(testing::AllMutants()),
                         [](const auto& info) { return info.param.name; });

TEST(MutantCoverageTest, EveryCheckFailsForSomeMutant) {
  std::set<Check> failed_checks;
  for (const testing::MutantSpec& mutant : testing::AllMutants()) {
    for (const ValidationCase& c : CasesFor(mutant, 4)) {
      for (const CheckOutcome& check : RunCase(*mutant.make(), c).checks) {
        if (!check.passed) failed_checks.insert(check.check);
      }
    }
  }
  // Every check but `call` (a call that returns nothing: plugin_defects.py and serve_protocol.py).
  for (Check check : kAllChecks) {
    if (check == Check::kCall) continue;
    EXPECT_TRUE(failed_checks.count(check)) << "no mutant makes check '" << check << "' fail";
  }
}

TEST(MutantCoverageTest, EveryInProcessBugClassHasAMutant) {
  std::set<int> classes;
  for (const testing::MutantSpec& mutant : testing::AllMutants()) classes.insert(mutant.bug_class);
  for (int row = 1; row <= 18; ++row)
    EXPECT_TRUE(classes.count(row)) << "BUG_CLASSES.md row " << row;
}

}  // namespace
}  // namespace ropebench
