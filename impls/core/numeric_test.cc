#include "impls/core/numeric.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>

#include "reference/tensor.h"

namespace ropebench {
namespace {

TEST(NumericTest, F16DecodeAgreesWithTheReferenceForEveryBitPattern) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const uint16_t b = static_cast<uint16_t>(bits);
    const double expected = WidenElement(&b, DType::kF16, 0);
    const float decoded = F16ToFloat(b);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(decoded)) << bits;
    } else {
      ASSERT_EQ(decoded, expected) << std::hex << bits;
      EXPECT_EQ(FloatToF16(decoded), b) << "round trip " << std::hex << bits;
    }
  }
}

TEST(NumericTest, F16RoundsToNearestEven) {
  EXPECT_EQ(FloatToF16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);      // tie, stays even
  EXPECT_EQ(FloatToF16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie, rounds up to even
  EXPECT_EQ(FloatToF16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3C01);
  EXPECT_EQ(FloatToF16(65519.0f), 0x7BFF);
  EXPECT_EQ(FloatToF16(65520.0f), 0x7C00);               // the tie above 65504 goes to infinity
  EXPECT_EQ(FloatToF16(std::ldexp(1.0f, -25)), 0x0000);  // half the smallest subnormal: to even 0
  EXPECT_EQ(FloatToF16(3 * std::ldexp(1.0f, -25)), 0x0002);  // 1.5 subnormal units: to even 2
  EXPECT_EQ(FloatToF16(-std::ldexp(1023.5f, -24)), 0x8400);  // rounds up into the smallest normal
  EXPECT_EQ(FloatToF16(NAN) & 0x7E00, 0x7E00);
}

TEST(NumericTest, BF16RoundsToNearestEvenNotTruncates) {
  const float one_plus_half_ulp = std::bit_cast<float>(0x3F808000u);  // tie: stays 0x3F80
  const float three_halves = std::bit_cast<float>(0x3F818000u);       // tie: rounds up to 0x3F82
  const float above_tie = std::bit_cast<float>(0x3F808001u);
  EXPECT_EQ(FloatToBF16(one_plus_half_ulp), 0x3F80);
  EXPECT_EQ(FloatToBF16(three_halves), 0x3F82);
  EXPECT_EQ(FloatToBF16(above_tie), 0x3F81);  // truncation would give 0x3F80
  EXPECT_TRUE(std::isnan(BF16ToFloat(FloatToBF16(NAN))));
  for (uint32_t bits = 0; bits < 0x10000; bits += 7) {
    const uint16_t b = static_cast<uint16_t>(bits);
    const double expected = WidenElement(&b, DType::kBF16, 0);
    if (!std::isnan(expected)) {
      EXPECT_EQ(BF16ToFloat(b), expected);
    }
  }
}

TEST(NumericTest, LoadAndStoreEachDType) {
  uint16_t half[2] = {};
  float single[2] = {};
  StoreFromFloat(half, DType::kF16, 1, 0.5f);
  StoreFromFloat(single, DType::kF32, 1, 0.25f);
  EXPECT_EQ(half[1], 0x3800);
  EXPECT_EQ(LoadAsFloat(half, DType::kF16, 1), 0.5f);
  EXPECT_EQ(LoadAsFloat(single, DType::kF32, 1), 0.25f);
  StoreFromFloat(half, DType::kBF16, 0, -2.0f);
  EXPECT_EQ(LoadAsFloat(half, DType::kBF16, 0), -2.0f);
}

}  // namespace
}  // namespace ropebench
