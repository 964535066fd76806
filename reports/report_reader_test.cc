#include "reports/report_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "reports/report_json.h"

namespace ropebench {
namespace {

nlohmann::json MinimalReport() {
  return {
      {"schema_version", kReportSchemaVersion},
      {"tool", {{"version", "0.1.0"}, {"git_commit", "abc"}}},
      {"machine", nlohmann::json::object()},
      {"run", {{"start_time", "2026-01-01T00:00:00Z"}, {"duration_s", 1.5}}},
      {"validation", {{"summary", nlohmann::json::object()}, {"cases", nlohmann::json::array()}}},
      {"extrapolation", nlohmann::json::array()},
      {"bandwidth", nlohmann::json::array()},
      {"benchmarks",
       {{{"name", "rope/scalar/llama3.1-8b/f32/tokens:16/threads:1"},
         {"candidate", "scalar"},
         {"preset", "llama3.1-8b"},
         {"dtype", "f32"},
         {"tokens", 16},
         {"threads", 1},
         {"status", "ok"},
         {"repetition_ns", {1.0, 2.0}},
         {"median_ns", 1.5},
         {"bytes_per_second", 1e9},
         {"tokens_per_second", 1e6},
         {"roofline", 0.5}}}}};
}

TEST(ReportReaderTest, AcceptsAWellFormedReport) { EXPECT_EQ(CheckReport(MinimalReport()), ""); }

TEST(ReportReaderTest, NamesWhatIsWrong) {
  struct Row {
    std::function<void(nlohmann::json&)> spoil;
    const char* error;
  };
  const Row table[] = {
      {[](auto& r) { r.erase("schema_version"); },
       "missing field 'schema_version': not a ropebench report?"},
      {[](auto& r) { r["schema_version"] = "one"; }, "field 'schema_version' must be an integer"},
      {[](auto& r) { r["schema_version"] = 99; },
       "schema_version 99 is newer than this ropebench reads (1): update ropebench"},
      {[](auto& r) { r["schema_version"] = 0; }, "schema_version 0 is not a valid version"},
      {[](auto& r) { r.erase("benchmarks"); }, "report: missing field 'benchmarks'"},
      {[](auto& r) { r["tool"].erase("git_commit"); }, "tool: missing field 'git_commit'"},
      {[](auto& r) { r["benchmarks"][0].erase("roofline"); },
       "benchmarks[0]: missing field 'roofline'"},
      {[](auto& r) { r["benchmarks"][0]["tokens"] = "16"; },
       "benchmarks[0]: field 'tokens' must be an integer"},
      {[](auto& r) { r["benchmarks"][0]["name"] = nullptr; },  // found by fuzz/fuzz_compare
       "benchmarks[0]: field 'name' must be a string"},
      {[](auto& r) {
         r["benchmarks"][0]["repetition_ns"] = {1.0, "x"};
       },
       "benchmarks[0]: repetition_ns must hold numbers"},
      {[](auto& r) {
         r["validation"]["cases"] = {{{"candidate", "x"}}};
       },
       "validation.cases[0]: missing field 'name'"},
      {[](auto& r) { r = nlohmann::json::array(); }, "a report must be a JSON object"},
  };
  for (const Row& row : table) {
    nlohmann::json report = MinimalReport();
    row.spoil(report);
    EXPECT_EQ(CheckReport(report), row.error);
  }
}

TEST(ReportReaderTest, InterruptedByNamesTheSignalOfAPartialReport) {
  nlohmann::json report = MinimalReport();
  EXPECT_EQ(InterruptedBy(report), std::nullopt);
  report["run"]["partial"] = true;
  EXPECT_EQ(InterruptedBy(report), "a signal");
  report["run"]["interrupted_by"] = "SIGTERM";
  EXPECT_EQ(InterruptedBy(report), "SIGTERM");
  report["run"]["partial"] = false;
  EXPECT_EQ(InterruptedBy(report), std::nullopt);
}

TEST(ReportReaderTest, TruncatedAndMissingFiles) {
  const auto path = std::filesystem::path(::testing::TempDir()) /
                    ("ropebench_truncated_" + std::to_string(getpid()) + ".json");
  const std::string text = MinimalReport().dump();
  std::ofstream(path) << text.substr(0, text.size() / 2);
  nlohmann::json report;
  const std::string error = ReadReport(path, report);
  EXPECT_NE(error.find("not valid JSON (truncated?) at byte"), std::string::npos) << error;
  EXPECT_EQ(ReadReport("/nonexistent/r.json", report), "/nonexistent/r.json: cannot read the file");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ropebench
