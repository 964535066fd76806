#include "reference/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace ropebench {
namespace {

double DecodeHalf(uint16_t bits, DType dtype) { return WidenElement(&bits, dtype, 0); }

TEST(TensorTest, DecodesF16ByDefinition) {
  EXPECT_EQ(DecodeHalf(0x3C00, DType::kF16), 1.0);
  EXPECT_EQ(DecodeHalf(0xC000, DType::kF16), -2.0);
  EXPECT_EQ(DecodeHalf(0x7BFF, DType::kF16), 65504.0);
  EXPECT_EQ(DecodeHalf(0x0001, DType::kF16), std::ldexp(1.0, -24));  // smallest subnormal
  EXPECT_EQ(DecodeHalf(0x0400, DType::kF16), std::ldexp(1.0, -14));  // smallest normal
  EXPECT_EQ(DecodeHalf(0x3555, DType::kF16), 0.333251953125);
  EXPECT_TRUE(std::isinf(DecodeHalf(0x7C00, DType::kF16)));
  EXPECT_TRUE(std::isnan(DecodeHalf(0x7E00, DType::kF16)));
}

TEST(TensorTest, DecodesBF16AsUpperHalfOfF32) {
  EXPECT_EQ(DecodeHalf(0x3F80, DType::kBF16), 1.0);
  EXPECT_EQ(DecodeHalf(0x4049, DType::kBF16), 3.140625);
  EXPECT_EQ(DecodeHalf(0xBF00, DType::kBF16), -0.5);
}

TEST(TensorTest, WidensAStridedView) {
  // 2 tokens x 2 heads x 3 dims with padded heads (stride 4) and padded rows (stride 10).
  float storage[20];
  for (int n = 0; n < 20; ++n) storage[n] = static_cast<float>(n);
  const TensorView view{storage, DType::kF32, 2, 2, 3, 10, 4};
  EXPECT_FALSE(view.IsContiguous());
  const DenseTensor dense = Widen(view);
  EXPECT_EQ(dense.at(0, 0, 0), 0);
  EXPECT_EQ(dense.at(0, 1, 2), 6);
  EXPECT_EQ(dense.at(1, 0, 1), 11);
  EXPECT_EQ(dense.at(1, 1, 2), 16);
}

TEST(TensorTest, UnitRoundoffPerDType) {
  EXPECT_EQ(UnitRoundoff(DType::kF32), std::ldexp(1.0, -24));
  EXPECT_EQ(UnitRoundoff(DType::kF16), std::ldexp(1.0, -11));
  EXPECT_EQ(UnitRoundoff(DType::kBF16), std::ldexp(1.0, -8));
  for (DType d : kAllDTypes) EXPECT_EQ(ParseDType(ToString(d)), d);
}

}  // namespace
}  // namespace ropebench
