// Storage conversions for candidates: f32 <-> f16 and bf16, both narrowing with
// round-to-nearest-even (DESIGN.md §3: truncating bf16 is a defect, not a convention). The
// reference decodes on its own.
#pragma once

#include <bit>
#include <cstdint>

#include "reference/tensor.h"

namespace ropebench {

uint16_t FloatToF16(float value);
float F16ToFloat(uint16_t bits);
inline uint16_t FloatToBF16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7FFFFFFF) > 0x7F800000) return static_cast<uint16_t>((bits >> 16) | 0x40);  // NaN
  const uint32_t round = 0x7FFF + ((bits >> 16) & 1);  // to nearest, ties to even
  return static_cast<uint16_t>((bits + round) >> 16);
}
inline float BF16ToFloat(uint16_t bits) { return std::bit_cast<float>(uint32_t{bits} << 16); }
// An f32 rounded to the nearest bf16, as code that keeps a value in bf16 sees it.
inline float RoundToBF16(float value) { return BF16ToFloat(FloatToBF16(value)); }

// Element `index` of a buffer of the given dtype, as f32 (exact).
float LoadAsFloat(const void* data, DType dtype, int64_t index);
// Stores an f32 into element `index`, rounding to nearest even for f16 and bf16.
void StoreFromFloat(void* data, DType dtype, int64_t index, float value);

// The same for a dtype known at compile time, for inner loops.
template <DType kDType>
inline float Load(const void* data, int64_t index) {
  if constexpr (kDType == DType::kF32) return static_cast<const float*>(data)[index];
  if constexpr (kDType == DType::kF16) return F16ToFloat(static_cast<const uint16_t*>(data)[index]);
  if constexpr (kDType == DType::kBF16) {
    return BF16ToFloat(static_cast<const uint16_t*>(data)[index]);
  }
}

template <DType kDType>
inline void Store(void* data, int64_t index, float value) {
  if constexpr (kDType == DType::kF32) static_cast<float*>(data)[index] = value;
  if constexpr (kDType == DType::kF16) static_cast<uint16_t*>(data)[index] = FloatToF16(value);
  if constexpr (kDType == DType::kBF16) static_cast<uint16_t*>(data)[index] = FloatToBF16(value);
}

// Calls fn.template operator()<kDType>() for the dtype given at run time.
template <typename Fn>
inline decltype(auto) WithDType(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kF16:
      return fn.template operator()<DType::kF16>();
    case DType::kBF16:
      return fn.template operator()<DType::kBF16>();
    case DType::kF32:
      break;
  }
  return fn.template operator()<DType::kF32>();
}

}  // namespace ropebench
