#include "reference/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "reference/rope_reference.h"

namespace ropebench {
namespace {

// |y - r| that treats a non-finite y (where r is finite) as infinitely wrong.
double AbsError(double y, double r) {
  const double error = std::fabs(y - r);
  return std::isnan(error) ? std::numeric_limits<double>::infinity() : error;
}

}  // namespace

void ErrorAccumulator::Add(const DenseTensor& y, const DenseTensor& r) {
  if (metrics_.token_max_pair_error.empty()) metrics_.token_max_pair_error.assign(r.tokens, 0.0);
  for (size_t n = 0; n < r.values.size(); ++n) {
    const double error = AbsError(y.values[n], r.values[n]);
    metrics_.max_abs = std::max(metrics_.max_abs, error);
    sum_squared_error_ += error * error;
    sum_squared_reference_ += r.values[n] * r.values[n];
  }
  count_ += static_cast<int64_t>(r.values.size());

  for (int64_t t = 0; t < r.tokens; ++t) {
    for (int64_t h = 0; h < r.heads; ++h) {
      for (int i = 0; i < rotary_dim_ / 2; ++i) {
        const PairIndex pair = PairElements(pairing_, rotary_dim_, i);
        const double norm = std::max(PairNorm(r.at(t, h, pair.first), r.at(t, h, pair.second)),
                                     std::numeric_limits<double>::min());
        const double error = std::max(AbsError(y.at(t, h, pair.first), r.at(t, h, pair.first)),
                                      AbsError(y.at(t, h, pair.second), r.at(t, h, pair.second))) /
                             (norm * unit_roundoff_);
        metrics_.token_max_pair_error[t] = std::max(metrics_.token_max_pair_error[t], error);
        if (error > metrics_.max_pair_error || metrics_.worst_token < 0) {
          metrics_.max_pair_error = std::max(metrics_.max_pair_error, error);
          metrics_.worst_token = t;
          metrics_.worst_head = h;
          metrics_.worst_pair = i;
        }
      }
    }
  }
}

ErrorMetrics ErrorAccumulator::Result() const {
  ErrorMetrics result = metrics_;
  result.rms = count_ ? std::sqrt(sum_squared_error_ / count_) : 0;
  result.nmse = sum_squared_reference_ > 0 ? sum_squared_error_ / sum_squared_reference_ : 0;
  return result;
}

}  // namespace ropebench
