#include "reports/vectors/vectors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "reference/presets.h"
#include "reference/testing/spec_with_every_field.h"

namespace ropebench {
namespace {

// Every preset's spec survives the ABI spelling: attention factor 0 for unset, truncate 0/1, null
// factor lists.
TEST(VectorsTest, AbiSpecJsonRoundTripsEveryPreset) {
  for (const ModelPreset& preset : ModelPresets()) {
    RopeSpec spec = preset.spec;
    spec.seq_len = 4096;
    const nlohmann::json json = AbiSpecJson(spec);
    EXPECT_EQ(json.size(), static_cast<size_t>(spec_fields::kListed))
        << "every ABI field, always: " << json.dump();
    RopeSpec read;
    ASSERT_EQ(ReadAbiSpecJson(json, read), "") << preset.name;
    EXPECT_EQ(read, spec) << preset.name;
  }
  const RopeSpec every = testing::SpecWithEveryField();
  RopeSpec read_every;
  ASSERT_EQ(ReadAbiSpecJson(AbiSpecJson(every), read_every), "");
  EXPECT_EQ(read_every, every);
  RopeSpec spec = FindPreset("llama2-7b")->spec;
  spec.attention_factor = 1.5;
  RopeSpec read;
  ASSERT_EQ(ReadAbiSpecJson(AbiSpecJson(spec), read), "");
  EXPECT_EQ(read.attention_factor, 1.5);
  nlohmann::json bad = AbiSpecJson(spec);
  bad["truncate"] = 2;
  EXPECT_EQ(ReadAbiSpecJson(bad, read), "spec field 'truncate': must be 0 or 1");
}

TEST(VectorsTest, ManifestRoundTripsAndRefusesDuplicateIds) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("ropebench_vectors_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  VectorCase c;
  c.id = VectorCaseId("preset/llama3.1-8b/bf16/t64");
  EXPECT_EQ(c.id, "preset.llama3.1-8b.bf16.t64");
  c.spec = FindPreset("llama3.1-8b")->spec;
  c.spec.seq_len = 64;
  c.dtype = DType::kBF16;
  c.tokens = 64;
  c.q_heads = 32;
  c.k_heads = 8;
  c.name = "preset/llama3.1-8b/bf16/t64";
  std::ofstream(dir / "manifest.json") << ManifestJson({c}, true).dump();
  std::vector<VectorCase> read;
  ASSERT_EQ(ReadManifest(dir.string(), read), "");
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].id, c.id);
  EXPECT_EQ(read[0].spec, c.spec);
  EXPECT_EQ(read[0].dtype, DType::kBF16);
  EXPECT_EQ(read[0].k_heads, 8);
  std::ofstream(dir / "manifest.json") << ManifestJson({c, c}, true).dump();
  EXPECT_NE(ReadManifest(dir.string(), read).find("id 'preset.llama3.1-8b.bf16.t64' appears twice"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

// A strided view leaves as a packed array and comes back into the same elements, gaps untouched.
TEST(VectorsTest, TensorsPackAndUnpackThroughStridedViews) {
  std::vector<uint16_t> memory(2 * 40, 0xFFFF);  // 2 tokens x 2 heads of 8, rows of 40
  TensorView view{memory.data(), DType::kBF16, 2, 2, 8, 40, 16};
  for (int64_t t = 0; t < 2; ++t) {
    for (int64_t h = 0; h < 2; ++h) {
      for (int64_t d = 0; d < 8; ++d) memory[view.Offset(t, h, d)] = uint16_t(100 * t + 10 * h + d);
    }
  }
  const NpyArray array = TensorNpy(view);
  EXPECT_EQ(array.descr, "<u2");
  EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 2, 8}));
  std::vector<uint16_t> copy(memory.size(), 0xFFFF);
  TensorView into = view;
  into.data = copy.data();
  ASSERT_EQ(CopyNpyIntoView(array, "x.npy", into), "");
  EXPECT_EQ(copy, memory);
  into.dtype = DType::kF16;
  EXPECT_EQ(CopyNpyIntoView(array, "x.npy", into), "x.npy: dtype <u2, expected <f2 (f16)");
}

}  // namespace
}  // namespace ropebench
