#include "bench/cli_args.h"

#include <gtest/gtest.h>

namespace ropebench {
namespace {

constexpr FlagSpec kFlags[] = {{"dtype", "DTYPE", "dtypes"}, {"quiet", "", "no progress"}};

std::string Parse(std::vector<std::string> args, ParsedArgs& out) {
  return ParseArgs(args, kFlags, 1, out);
}

TEST(CliArgsTest, ValuesListsAndSwitches) {
  ParsedArgs args;
  ASSERT_EQ(Parse({"--dtype", "f32,bf16", "--dtype=f16", "--quiet", "file.json"}, args), "");
  EXPECT_EQ(args.List("dtype"), (std::vector<std::string>{"f32", "bf16", "f16"}));
  EXPECT_EQ(args.Value("dtype"), "f16");
  EXPECT_TRUE(args.Has("quiet"));
  EXPECT_EQ(args.positional(), std::vector<std::string>{"file.json"});
}

TEST(CliArgsTest, OneLineErrorsNameTheFlag) {
  ParsedArgs args;
  EXPECT_EQ(Parse({"--frobnicate"}, args), "unknown flag --frobnicate");
  EXPECT_EQ(Parse({"--dtype"}, args), "flag --dtype needs a value (DTYPE)");
  EXPECT_EQ(Parse({"--quiet=yes"}, args), "flag --quiet takes no value");
  EXPECT_EQ(Parse({"--dtype="}, args), "flag --dtype has an empty value");
  ParsedArgs more;
  EXPECT_EQ(Parse({"a", "b"}, more), "unexpected argument 'b'");
}

}  // namespace
}  // namespace ropebench
