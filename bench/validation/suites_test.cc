#include "bench/validation/suites.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "reference/presets.h"

namespace ropebench {
namespace {

TEST(SuitesTest, ConformanceCoversEveryAxis) {
  const std::vector<ValidationCase> cases = ConformanceSuite({});
  std::set<std::string> names, presets;
  std::set<int> head_dims, edge_tokens;
  std::set<std::pair<int, int>> heads;
  std::set<Scaling> scalings;
  std::set<Layout> layouts;
  std::set<PositionKind> kinds;
  std::set<std::pair<int, int>> rotary;
  for (const ValidationCase& c : cases) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
    EXPECT_EQ(ValidateSpec(c.spec), "") << c.name;
    if (!c.preset.empty()) presets.insert(c.preset);
    if (c.group == "edge") {
      head_dims.insert(c.spec.head_dim);
      rotary.insert({c.spec.head_dim, c.spec.rotary_dim});
      edge_tokens.insert(static_cast<int>(c.tokens()));
      heads.insert({c.q_heads, c.kv_heads});
    }
    scalings.insert(c.spec.scaling);
    layouts.insert(c.layout);
    kinds.insert(c.position_kind);
  }
  EXPECT_EQ(presets.size(), ModelPresets().size());
  EXPECT_EQ(head_dims, (std::set<int>{2, 6, 64, 72, 80, 96, 128, 160, 256}));
  EXPECT_EQ(edge_tokens, (std::set<int>{1, 7, 64, 513}));
  EXPECT_EQ(heads, (std::set<std::pair<int, int>>{{1, 1}, {8, 8}, {32, 8}}));
  for (auto [d, r] : {std::pair{128, 32}, {128, 64}, {128, 128}, {80, 20}, {6, 2}, {2, 2}}) {
    EXPECT_TRUE(rotary.count({d, r})) << d << "/" << r;
  }
  EXPECT_EQ(scalings.size(), std::size(kAllScalings));
  EXPECT_EQ(layouts.size(), std::size(kAllLayouts));
  EXPECT_EQ(kinds.size(), std::size(kAllPositionKinds));
  std::printf("  %zu conformance cases\n", cases.size());
}

TEST(SuitesTest, PresetFilterKeepsOnlyThosePresets) {
  const std::vector<ValidationCase> cases =
      ConformanceSuite({.presets = {"gptj-6b"}, .dtypes = {DType::kF16}});
  ASSERT_FALSE(cases.empty());
  for (const ValidationCase& c : cases) {
    EXPECT_EQ(c.preset, "gptj-6b");
    EXPECT_EQ(c.dtype, DType::kF16);
  }
}

// The strides the tests use: every group, and every token count of the edge shapes (a plain
// every-8th or every-64th case had never met a 513-token one).
TEST(SuitesTest, StrideKeepsOneCaseOfEachBlockAndEveryGroupAndTokenCount) {
  const std::vector<ValidationCase> all = ConformanceSuite({});
  for (size_t stride : {8, 16, 64}) {
    const std::vector<ValidationCase> spread = ConformanceSuite({.stride = stride});
    ASSERT_NEAR(static_cast<double>(spread.size()), static_cast<double>(all.size() / stride), 1)
        << stride;
    for (size_t n = 0; n < spread.size(); ++n) {
      EXPECT_EQ(spread[n].name, all[n * stride + n % stride].name) << stride;
    }
    std::set<std::string> groups_all, groups_spread;
    std::set<int64_t> tokens_all, tokens_spread;
    for (const ValidationCase& c : all) {
      groups_all.insert(c.group);
      if (c.group == "edge") tokens_all.insert(c.tokens());
    }
    for (const ValidationCase& c : spread) {
      groups_spread.insert(c.group);
      if (c.group == "edge") tokens_spread.insert(c.tokens());
    }
    EXPECT_EQ(groups_spread, groups_all) << stride;
    EXPECT_EQ(tokens_spread, tokens_all) << stride;
  }
}

TEST(SuitesTest, PositionsAreDeterministicAndOfTheirKind) {
  EXPECT_EQ(MakePositions(PositionKind::kRandom, 16, 0, 3),
            MakePositions(PositionKind::kRandom, 16, 0, 3));
  EXPECT_EQ(MakePositions(PositionKind::kDecode, 16, 4095, 3), std::vector<int64_t>{4095});
  const std::vector<int64_t> mixed = MakePositions(PositionKind::kNonMonotonic, 64, 0, 5);
  EXPECT_FALSE(std::is_sorted(mixed.begin(), mixed.end()));
  EXPECT_LT(std::set<int64_t>(mixed.begin(), mixed.end()).size(), mixed.size()) << "has duplicates";
}

}  // namespace
}  // namespace ropebench
