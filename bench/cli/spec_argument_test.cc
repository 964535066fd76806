#include "bench/cli/spec_argument.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace ropebench {
namespace {

TEST(SpecArgumentTest, KeyValuePairs) {
  RopeSpec spec;
  ASSERT_EQ(
      ParseSpecArgument("head_dim=128,rotary_dim=64,pairing=interleaved,base=5e5,scaling=yarn,"
                        "factor=4,original_max_positions=4096,truncate=false",
                        spec),
      "");
  EXPECT_EQ(spec.head_dim, 128);
  EXPECT_EQ(spec.rotary_dim, 64);
  EXPECT_EQ(spec.pairing, Pairing::kInterleaved);
  EXPECT_EQ(spec.base, 5e5);
  EXPECT_EQ(spec.scaling, Scaling::kYarn);
  EXPECT_FALSE(spec.truncate);
}

TEST(SpecArgumentTest, FactorListsJsonAndFiles) {
  RopeSpec spec;
  ASSERT_EQ(ParseSpecArgument("head_dim=4,scaling=longrope,factor=2,original_max_positions=64,"
                              "short_factor=1:1.5,long_factor=2:3",
                              spec),
            "");
  EXPECT_EQ(spec.long_factor, (std::vector<double>{2, 3}));
  RopeSpec from_json;
  ASSERT_EQ(ParseSpecArgument(R"({"head_dim": 6, "rotary_dim": 2})", from_json), "");
  EXPECT_EQ(from_json.rotary_dim, 2);
  const std::string path =
      ::testing::TempDir() + "ropebench_spec_" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << R"({"head_dim": 32, "base": 1e6})";
  RopeSpec from_file;
  ASSERT_EQ(ParseSpecArgument("@" + path, from_file), "");
  EXPECT_EQ(from_file.base, 1e6);
  std::remove(path.c_str());
}

TEST(SpecArgumentTest, ErrorsNameTheProblem) {
  RopeSpec spec;
  EXPECT_EQ(ParseSpecArgument("head_dim=64,rotary_dim=7", spec),
            "invalid spec: rotary_dim: must be even");
  EXPECT_EQ(ParseSpecArgument("head_dim=64,wibble=3", spec), "unknown spec field 'wibble'");
  EXPECT_EQ(ParseSpecArgument("head_dim", spec), "--spec item 'head_dim' is not key=value");
  EXPECT_EQ(ParseSpecArgument("head_dim=sixty", spec), "spec field 'head_dim': must be an integer");
  EXPECT_EQ(ParseSpecArgument("{head_dim", spec), "--spec is not valid JSON");
  EXPECT_EQ(ParseSpecArgument("@/nonexistent/spec.json", spec),
            "cannot read spec file '/nonexistent/spec.json'");
}

}  // namespace
}  // namespace ropebench
