#include "impls/external/abi_spec.h"

#include <gtest/gtest.h>

#include "reference/testing/spec_with_every_field.h"

namespace ropebench {
namespace {

// What a plugin is given, and what the isolated worker rebuilds from it, is the spec itself.
TEST(AbiSpecTest, RoundTripsEveryField) {
  const RopeSpec spec = testing::SpecWithEveryField();
  testing::ExpectEveryFieldSet(spec);
  const ropebench_spec abi = AbiSpec(spec);
  EXPECT_EQ(abi.short_factor, spec.short_factor.data());
  EXPECT_EQ(SpecFromAbi(abi, spec.short_factor, spec.long_factor), spec);
}

TEST(AbiSpecTest, SpellsUnsetAsTheHeaderSays) {
  RopeSpec spec;
  spec.head_dim = spec.rotary_dim = 64;
  const ropebench_spec abi = AbiSpec(spec);
  EXPECT_EQ(abi.attention_factor, 0.0);  // the method's default
  EXPECT_EQ(abi.short_factor, nullptr);
  EXPECT_EQ(abi.long_factor, nullptr);
  EXPECT_EQ(abi.truncate, 1);
  EXPECT_EQ(abi.pairing, ROPEBENCH_HALF_SPLIT);
  EXPECT_EQ(SpecFromAbi(abi, {}, {}), spec);
}

}  // namespace
}  // namespace ropebench
