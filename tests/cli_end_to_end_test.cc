// The command line end to end, in process: exit codes, one-line errors naming the bad input, and
// the JSON that validate and run write.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "bench/cli/cli.h"
#include "bench/timing/benchmarks.h"
#include "nlohmann/json.hpp"

namespace ropebench {
namespace {

struct Outcome {
  int code;
  std::string err;
};

Outcome RunRopebench(std::vector<std::string> args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = RunCli(args);
  ::testing::internal::GetCapturedStdout();
  return {code, ::testing::internal::GetCapturedStderr()};
}

std::filesystem::path TempDir(const std::string& name) {
  // The process id keeps two runs of the suite on one machine out of each other's way.
  const auto dir = std::filesystem::path(::testing::TempDir()) /
                   ("ropebench_" + std::to_string(getpid()) + "_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(CliEndToEndTest, UsageErrorsAreOneLineNamingTheInputWithExitTwo) {
  struct Row {
    std::vector<std::string> args;
    std::string names;  // what the message must name
  };
  const Row table[] = {
      {{"validat"}, "unknown command 'validat'"},
      {{"validate", "--candidates", "scalar"}, "unknown flag --candidates"},
      {{"validate", "--candidate"}, "flag --candidate needs a value"},
      {{"validate", "--candidate", "scalar,turbo"}, "unknown candidate 'turbo'"},
      {{"validate", "--preset", "llama-7"}, "unknown preset 'llama-7'"},
      {{"validate", "--dtype", "fp8"}, "unknown dtype 'fp8'"},
      {{"validate", "--suite", "speed"}, "unknown suite 'speed'"},
      {{"validate", "--heads", "8,2"}, "--heads goes with --spec"},
      {{"validate", "--spec", "head_dim=64", "--heads", "2,8"}, "--heads takes Q,KV"},
      {{"list", "extra"}, "unexpected argument 'extra'"},
      {{"run", "--out"}, "flag --out needs a value"},
  };
  for (const Row& row : table) {
    std::vector<std::string> args = row.args;
    const Outcome outcome = RunRopebench(args);
    EXPECT_EQ(outcome.code, 2) << row.names;
    EXPECT_NE(outcome.err.find(row.names), std::string::npos) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
}

TEST(CliEndToEndTest, EveryInvalidSpecFieldIsNamed) {
  const std::pair<const char*, const char*> table[] = {
      {"head_dim=1", "head_dim: must be in [2, 65536]"},
      {"head_dim=64,rotary_dim=63", "rotary_dim: must be even"},
      {"head_dim=64,rotary_dim=66", "rotary_dim: must be in [2, head_dim]"},
      {"head_dim=64,pairing=diagonal", "spec field 'pairing'"},
      {"head_dim=64,base=1", "base: must be > 1"},
      {"head_dim=64,scaling=warp", "spec field 'scaling'"},
      {"head_dim=64,scaling=linear,factor=0", "factor: must be > 0"},
      {"head_dim=64,scaling=yarn,factor=4", "original_max_positions: required by scaling yarn"},
      {"head_dim=64,original_max_positions=-2", "original_max_positions: must be >= 0"},
      {"head_dim=64,scaling=yarn,factor=4,original_max_positions=4096,beta_fast=0.5",
       "beta_fast: must be > beta_slow"},
      {"head_dim=64,scaling=yarn,factor=4,original_max_positions=4096,beta_slow=-1",
       "beta_slow: must be > 0"},
      {"head_dim=64,truncate=maybe", "spec field 'truncate'"},
      {"head_dim=64,mscale=-1", "mscale: must be >= 0"},
      {"head_dim=64,mscale_all_dim=-1", "mscale_all_dim: must be >= 0"},
      {"head_dim=64,attention_factor=0", "attention_factor: must be positive and finite"},
      {"head_dim=64,scaling=llama3,factor=8,original_max_positions=8192,low_freq_factor=0",
       "low_freq_factor: must be > 0"},
      {"head_dim=64,scaling=llama3,factor=8,original_max_positions=8192,high_freq_factor=1",
       "high_freq_factor: must be > low_freq_factor"},
      {"head_dim=4,scaling=longrope,factor=2,original_max_positions=64,long_factor=1:1",
       "short_factor: longrope needs rotary_dim/2 = 2 values, got 0"},
      {"head_dim=4,scaling=longrope,factor=2,original_max_positions=64,short_factor=1:1",
       "long_factor: longrope needs rotary_dim/2 = 2 values, got 0"},
      {"head_dim=64,seq_len=-1", "seq_len: must be >= 0"},
  };
  for (const auto& [spec, names] : table) {
    const Outcome outcome = RunRopebench({"validate", "--spec", spec});
    EXPECT_EQ(outcome.code, 2) << spec;
    EXPECT_NE(outcome.err.find(names), std::string::npos) << spec << " -> " << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
}

nlohmann::json ReadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(CliEndToEndTest, Fp32AngleFallsFarShortOfScalar) {
  const auto path = TempDir("extrapolation") / "out.json";
  const Outcome outcome = RunRopebench({"validate", "--candidate", "scalar,fp32_angle", "--suite",
                                        "extrapolation", "--json", path.string(), "--quiet"});
  EXPECT_EQ(outcome.code, 1) << "fp32_angle must fail the sweep";
  const nlohmann::json report = ReadJson(path);
  EXPECT_EQ(report["schema_version"], 1);
  std::map<std::string, int64_t> reach;
  for (const nlohmann::json& r : report["extrapolation"]) {
    reach[r["candidate"].get<std::string>() + "/" + r["dtype"].get<std::string>()] =
        r["accurate_up_to"];
  }
  EXPECT_GE(reach["scalar/f32"], (int64_t{1} << 24) + 1);
  for (const char* dtype : {"f32", "f16", "bf16"}) {
    EXPECT_LT(reach[std::string("fp32_angle/") + dtype] * 16, reach[std::string("scalar/") + dtype])
        << dtype;
  }
}

TEST(CliEndToEndTest, RunWritesAReportUnderOut) {
  const auto dir = TempDir("run");
  const Outcome outcome =
      RunRopebench({"run", "--preset", "gptj-6b", "--dtype", "bf16", "--tokens", "1,16",
                    "--repetitions", "1", "--min-time", "0.001", "--out", dir.string(), "--quiet"});
  EXPECT_EQ(outcome.code, 0) << outcome.err;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].extension(), ".json");
  const nlohmann::json report = ReadJson(files[0]);
  EXPECT_EQ(report["tool"]["name"], "ropebench");
  EXPECT_FALSE(report["validation"]["cases"].empty());
  EXPECT_EQ(report["validation"]["summary"]["scalar"]["fail"], 0);
  EXPECT_EQ(report["validation"]["summary"]["matrix"]["fail"], 0);
  EXPECT_EQ(report["validation"]["summary"]["openmp"]["fail"], 0);
  EXPECT_EQ(report["validation"]["summary"]["highway"]["fail"], 0);
  EXPECT_EQ(report["validation"]["summary"]["highway_openmp"]["fail"], 0);
  EXPECT_EQ(report["validation"]["summary"]["autovec"]["fail"], 0);
  for (const nlohmann::json& c : report["validation"]["cases"]) {
    EXPECT_EQ(c["preset"], "gptj-6b");
    EXPECT_EQ(c["status"], "pass") << c["name"];
  }
  // scalar, openmp, highway, highway_openmp, autovec and matrix, bf16.
  EXPECT_EQ(report["extrapolation"].size(), 6u);
  // x 1 and 16 tokens; openmp and highway_openmp, being threaded, also at every CPU when the
  // machine has several.
  const size_t thread_counts = DefaultThreads().size();
  ASSERT_EQ(report["benchmarks"].size(), 2 * (4 + 2 * thread_counts));
  for (const nlohmann::json& b : report["benchmarks"]) {
    EXPECT_EQ(b["status"], "ok") << b["name"];
    EXPECT_EQ(b["repetition_ns"].size(), 1u);
    EXPECT_GT(b["roofline"].get<double>(), 0);
    // The per-spec table candidates, which also say what instruction set their calls ran on.
    const std::string candidate = b["candidate"];
    const bool table = candidate.starts_with("highway") || candidate == "autovec";
    EXPECT_EQ(b["cos_sin"], table ? "cached_table" : "per_call") << b["name"];
    EXPECT_EQ(b.contains("target"), table) << b["name"];
  }
  EXPECT_FALSE(report["bandwidth"].empty());
}

TEST(CliEndToEndTest, EmulationsAreValidatedOnlyWhenNamed) {
  const auto path = TempDir("default") / "out.json";
  RunRopebench(
      {"validate", "--preset", "gptj-6b", "--dtype", "f32", "--json", path.string(), "--quiet"});
  const nlohmann::json summary = ReadJson(path)["validation"]["summary"];
  EXPECT_TRUE(summary.contains("scalar"));
  EXPECT_FALSE(summary.contains("fp32_angle"));
  EXPECT_FALSE(summary.contains("ggml_recurrence"));
}

}  // namespace
}  // namespace ropebench
