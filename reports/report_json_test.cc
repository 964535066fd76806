#include "reports/report_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace ropebench {
namespace {

CaseRecord SampleCase() {
  CaseRecord r;
  r.candidate = "scalar";
  r.suite = "conformance";
  r.group = "edge";
  r.name = "edge/d6/r2";
  r.spec.head_dim = 6;
  r.spec.rotary_dim = 2;
  r.dtype = "bf16";
  r.tokens = 7;
  r.q_heads = 8;
  r.kv_heads = 8;
  r.layout = "padded";
  r.positions = "random";
  r.status = CaseStatus::kFail;
  r.metrics = CaseMetrics{1, 0.5, 0.25, INFINITY, 1.5, 3, 99, 1, 0, 17};
  r.checks = {{Check::kError, false, "too big"}, {Check::kGuards, true, "every canary intact"}};
  r.diagnosis = Diagnosis{DiagnosisCode::kPairingSwapped, "it was"};
  return r;
}

TEST(ReportJsonTest, CaseCarriesEveryField) {
  const nlohmann::json j = CaseJson(SampleCase());
  EXPECT_EQ(j["candidate"], "scalar");
  EXPECT_EQ(j["status"], "fail");
  EXPECT_EQ(j["preset"], nullptr);
  EXPECT_EQ(j["shape"]["layout"], "padded");
  EXPECT_EQ(j["shape"]["head_dim"], 6);
  EXPECT_EQ(j["spec"]["rotary_dim"], 2);
  EXPECT_EQ(j["spec"]["pairing"], "half_split");
  EXPECT_EQ(j["metrics"]["max_pair_error_u"], "inf");  // JSON has no infinity
  EXPECT_EQ(j["metrics"]["worst"]["position"], 99);
  EXPECT_EQ(j["metrics"]["first_failing_position"], 17);
  EXPECT_EQ(j["checks"][0]["passed"], false);
  EXPECT_EQ(j["diagnosis"]["code"], "pairing_swapped");
}

TEST(ReportJsonTest, ReadsBackEveryNumberItWrites) {
  const nlohmann::json metrics = CaseJson(SampleCase())["metrics"];
  EXPECT_EQ(ReportNumber(metrics["max_pair_error_u"]), INFINITY);
  EXPECT_EQ(ReportNumber(metrics["worst"]["position"]), 99.0);
  EXPECT_EQ(ReportNumber(nlohmann::json("-inf")), -INFINITY);
  EXPECT_TRUE(std::isnan(ReportNumber(nlohmann::json("nan"))));
  EXPECT_TRUE(std::isnan(ReportNumber(nlohmann::json())));        // a missing field
  EXPECT_TRUE(std::isnan(ReportNumber(nlohmann::json("fast"))));  // not a number in words
}

TEST(ReportJsonTest, SummaryCountsByCandidateAndStatus) {
  ValidationResults results;
  results.cases = {SampleCase(), SampleCase()};
  results.cases[1].status = CaseStatus::kSkip;
  const nlohmann::json j = ValidationJson(results);
  EXPECT_EQ(j["validation"]["summary"]["scalar"]["fail"], 1);
  EXPECT_EQ(j["validation"]["summary"]["scalar"]["skip"], 1);
  EXPECT_EQ(j["validation"]["summary"]["scalar"]["pass"], 0);
  EXPECT_EQ(j["validation"]["cases"].size(), 2u);
}

TEST(ReportJsonTest, WritesAtomicallyAndReportsErrors) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ropebench_json_test_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const std::filesystem::path path = dir / "sub" / "out.json";
  ASSERT_EQ(WriteJsonFile(path, {{"a", 1}}), "");
  std::ifstream in(path);
  EXPECT_EQ(nlohmann::json::parse(in)["a"], 1);
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path())) {
    EXPECT_EQ(entry.path().filename(), "out.json") << "no temporary file left behind";
  }
  EXPECT_NE(WriteJsonFile("/proc/ropebench/forbidden.json", {}), "");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ropebench
