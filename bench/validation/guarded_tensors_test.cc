#include "bench/validation/guarded_tensors.h"

#include <gtest/gtest.h>

#include <cmath>

#include "impls/core/numeric.h"

namespace ropebench {
namespace {

TEST(GuardedTensorsTest, EveryLayoutStartsIntactAndSeesAStrayWrite) {
  for (Layout layout : kAllLayouts) {
    for (DType dtype : kAllDTypes) {
      GuardedTensors tensors(layout, dtype, 3, 4, 2, 6);
      tensors.FillRandom(1);
      EXPECT_EQ(tensors.FirstGuardViolation(), "") << ToString(layout);
      const TensorView& k = tensors.k();
      // One element past the last head of the last token of K.
      StoreFromFloat(k.data, dtype, k.Offset(2, 1, 6), 0.5f);
      EXPECT_NE(tensors.FirstGuardViolation(), "") << ToString(layout) << " " << ToString(dtype);
    }
  }
}

TEST(GuardedTensorsTest, GapsBetweenPaddedHeadsAreGuarded) {
  GuardedTensors tensors(Layout::kPadded, DType::kF32, 2, 2, 1, 4);
  const TensorView& q = tensors.q();
  EXPECT_FALSE(q.IsContiguous());
  StoreFromFloat(q.data, DType::kF32, q.Offset(0, 0, 4), 1.0f);  // in the padding after head 0
  EXPECT_NE(tensors.FirstGuardViolation(), "");
}

TEST(GuardedTensorsTest, ValuesAreBoundedAwayFromZeroAndRestorable) {
  GuardedTensors tensors(Layout::kPackedQkv, DType::kBF16, 5, 3, 1, 8);
  tensors.FillRandom(9);
  const GuardedTensors::Bytes before = tensors.Snapshot();
  const DenseTensor q = Widen(tensors.q());
  for (double v : q.values) {
    EXPECT_GE(std::fabs(v), 0.24);
    EXPECT_LE(std::fabs(v), 4.01);
  }
  StoreFromFloat(tensors.q().data, DType::kBF16, 7, 3.0f);
  EXPECT_EQ(tensors.FirstPassThroughChange(before, 6), "q token 0 head 0 element 7 changed");
  tensors.Restore(before);
  EXPECT_EQ(tensors.FirstPassThroughChange(before, 6), "");
  EXPECT_EQ(tensors.QAt(2).tokens, 1);
  EXPECT_EQ(Widen(tensors.QAt(2)).values[0], q.at(2, 0, 0));
}

}  // namespace
}  // namespace ropebench
