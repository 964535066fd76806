// The vectors protocol (issue 5): test cases as files that a program in any language reads and
// answers. DIR/manifest.json lists the cases ({"format": "ropebench-vectors", "version": 1,
// "cases": [...]}, each spec with the C ABI's field names), and per case NumPy files hold the
// positions, Q and K ([tokens, heads, head_dim] in the storage dtype; bf16 as raw <u2 bits) and,
// optionally, the float64 expected outputs. A candidate writes OUT/<id>.q.npy and OUT/<id>.k.npy.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "reference/rope_spec.h"
#include "reference/tensor.h"
#include "reports/vectors/npy.h"

namespace ropebench {

inline constexpr int kVectorsVersion = 1;

struct VectorCase {
  std::string id;  // file-name safe: [A-Za-z0-9._-], not starting with '.'
  RopeSpec spec;   // seq_len resolved
  DType dtype = DType::kF32;
  int64_t tokens = 0;
  int q_heads = 0;
  int k_heads = 0;  // 0: the case has no K
  // Informational, for the report of `vectors check`: the suite case this was exported from.
  std::string suite, group, name, preset, positions_kind;

  // "<id>.<what>.npy": what is positions, q, k, q.expected or k.expected.
  std::string File(std::string_view what) const { return id + "." + std::string(what) + ".npy"; }
};

// A case name made into an id: characters outside [A-Za-z0-9._-] become '.'.
std::string VectorCaseId(std::string_view name);

// The spec as the C ABI spells it: every field present, truncate 0/1, attention_factor 0 for the
// method's default, short/long factors null unless LongRoPE.
nlohmann::json AbiSpecJson(const RopeSpec& spec);
// Reads that form back, strictly; "" or a one-line error naming the field.
std::string ReadAbiSpecJson(const nlohmann::json& json, RopeSpec& spec);

nlohmann::json ManifestJson(const std::vector<VectorCase>& cases, bool with_expected);
// Reads DIR/manifest.json; "" or a one-line error naming the file, the case and the problem.
std::string ReadManifest(const std::string& dir, std::vector<VectorCase>& cases);

// A view's elements packed [tokens, heads, head_dim] as its storage dtype's .npy.
NpyArray TensorNpy(const TensorView& view);
NpyArray DenseNpy(const DenseTensor& tensor);  // <f8
NpyArray PositionsNpy(std::span<const int64_t> positions);

// Checks that `array` (read from `path`) is a [tokens, heads, head_dim] tensor of the view's dtype
// and copies it into the view; "" or a one-line error naming the file, the expected and the found.
std::string CopyNpyIntoView(const NpyArray& array, const std::string& path, const TensorView& view);
// Checks that `array` is int64 [tokens] and returns its values; "" or a one-line error.
std::string ReadPositionsNpy(const NpyArray& array, const std::string& path, int64_t tokens,
                             std::vector<int64_t>& positions);

}  // namespace ropebench
