#include "bench/diagnosis/measured_rotation.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>

#include "fmt/format.h"
#include "reference/rope_reference.h"

namespace ropebench {
namespace {

using Complex = std::complex<double>;

struct PairingFit {
  double residual = INFINITY;
  std::vector<std::vector<Complex>> w;  // [token][pair]
};

// Least-squares w per token and pair over every head of every tensor: w = sum conj(z) z' / sum
// |z|^2.
PairingFit FitRotations(const Observation& o, Pairing pairing) {
  const int pairs = o.spec.rotary_dim / 2;
  const int64_t tokens = static_cast<int64_t>(o.positions.size());
  PairingFit fit;
  fit.w.assign(tokens, std::vector<Complex>(pairs));
  double misfit = 0, energy = 0;
  for (int64_t t = 0; t < tokens; ++t) {
    for (int i = 0; i < pairs; ++i) {
      const PairIndex e = PairElements(pairing, o.spec.rotary_dim, i);
      Complex cross = 0;
      double norm = 0;
      for (size_t n = 0; n < o.inputs.size(); ++n) {
        for (int64_t h = 0; h < o.inputs[n].heads; ++h) {
          const Complex z(o.inputs[n].at(t, h, e.first), o.inputs[n].at(t, h, e.second));
          const Complex out(o.outputs[n].at(t, h, e.first), o.outputs[n].at(t, h, e.second));
          cross += std::conj(z) * out;
          norm += std::norm(z);
        }
      }
      const Complex w = norm > 0 ? cross / norm : Complex(0);
      fit.w[t][i] = w;
      for (size_t n = 0; n < o.inputs.size(); ++n) {
        for (int64_t h = 0; h < o.inputs[n].heads; ++h) {
          const Complex z(o.inputs[n].at(t, h, e.first), o.inputs[n].at(t, h, e.second));
          const Complex out(o.outputs[n].at(t, h, e.first), o.outputs[n].at(t, h, e.second));
          misfit += std::norm(out - w * z);
          energy += std::norm(out);
        }
      }
    }
  }
  fit.residual = energy > 0 ? misfit / energy : INFINITY;
  if (std::isnan(fit.residual)) fit.residual = INFINITY;
  return fit;
}

}  // namespace

std::optional<MeasuredRotation> MeasureRotation(const Observation& o) {
  if (o.positions.empty() || o.inputs.empty() || o.outputs.size() != o.inputs.size()) {
    return std::nullopt;
  }
  const Pairing other =
      o.spec.pairing == Pairing::kInterleaved ? Pairing::kHalfSplit : Pairing::kInterleaved;
  PairingFit own = FitRotations(o, o.spec.pairing);
  PairingFit swapped = FitRotations(o, other);
  MeasuredRotation m;
  int64_t heads = 0;
  for (const DenseTensor& x : o.inputs) heads += x.heads;
  m.pairing_determined = heads > 1;
  // The spec's pairing unless the other fits clearly better.
  const bool use_other = m.pairing_determined && swapped.residual < own.residual / 4;
  PairingFit& best = use_other ? swapped : own;
  m.pairing = use_other ? other : o.spec.pairing;
  m.residual = best.residual;
  m.other_residual = use_other ? own.residual : swapped.residual;
  if (!(m.residual <= kRotationResidual)) return std::nullopt;

  std::vector<double> gains;
  m.angle.resize(best.w.size());
  m.pair_gain.resize(best.w.size());
  for (size_t t = 0; t < best.w.size(); ++t) {
    for (const Complex& w : best.w[t]) {
      m.angle[t].push_back(std::arg(w));
      m.pair_gain[t].push_back(std::abs(w));
      gains.push_back(std::abs(w));
    }
  }
  std::nth_element(gains.begin(), gains.begin() + static_cast<long>(gains.size() / 2), gains.end());
  m.gain = gains[gains.size() / 2];
  return m;
}

std::vector<std::vector<double>> AngleResidual(const MeasuredRotation& m, const AngleModel& model) {
  constexpr long double kTwoPi = 6.283185307179586476925286766559L;
  std::vector<std::vector<double>> residual(m.angle.size());
  for (size_t t = 0; t < m.angle.size(); ++t) {
    for (size_t i = 0; i < m.angle[t].size(); ++i) {
      const long double modelled =
          model.phase + model.sign * std::fmod(model.positions[t] * model.theta[i], kTwoPi);
      residual[t].push_back(static_cast<double>(std::remainder(m.angle[t][i] - modelled, kTwoPi)));
    }
  }
  return residual;
}

double KeptBits(const MeasuredRotation& m, const AngleModel& model, const AngleModel& scale,
                const std::vector<size_t>& tokens) {
  const auto residual = AngleResidual(m, model);
  double worst = 0;
  for (size_t t = 0; t < residual.size(); ++t) {
    if (!tokens.empty() && std::find(tokens.begin(), tokens.end(), t) == tokens.end()) continue;
    for (size_t i = 0; i < residual[t].size(); ++i) {
      const double angle = std::fabs(static_cast<double>(scale.positions[t] * scale.theta[i]));
      worst = std::max(worst, std::fabs(residual[t][i]) / (angle + 1));
    }
  }
  return -std::log2(std::max(worst, 0x1p-60));
}

PrecisionProfile ProfileOf(const MeasuredRotation& m, const AngleModel& model,
                           const AngleModel& scale) {
  PrecisionProfile profile;
  profile.bits = KeptBits(m, model, scale);
  const auto residual = AngleResidual(m, model);
  const size_t pairs = model.theta.size();
  // Per pair, epsilon_i = sum e P / sum P^2 over the tokens whose residual has not wrapped.
  std::vector<double> epsilon(pairs, 0);
  double unexplained = 0, total = 0;
  for (size_t i = 0; i < pairs; ++i) {
    double cross = 0, square = 0;
    for (size_t t = 0; t < residual.size(); ++t) {
      const double angle = static_cast<double>(model.positions[t] * model.theta[i]);
      if (std::fabs(residual[t][i]) > 1) continue;
      cross += residual[t][i] * angle;
      square += angle * angle;
    }
    epsilon[i] = square > 0 ? cross / square : 0;
    for (size_t t = 0; t < residual.size(); ++t) {
      const double angle = static_cast<double>(model.positions[t] * model.theta[i]);
      if (std::fabs(residual[t][i]) > 1) continue;
      unexplained += std::pow(residual[t][i] - epsilon[i] * angle, 2);
      total += residual[t][i] * residual[t][i];
    }
    profile.frequency_error = std::max(profile.frequency_error, std::fabs(epsilon[i]));
  }
  profile.systematic = total > 0 && unexplained < total / 4;
  // Along the pairs: the upper half's typical |epsilon| well above the lower half's.
  if (pairs >= 4) {
    std::vector<double> low, high;
    for (size_t i = 0; i < pairs; ++i)
      (i < pairs / 2 ? low : high).push_back(std::fabs(epsilon[i]));
    auto median = [](std::vector<double> v) {
      std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
      return v[v.size() / 2];
    };
    // A float32 recurrence keeps 14 or more bits at the last pair; an 8-bit angle's noise can
    // fit a drift on a few tokens by chance.
    profile.grows_along_pairs = profile.systematic && profile.bits >= 12 &&
                                median(high) > 4 * median(low) && profile.frequency_error > 0x1p-21;
  }
  if (profile.grows_along_pairs) {
    profile.name = "frequencies drift pair after pair (a float32 recurrence theta *= ratio)";
  } else if (profile.systematic && profile.frequency_error < 0x1p-20) {
    profile.name = "frequencies rounded to float32 (each off by about an ulp), float32 angles";
  } else if (profile.systematic && profile.frequency_error < 0x1p-6) {
    profile.name = "frequencies kept in about " +
                   std::to_string(static_cast<int>(-std::log2(profile.frequency_error))) +
                   " bits (bf16 frequencies keep 8)";
  } else if (profile.bits >= 18) {
    profile.name = "float32 angles (error grows like position * theta * 2^-24)";
  } else if (profile.bits >= 6 && profile.bits < 12) {
    // bf16 and f16 tables fall in this band alike; the bits kept, stated beside it, tell them
    // apart.
    profile.name =
        "low-precision angles or cos/sin (bf16 angles, frequencies or tables keep 8 bits, "
        "f16 tables 11)";
  } else {
    profile.name =
        "angles kept to about " + std::to_string(static_cast<int>(profile.bits)) + " bits";
  }
  return profile;
}

RecoveredPairs RecoverPairs(const MeasuredRotation& m, const AngleModel& spec) {
  constexpr int64_t kSmallPositions = 16;
  const auto residual = AngleResidual(m, spec);
  RecoveredPairs out;
  out.pairing = std::string(ToString(m.pairing));
  std::vector<size_t> tokens;  // sorted by position, so that the residual unwraps step by step
  for (size_t t = 0; t < residual.size(); ++t) {
    if (spec.positions[t] < kSmallPositions) tokens.push_back(t);
  }
  if (tokens.size() < 3) {
    tokens.resize(residual.size());
    std::iota(tokens.begin(), tokens.end(), size_t{0});
  }
  std::stable_sort(tokens.begin(), tokens.end(),
                   [&](size_t a, size_t b) { return spec.positions[a] < spec.positions[b]; });
  constexpr double kPi = 3.14159265358979323846;
  for (size_t i = 0; i < spec.theta.size(); ++i) {
    // residual = (theta' - theta) p + theta' * offset: a line in p once unwrapped.
    double sp = 0, sr = 0, spp = 0, spr = 0, previous = 0, unwrap = 0;
    for (size_t n = 0; n < tokens.size(); ++n) {
      const double r = residual[tokens[n]][i];
      if (n > 0) unwrap += 2 * kPi * std::round((previous - r) / (2 * kPi));
      previous = r;
      const double p = static_cast<double>(spec.positions[tokens[n]]);
      sp += p;
      sr += r + unwrap;
      spp += p * p;
      spr += p * (r + unwrap);
    }
    const double count = static_cast<double>(tokens.size());
    const double variance = spp - sp * sp / count;
    const double slope = variance > 0 ? (spr - sp * sr / count) / variance : 0;
    const double intercept = (sr - slope * sp) / count;
    const double theta = static_cast<double>(spec.theta[i]) + slope;
    out.spec_theta.push_back(static_cast<double>(spec.theta[i]));
    out.theta.push_back(theta);
    out.offset.push_back(theta != 0 ? intercept / theta : 0);
    std::vector<double> gains;
    double worst = 0;
    for (size_t t = 0; t < residual.size(); ++t) {
      gains.push_back(m.pair_gain[t][i]);
      const double angle = std::fabs(static_cast<double>(spec.positions[t] * spec.theta[i]));
      worst = std::max(worst, std::fabs(residual[t][i]) / (angle + 1));
    }
    std::nth_element(gains.begin(), gains.begin() + static_cast<long>(gains.size() / 2),
                     gains.end());
    out.gain.push_back(gains.empty() ? 0 : gains[gains.size() / 2]);
    out.angle_bits.push_back(-std::log2(std::max(worst, 0x1p-60)));
  }
  return out;
}

std::string DescribeFrequencies(const RecoveredPairs& r) {
  constexpr double kSameRatio = 0.02;
  constexpr size_t kMostRuns = 5;
  struct Run {
    size_t first, last;
    double ratio, last_ratio;  // at the first pair and the last
    bool transition = false;   // the ratio changes pair after pair
  };
  std::vector<Run> runs;
  for (size_t i = 0; i < r.theta.size(); ++i) {
    const double ratio = r.spec_theta[i] != 0 ? r.theta[i] / r.spec_theta[i] : 0;
    if (!(ratio > 0) || !std::isfinite(ratio)) return "";  // no frequency fits these angles
    if (!runs.empty() && std::fabs(ratio - runs.back().last_ratio) <= kSameRatio * ratio) {
      runs.back().last = i;
      runs.back().last_ratio = ratio;
    } else {
      runs.push_back({i, i, ratio, ratio});
    }
  }
  // Pairs whose ratio changes pair after pair (Llama-3's smoothing band, a YaRN ramp): one
  // transition from the first's ratio to the last's.
  std::vector<Run> merged;
  for (const Run& run : runs) {
    const bool single = run.first == run.last;
    // Two single pairs in a row start a transition; more singles extend it.
    if (single && !merged.empty() &&
        (merged.back().transition || merged.back().first == merged.back().last)) {
      merged.back().last = run.last;
      merged.back().last_ratio = run.ratio;
      merged.back().transition = true;
    } else {
      merged.push_back(run);
    }
  }
  if (merged.empty() || merged.size() > kMostRuns) return "";
  auto ratio_text = [&](double ratio) {
    if (std::fabs(ratio - 1) <= kSameRatio) return std::string("the spec's frequency");
    return ratio > 1 ? fmt::format("{:.3g}x the spec's", ratio)
                     : fmt::format("the spec's divided by {:.3g}", 1 / ratio);
  };
  std::string text;
  for (const Run& run : merged) {
    if (!text.empty()) text += "; ";
    text += run.first == run.last ? fmt::format("pair {}", run.first)
                                  : fmt::format("pairs {}-{}", run.first, run.last);
    text += run.transition ? " from " + ratio_text(run.ratio) + " to " + ratio_text(run.last_ratio)
                           : " at " + ratio_text(run.ratio);
  }
  return text;
}

}  // namespace ropebench
