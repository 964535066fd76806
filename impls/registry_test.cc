#include "impls/registry.h"

#include <gtest/gtest.h>

#include <vector>

#include "impls/variants.h"

namespace ropebench {
namespace {

TEST(RegistryTest, ListsEveryBuiltinOnceByName) {
  const Registry registry = BuiltinRegistry();
  std::vector<std::string_view> names;
  for (Candidate* candidate : registry.All()) names.push_back(candidate->name());
  EXPECT_EQ(names,
            (std::vector<std::string_view>{"scalar", "openmp", "highway", "highway_openmp",
                                           "autovec", "matrix", "fp32_angle", "ggml_recurrence"}));
  EXPECT_EQ(registry.Find("matrix")->name(), "matrix");
  EXPECT_EQ(registry.Find("nope"), nullptr);
  EXPECT_TRUE(registry.Find("fp32_angle")->capabilities().emulation);
  EXPECT_FALSE(registry.Find("scalar")->capabilities().emulation);
}

TEST(RegistryTest, RefusesADuplicateName) {
  Registry registry;
  EXPECT_TRUE(registry.Add(MakeScalarCandidate()));
  EXPECT_FALSE(registry.Add(MakeScalarCandidate()));
  EXPECT_EQ(registry.All().size(), 1u);
}

TEST(RegistryTest, UnsupportedCasesAreDeclinedNotComputed) {
  Registry registry = BuiltinRegistry();
  RopeSpec spec;
  spec.head_dim = spec.rotary_dim = 4;
  spec.scaling = Scaling::kYarn;
  spec.original_max_positions = 64;
  spec.factor = 2;
  float data[4] = {1, 2, 3, 4};
  const TensorView q{data, DType::kF32, 1, 1, 4, 4, 4};
  const std::vector<int64_t> positions = {3};
  const CallResult result = registry.Find("ggml_recurrence")->Rotate(spec, positions, q, nullptr);
  EXPECT_EQ(result.status, CallStatus::kUnsupported);
  EXPECT_EQ(result.message, "scaling yarn not supported");
  EXPECT_EQ(data[0], 1);  // untouched
}

}  // namespace
}  // namespace ropebench
