#include "bench/cli/cli_args.h"

#include <gtest/gtest.h>

#include <sstream>

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

// The usage line is made from the flag table: every flag once, "..." where its help says it is
// repeatable, the tail last, and no line over 100 columns once "usage: " is put before it.
TEST(CliArgsTest, SynopsisListsEveryFlagOnceWrappedUnderTheCommand) {
  std::vector<FlagSpec> flags;
  std::vector<std::string> names;
  for (int n = 0; n < 20; ++n) names.push_back("flag" + std::to_string(n));
  for (const std::string& name : names) flags.push_back({name, "VALUE", "a value"});
  flags.push_back({"many", "X", "one of many (repeatable)"});
  flags.push_back({"quiet", "", "no progress"});
  const std::string text = Synopsis("ropebench run", flags, "[--benchmark_*...]");
  for (const std::string& name : names) {
    EXPECT_NE(text.find("[--" + name + " VALUE]"), std::string::npos) << name;
  }
  EXPECT_NE(text.find("[--many X]..."), std::string::npos);
  EXPECT_NE(text.find("[--quiet]"), std::string::npos);
  EXPECT_EQ(text.rfind("[--benchmark_*...]"),
            text.size() - std::string("[--benchmark_*...]").size());
  std::istringstream lines("usage: " + text);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_LE(line.size(), 100u) << line;
    if (count > 1) {
      EXPECT_EQ(line.find_first_not_of(' '), std::string("usage: ropebench run ").size());
    }
  }
  EXPECT_GT(count, 2);
}

}  // namespace
}  // namespace ropebench
