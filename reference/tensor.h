// Storage dtypes, the strided [tokens, heads, head_dim] view every candidate rotates, and the dense
// float64 tensor the reference computes in (DESIGN.md §3).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ropebench {

enum class DType { kF32, kF16, kBF16 };
inline constexpr DType kAllDTypes[] = {DType::kF32, DType::kF16, DType::kBF16};

std::string_view ToString(DType dtype);
std::optional<DType> ParseDType(std::string_view name);
int BytesPerElement(DType dtype);
// Unit roundoff u of the storage format: 2^-24 (f32), 2^-11 (f16), 2^-8 (bf16).
double UnitRoundoff(DType dtype);

// A strided view; element (t, h, d) sits at data + (t*token_stride + h*head_stride + d) elements.
struct TensorView {
  void* data = nullptr;
  DType dtype = DType::kF32;
  int64_t tokens = 0;
  int64_t heads = 0;
  int64_t head_dim = 0;
  int64_t token_stride = 0;  // in elements
  int64_t head_stride = 0;   // in elements

  int64_t Offset(int64_t t, int64_t h, int64_t d) const {
    return t * token_stride + h * head_stride + d;
  }
  // True when the tensor is packed [tokens][heads][head_dim] with no gaps.
  bool IsContiguous() const { return head_stride == head_dim && token_stride == heads * head_dim; }
};

// Dense float64 [tokens, heads, head_dim].
struct DenseTensor {
  int64_t tokens = 0;
  int64_t heads = 0;
  int64_t head_dim = 0;
  std::vector<double> values;

  DenseTensor() = default;
  DenseTensor(int64_t t, int64_t h, int64_t d)
      : tokens(t), heads(h), head_dim(d), values(t * h * d) {}
  double& at(int64_t t, int64_t h, int64_t d) { return values[(t * heads + h) * head_dim + d]; }
  double at(int64_t t, int64_t h, int64_t d) const {
    return values[(t * heads + h) * head_dim + d];
  }
};

// Decodes one stored element exactly (every f32, f16 and bf16 value is a double).
double WidenElement(const void* data, DType dtype, int64_t index);

// Reads a strided view into a dense float64 tensor, exactly.
DenseTensor Widen(const TensorView& view);

}  // namespace ropebench
