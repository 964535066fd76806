#include "reference/tensor.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

namespace ropebench {
namespace {

constexpr std::string_view kDTypeNames[] = {"f32", "f16", "bf16"};

// IEEE binary16: 1 sign, 5 exponent (bias 15), 10 fraction bits. Decoded by its definition, not by
// bit tricks, so that it shares nothing with the candidates' conversions.
double DecodeF16(uint16_t bits) {
  const int sign = bits >> 15;
  const int exponent = (bits >> 10) & 0x1F;
  const int fraction = bits & 0x3FF;
  double magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(fraction, -24);  // subnormal: fraction * 2^-14 * 2^-10
  } else if (exponent == 31) {
    magnitude = fraction == 0 ? INFINITY : NAN;
  } else {
    magnitude = std::ldexp(1024 + fraction, exponent - 25);
  }
  return sign ? -magnitude : magnitude;
}

// Every f16 value decoded once (the harness widens millions of elements per suite).
const double* DecodedF16() {
  static const std::vector<double> table = [] {
    std::vector<double> values(65536);
    for (size_t i = 0; i < values.size(); ++i) values[i] = DecodeF16(static_cast<uint16_t>(i));
    return values;
  }();
  return table.data();
}

// bfloat16 is the upper half of a float32.
double DecodeBF16(uint16_t bits) { return std::bit_cast<float>(uint32_t{bits} << 16); }

}  // namespace

std::string_view ToString(DType dtype) { return kDTypeNames[static_cast<int>(dtype)]; }

std::optional<DType> ParseDType(std::string_view name) {
  for (DType dtype : kAllDTypes) {
    if (ToString(dtype) == name) return dtype;
  }
  return std::nullopt;
}

int BytesPerElement(DType dtype) { return dtype == DType::kF32 ? 4 : 2; }

double UnitRoundoff(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return std::ldexp(1.0, -24);
    case DType::kF16:
      return std::ldexp(1.0, -11);
    case DType::kBF16:
      return std::ldexp(1.0, -8);
  }
  return 0;
}

double WidenElement(const void* data, DType dtype, int64_t index) {
  const auto* bytes = static_cast<const unsigned char*>(data) + index * BytesPerElement(dtype);
  if (dtype == DType::kF32) {
    float value;
    std::memcpy(&value, bytes, sizeof value);
    return value;
  }
  uint16_t bits;
  std::memcpy(&bits, bytes, sizeof bits);
  return dtype == DType::kF16 ? DecodedF16()[bits] : DecodeBF16(bits);
}

DenseTensor Widen(const TensorView& view) {
  DenseTensor dense(view.tokens, view.heads, view.head_dim);
  double* out = dense.values.data();
  const double* f16 = DecodedF16();
  for (int64_t t = 0; t < view.tokens; ++t) {
    for (int64_t h = 0; h < view.heads; ++h) {
      // One loop per dtype, over a head's elements: the harness widens every output it judges.
      const int64_t row = view.Offset(t, h, 0);
      const void* in =
          static_cast<const unsigned char*>(view.data) + row * BytesPerElement(view.dtype);
      switch (view.dtype) {
        case DType::kF32:
          for (int64_t d = 0; d < view.head_dim; ++d) *out++ = static_cast<const float*>(in)[d];
          break;
        case DType::kF16:
          for (int64_t d = 0; d < view.head_dim; ++d)
            *out++ = f16[static_cast<const uint16_t*>(in)[d]];
          break;
        case DType::kBF16:
          for (int64_t d = 0; d < view.head_dim; ++d)
            *out++ = DecodeBF16(static_cast<const uint16_t*>(in)[d]);
          break;
      }
    }
  }
  return dense;
}

}  // namespace ropebench
