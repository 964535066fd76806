// The names reports give checks and diagnosis codes: one table each (report_json.cc), every name
// distinct, and every one explained in the README's "What is checked", so that the manual and the
// reports cannot drift apart.
#include "reports/records.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "reports/testing/readme_section.h"

namespace ropebench {
namespace {

TEST(RecordNamesTest, EveryCheckAndCodeHasOneNameTheReadmeExplains) {
  const std::string section = testing::ReadmeSection("What is checked");
  ASSERT_FALSE(section.empty()) << ROPEBENCH_README << " has no section 'What is checked'";
  std::set<std::string> names;
  for (Check check : kAllChecks) {
    const std::string name(ToString(check));
    EXPECT_TRUE(names.insert("check " + name).second) << name << " named twice";
    EXPECT_NE(section.find("`" + name + "`"), std::string::npos) << "check " << name;
  }
  for (DiagnosisCode code : kAllDiagnosisCodes) {
    const std::string name(ToString(code));
    EXPECT_TRUE(names.insert("code " + name).second) << name << " named twice";
    EXPECT_NE(section.find("`" + name + "`"), std::string::npos) << "diagnosis code " << name;
  }
}

TEST(RecordNamesTest, FailedCallsHaveTheirStatusAsCode) {
  EXPECT_EQ(CodeOfFailedCall(CaseStatus::kCrash), DiagnosisCode::kCrash);
  EXPECT_EQ(CodeOfFailedCall(CaseStatus::kTimeout), DiagnosisCode::kTimeout);
  EXPECT_EQ(CodeOfFailedCall(CaseStatus::kError), DiagnosisCode::kError);
  EXPECT_EQ(ToString(CodeOfFailedCall(CaseStatus::kCrash)), ToString(CaseStatus::kCrash));
}

}  // namespace
}  // namespace ropebench
