// Error metrics of a candidate's output against the reference (DESIGN.md §5).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "reference/rope_spec.h"
#include "reference/tensor.h"

namespace ropebench {

// |(a, b)|. Plain sqrt(a^2 + b^2): element values here are far from overflow, and hypot is ~5x
// slower.
inline double PairNorm(double a, double b) { return std::sqrt(a * a + b * b); }

struct ErrorMetrics {
  double max_abs = 0;  // max |y - r| over every element
  double rms = 0;      // sqrt(mean (y - r)^2)
  double nmse = 0;     // sum (y - r)^2 / sum r^2, comparable with ggml's backend tests
  // max over rotated pairs of |y - r| / (|r_pair| * u): scale-free, in units of the storage dtype's
  // unit roundoff u, so one tolerance table serves every input and attention factor.
  double max_pair_error = 0;
  int64_t worst_token = -1;  // where max_pair_error was found
  int64_t worst_head = -1;
  int worst_pair = -1;
  // max pair error of each token (over heads and pairs of every tensor added), for position sweeps.
  std::vector<double> token_max_pair_error;
};

// Accumulates the metrics over several tensors (Q and K) that share tokens.
class ErrorAccumulator {
 public:
  ErrorAccumulator(Pairing pairing, int rotary_dim, double unit_roundoff)
      : pairing_(pairing), rotary_dim_(rotary_dim), unit_roundoff_(unit_roundoff) {}

  // A NaN or infinity in y where r is finite counts as an infinite error.
  void Add(const DenseTensor& y, const DenseTensor& r);
  ErrorMetrics Result() const;

 private:
  Pairing pairing_;
  int rotary_dim_;
  double unit_roundoff_;
  double sum_squared_error_ = 0;
  double sum_squared_reference_ = 0;
  int64_t count_ = 0;
  ErrorMetrics metrics_;
};

}  // namespace ropebench
