#include "impls/core/numeric.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace ropebench {

uint16_t FloatToF16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const uint16_t sign = (bits >> 16) & 0x8000;
  const uint32_t magnitude = bits & 0x7FFFFFFF;
  // A NaN keeps its upper payload and becomes quiet, as F16C's vcvtps2ph does.
  if (magnitude > 0x7F800000) return sign | 0x7E00 | ((magnitude >> 13) & 0x1FF);
  if (magnitude >= 0x477FF000) return sign | 0x7C00;  // >= 65520 rounds to infinity
  if (magnitude < 0x38800000) {
    // Below f16's smallest normal 2^-14: the subnormal count is value * 2^24, rounded to nearest
    // even (the default rounding mode). The scaling by a power of two is exact.
    const float scaled = std::bit_cast<float>(magnitude) * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  // Normal: rebias the exponent (127 -> 15) and drop 13 fraction bits, rounding to nearest even. A
  // carry out of the fraction correctly bumps the exponent.
  const uint32_t rebiased = magnitude - (112u << 23);
  const uint32_t round = 0xFFF + ((rebiased >> 13) & 1);
  return sign | static_cast<uint16_t>((rebiased + round) >> 13);
}

float F16ToFloat(uint16_t bits) {
  const uint32_t sign = uint32_t{bits & 0x8000u} << 16;
  const uint32_t exponent = (bits >> 10) & 0x1F;
  const uint32_t fraction = bits & 0x3FF;
  if (exponent == 0) {
    const float magnitude = static_cast<float>(fraction) * (1.0f / 16777216.0f);
    return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
  }
  if (exponent == 31) {  // infinity, or a NaN made quiet (as F16C's vcvtph2ps does)
    const uint32_t quiet = fraction != 0 ? 0x00400000 : 0;
    return std::bit_cast<float>(sign | 0x7F800000 | quiet | (fraction << 13));
  }
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (fraction << 13));
}

float LoadAsFloat(const void* data, DType dtype, int64_t index) {
  if (dtype == DType::kF32) return static_cast<const float*>(data)[index];
  const uint16_t bits = static_cast<const uint16_t*>(data)[index];
  return dtype == DType::kF16 ? F16ToFloat(bits) : BF16ToFloat(bits);
}

void StoreFromFloat(void* data, DType dtype, int64_t index, float value) {
  switch (dtype) {
    case DType::kF32:
      static_cast<float*>(data)[index] = value;
      return;
    case DType::kF16:
      static_cast<uint16_t*>(data)[index] = FloatToF16(value);
      return;
    case DType::kBF16:
      static_cast<uint16_t*>(data)[index] = FloatToBF16(value);
      return;
  }
}

}  // namespace ropebench
