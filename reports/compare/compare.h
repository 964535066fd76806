// Two reports into a CI verdict (DESIGN.md §7): per benchmark in both, the ratio HEAD/BASE of the
// per-repetition times with a rank-based confidence interval, a practical threshold tau, and a
// three-valued answer — regression (the interval's lower end above +tau), pass (its upper end below
// +tau; improved when below -tau) or inconclusive, with the smallest effect the data could have
// resolved. Confidence levels are Holm-corrected for the number of benchmarks. Accuracy is gated
// too: a case that passed and now fails, or a drop of "accurate up to", is a regression whatever
// the timings say.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace ropebench {

struct CompareOptions {
  double threshold = 0.05;  // tau: a slowdown below this is not worth failing CI for
  std::map<std::string, double> overrides;  // per benchmark name (or "prefix*"): its own tau
  double confidence = 0.95;                 // family-wise, over all the benchmarks compared
  bool paired = false;         // repetition i of BASE and of HEAD were measured together
  bool cross_machine = false;  // compare reports whose machine fingerprints differ
};

enum class Verdict { kRegression, kPass, kImproved, kInconclusive };
std::string_view ToString(Verdict verdict);

struct BenchmarkComparison {
  std::string name;
  Verdict verdict = Verdict::kInconclusive;
  double base_median_ns = 0, head_median_ns = 0;
  double ratio = 1;          // head / base, Hodges-Lehmann
  double low = 1, high = 1;  // its interval
  double level = 0.95;       // the interval's confidence, after Holm
  double threshold = 0.05;   // tau for this benchmark
  double detectable = 0;     // the interval's half-width as a ratio: smaller effects hide
  int base_samples = 0, head_samples = 0;
  bool paired = false;
  // Too few repetitions for the level: the interval is the data's range, which covers the truth
  // less often than `level` says, so the verdict is inconclusive; `samples_needed` would do.
  bool at_data_limit = false;
  int samples_needed = 0;
};

struct Comparison {
  std::vector<BenchmarkComparison> benchmarks;
  std::vector<std::string> only_in_base, only_in_head;  // benchmark names, timed on one side only
  std::vector<std::string> accuracy_regressions;        // one line each
  std::vector<std::string> fingerprint_differences;     // "machine.model: 143 -> 85"
  bool Regressed() const;
  bool Inconclusive() const;
  // "regression", "no regression found (some inconclusive)" or "no regression".
  std::string_view Headline() const;
};

// "" or a one-line error: fingerprints differ without cross_machine (naming the fields), --paired
// with repetition counts that differ, an option out of range.
std::string CompareReports(const nlohmann::json& base, const nlohmann::json& head,
                           const CompareOptions& options, Comparison& out);

nlohmann::json ComparisonJson(const Comparison& comparison, const CompareOptions& options);

// Reads {"default": 0.05, "benchmarks": {"rope/scalar/*": 0.10, ...}}; "" or a one-line error.
std::string ReadThresholds(const nlohmann::json& json, CompareOptions& options);

}  // namespace ropebench
