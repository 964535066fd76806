#include "reports/compare/rank_intervals.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ropebench {
namespace {

// The K-th smallest and K-th largest of sorted values (0-based K), or the range when K < 0.
void Bounds(const std::vector<double>& sorted, double k, ShiftInterval& out) {
  const auto count = static_cast<int64_t>(sorted.size());
  int64_t index = static_cast<int64_t>(std::floor(k));
  if (index < 0) {
    index = 0;
    out.at_data_limit = true;
  }
  index = std::min(index, (count - 1) / 2);
  out.low = sorted[index];
  out.high = sorted[count - 1 - index];
}

// The 0-based index of the interval's ends among the sorted Walsh averages of n paired differences
// (Wilcoxon signed-rank) or the n * m unpaired differences (Mann-Whitney), normal approximation.
double SignedRankIndex(double n, double z) {
  return n * (n + 1) / 4 - z * std::sqrt(n * (n + 1) * (2 * n + 1) / 24) - 0.5;
}
double RankSumIndex(double n, double m, double z) {
  return n * m / 2 - z * std::sqrt(n * m * (n + m + 1) / 12) - 0.5;
}

}  // namespace

double Median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  return n % 2 == 1 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
}

double NormalQuantile(double p) {
  // Newton's method on the normal CDF, from a start good to ~1e-2 (Tukey's lambda approximation).
  double x = 4.91 * (std::pow(p, 0.14) - std::pow(1 - p, 0.14));
  for (int i = 0; i < 50; ++i) {
    const double cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
    const double pdf = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
    const double step = (cdf - p) / pdf;
    x -= step;
    if (std::fabs(step) < 1e-12) break;
  }
  return x;
}

ShiftInterval UnpairedShift(std::span<const double> base, std::span<const double> head,
                            double alpha) {
  const auto n = static_cast<double>(base.size()), m = static_cast<double>(head.size());
  std::vector<double> differences;
  for (double b : head) {
    for (double a : base) differences.push_back(std::log(b) - std::log(a));
  }
  std::sort(differences.begin(), differences.end());
  ShiftInterval out;
  out.estimate = Median(differences);
  // Mann-Whitney: the interval runs from the (K+1)-th smallest difference to the (K+1)-th largest,
  // K the lower critical value of U.
  const double sd = std::sqrt(n * m * (n + m + 1) / 12);
  Bounds(differences, RankSumIndex(n, m, NormalQuantile(1 - alpha / 2)), out);
  // U = the number of differences above zero (ties count half); its mean nm/2.
  double u = 0;
  for (double d : differences) u += d > 0 ? 1 : d == 0 ? 0.5 : 0;
  out.p_value = std::erfc(std::max(0.0, std::fabs(u - n * m / 2) - 0.5) / sd / std::sqrt(2.0));
  return out;
}

ShiftInterval PairedShift(std::span<const double> base, std::span<const double> head,
                          double alpha) {
  std::vector<double> d;
  for (size_t i = 0; i < base.size() && i < head.size(); ++i) {
    d.push_back(std::log(head[i]) - std::log(base[i]));
  }
  const auto n = static_cast<double>(d.size());
  std::vector<double> walsh;  // every (d_i + d_j) / 2, i <= j
  for (size_t i = 0; i < d.size(); ++i) {
    for (size_t j = i; j < d.size(); ++j) walsh.push_back(0.5 * (d[i] + d[j]));
  }
  std::sort(walsh.begin(), walsh.end());
  ShiftInterval out;
  out.estimate = Median(walsh);
  const double sd = std::sqrt(n * (n + 1) * (2 * n + 1) / 24);
  Bounds(walsh, SignedRankIndex(n, NormalQuantile(1 - alpha / 2)), out);
  double w = 0;  // the signed-rank statistic: Walsh averages above zero
  for (double v : walsh) w += v > 0 ? 1 : v == 0 ? 0.5 : 0;
  out.p_value =
      std::erfc(std::max(0.0, std::fabs(w - n * (n + 1) / 4) - 0.5) / sd / std::sqrt(2.0));
  return out;
}

int SamplesForLevel(bool paired, double alpha) {
  const double z = NormalQuantile(1 - alpha / 2);
  int n = 2;
  while ((paired ? SignedRankIndex(n, z) : RankSumIndex(n, n, z)) < 0) ++n;
  return n;
}

}  // namespace ropebench
