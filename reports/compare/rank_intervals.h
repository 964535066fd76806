// Distribution-free confidence intervals for the change between two sets of timings, in log space
// (so a shift is a ratio): the Hodges-Lehmann estimate with the Mann-Whitney interval for
// unpaired samples, and with the Wilcoxon signed-rank interval for paired ones. Timings on a shared
// machine are skewed and heavy-tailed; rank intervals assume neither normality nor equal spreads of
// a known form, only that the change is a shift.
#pragma once

#include <span>
#include <vector>

namespace ropebench {

struct ShiftInterval {
  double estimate = 0;  // log(head / base), Hodges-Lehmann
  double low = 0;       // the interval on log(head / base)
  double high = 0;
  double p_value = 1;  // two-sided, of "no change" (normal approximation of the rank statistic)
  bool at_data_limit = false;  // too few samples for the level: the interval is the data's range
};

// The middle of the samples (the mean of the two middle ones for an even count); 0 when empty.
double Median(std::vector<double> samples);

// The standard normal quantile.
double NormalQuantile(double p);

// Unpaired: every log(head_j) - log(base_i). `alpha` is the two-sided miss rate (0.05 for 95 %).
ShiftInterval UnpairedShift(std::span<const double> base, std::span<const double> head,
                            double alpha);
// Paired: base[i] and head[i] were measured together (interleaved runs); sizes must match.
ShiftInterval PairedShift(std::span<const double> base, std::span<const double> head, double alpha);

// The fewest samples per side (pairs when paired) whose interval at `alpha` is not at the data
// limit: below it the data's whole range covers the truth less often than the level claims.
int SamplesForLevel(bool paired, double alpha);

}  // namespace ropebench
