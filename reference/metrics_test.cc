#include "reference/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ropebench {
namespace {

TEST(MetricsTest, KnownPerturbation) {
  DenseTensor r(2, 1, 4);
  r.values = {3, 1, 4, 1, 1, 0, 0, 1};  // half-split pairs (0,2) and (1,3)
  DenseTensor y = r;
  const double u = std::ldexp(1.0, -24);
  y.at(1, 0, 0) += 3 * u;  // pair (1, 0) of token 1 has norm 1: 3 units
  ErrorAccumulator accumulator(Pairing::kHalfSplit, 4, u);
  accumulator.Add(y, r);
  const ErrorMetrics m = accumulator.Result();
  EXPECT_DOUBLE_EQ(m.max_abs, 3 * u);
  EXPECT_DOUBLE_EQ(m.max_pair_error, 3.0);
  EXPECT_EQ(m.worst_token, 1);
  EXPECT_EQ(m.worst_pair, 0);
  EXPECT_DOUBLE_EQ(m.rms, std::sqrt(9 * u * u / 8));
  EXPECT_DOUBLE_EQ(m.nmse, 9 * u * u / 29);
  EXPECT_DOUBLE_EQ(m.token_max_pair_error[0], 0.0);
}

TEST(MetricsTest, NanCountsAsInfiniteError) {
  DenseTensor r(1, 1, 2);
  r.values = {1, 0};
  DenseTensor y = r;
  y.values[1] = NAN;
  ErrorAccumulator accumulator(Pairing::kInterleaved, 2, 1e-3);
  accumulator.Add(y, r);
  EXPECT_TRUE(std::isinf(accumulator.Result().max_pair_error));
}

}  // namespace
}  // namespace ropebench
