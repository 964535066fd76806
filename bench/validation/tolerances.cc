#include "bench/validation/tolerances.h"

namespace ropebench {
namespace {

double run_tolerance = 0;

}  // namespace

void SetRunTolerance(double u) { run_tolerance = u; }

double PairErrorTolerance(Arithmetic arithmetic, DType dtype) {
  if (run_tolerance > 0) return run_tolerance;
  struct Row {
    Arithmetic arithmetic;
    DType dtype;
    double tolerance;
  };
  static constexpr Row kTable[] = {
      // f32 arithmetic with f32 storage: cos and sin each rounded to f32 (u each), two products
      // and a sum rounded (u each) and the result stored: about 4u per element in the worst case,
      // and 8u leaves room for an FMA-free or FMA ordering without hiding any real defect (the
      // smallest defect in BUG_CLASSES.md, an fp32 angle, is >100u by position 2^12).
      {Arithmetic::kF32, DType::kF32, 8},
      // f16 / bf16 storage: the final rounding to storage (<= 1u of the storage dtype)
      // dominates; the f32 arithmetic before it adds < 2^-10 u (f16) or 2^-14 u (bf16).
      {Arithmetic::kF32, DType::kF16, 1.5},
      {Arithmetic::kF32, DType::kBF16, 1.5},
      // f64 arithmetic rounds once, at the store (<= 1u), and twice for f16/bf16 (f64 -> f32 ->
      // 16 bit, whose double rounding can add 2^-13 u).
      {Arithmetic::kF64, DType::kF32, 1.25},
      {Arithmetic::kF64, DType::kF16, 1.25},
      {Arithmetic::kF64, DType::kBF16, 1.25},
  };
  for (const Row& row : kTable) {
    if (row.arithmetic == arithmetic && row.dtype == dtype) return row.tolerance;
  }
  return 0;
}

}  // namespace ropebench
