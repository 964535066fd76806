#include "reports/spec_json.h"

#include <gtest/gtest.h>

#include "reference/testing/spec_with_every_field.h"
#include "reports/testing/readme_section.h"

namespace ropebench {
namespace {

TEST(SpecJsonTest, RoundTripsEveryField) {
  RopeSpec spec;
  spec.head_dim = 96;
  spec.rotary_dim = 96;
  spec.scaling = Scaling::kLongrope;
  spec.factor = 32;
  spec.original_max_positions = 4096;
  spec.short_factor.assign(48, 1.5);
  spec.long_factor.assign(48, 4.0);
  spec.attention_factor = 1.25;
  spec.seq_len = 9000;
  RopeSpec read;
  ASSERT_EQ(ReadSpecJson(SpecJson(spec), read), "");
  EXPECT_EQ(read, spec);
}

TEST(SpecJsonTest, RoundTripsEveryFieldWhenAllAreWritten) {
  const RopeSpec spec = testing::SpecWithEveryField();
  testing::ExpectEveryFieldSet(spec);
  RopeSpec read;
  ASSERT_EQ(ReadSpecJson(SpecJson(spec, /*every_field=*/true), read), "");
  EXPECT_EQ(read, spec);
  // The report's form leaves out what the method does not read (here YaRN's and Llama-3's).
  EXPECT_FALSE(SpecJson(spec).contains("beta_fast"));
  EXPECT_TRUE(SpecJson(spec).contains("short_factor"));
}

TEST(SpecJsonTest, RotaryDimDefaultsToHeadDim) {
  RopeSpec spec;
  ASSERT_EQ(ReadSpecJson({{"head_dim", 80}, {"pairing", "interleaved"}}, spec), "");
  EXPECT_EQ(spec.rotary_dim, 80);
  EXPECT_EQ(spec.pairing, Pairing::kInterleaved);
}

TEST(SpecJsonTest, RefusalsNameTheField) {
  struct Row {
    nlohmann::json json;
    const char* error;
  };
  const Row table[] = {
      {{{"head_dim", 64}, {"colour", 1}}, "unknown spec field 'colour'"},
      {{{"head_dim", "64"}}, "spec field 'head_dim': must be an integer"},
      {{{"head_dim", 1e12}}, "spec field 'head_dim': must be an integer"},
      {{{"head_dim", int64_t{1} << 40}}, "spec field 'head_dim': must be an integer in range"},
      {{{"head_dim", 64}, {"base", "big"}}, "spec field 'base': must be a number"},
      {{{"head_dim", 64}, {"truncate", 1}}, "spec field 'truncate': must be true or false"},
      {{{"head_dim", 64}, {"pairing", "zigzag"}},
       "spec field 'pairing': unknown pairing 'zigzag' (interleaved, half_split)"},
      {{{"head_dim", 64}, {"scaling", "rope2"}},
       "spec field 'scaling': unknown scaling 'rope2' (none, linear, ntk, dynamic_ntk, yarn, "
       "llama3, "
       "longrope)"},
      {{{"head_dim", 64}, {"short_factor", {1, "x"}}},
       "spec field 'short_factor': must be an array of numbers"},
      {{{"head_dim", 64}, {"rotary_dim", 63}}, "invalid spec: rotary_dim: must be even"},
      {{{"head_dim", 64}, {"base", 0.5}}, "invalid spec: base: must be > 1"},
      {nlohmann::json::array(), "a spec must be a JSON object"},
  };
  for (const Row& row : table) {
    RopeSpec spec;
    EXPECT_EQ(ReadSpecJson(row.json, spec), row.error) << row.json.dump();
  }
}

// The README's table of the spec names every field users may write.
TEST(SpecJsonTest, TheReadmeNamesEveryField) {
  const std::string section = testing::ReadmeSection("The spec");
  ASSERT_FALSE(section.empty()) << ROPEBENCH_README << " has no section 'The spec'";
#define ROPEBENCH_EXPECT_NAMED(name) \
  EXPECT_NE(section.find("`" #name "`"), std::string::npos) << #name;
  ROPEBENCH_SPEC_FIELDS(ROPEBENCH_EXPECT_NAMED)
#undef ROPEBENCH_EXPECT_NAMED
}

}  // namespace
}  // namespace ropebench
