#include "reports/compare/compare.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "reports/compare/rank_intervals.h"

namespace ropebench {
namespace {

using Json = nlohmann::json;

// What must match for two reports' timings to be comparable: the CPU (never its clock or the host
// name), its instruction sets, the Highway target chosen, the compiler and its flags.
const char* const kFingerprint[] = {
    "/machine/arch",     "/machine/vendor",    "/machine/family",         "/machine/model",
    "/machine/stepping", "/machine/isa_flags", "/machine/highway/chosen", "/tool/compiler",
    "/tool/flags",       "/tool/build_type"};

std::string Brief(const Json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

double ThresholdFor(const std::string& name, const CompareOptions& options) {
  double tau = options.threshold;
  size_t longest = 0;  // the most specific rule wins
  for (const auto& [pattern, value] : options.overrides) {
    const bool prefix = !pattern.empty() && pattern.back() == '*';
    const std::string stem = prefix ? pattern.substr(0, pattern.size() - 1) : pattern;
    const bool matches = prefix ? name.rfind(stem, 0) == 0 : name == stem;
    if (matches && stem.size() + (prefix ? 0 : 1) > longest) {
      longest = stem.size() + (prefix ? 0 : 1);
      tau = value;
    }
  }
  return tau;
}

std::map<std::string, const Json*> ByKey(const Json& list, std::string (*key)(const Json& record)) {
  std::map<std::string, const Json*> out;
  for (const Json& record : list) out[key(record)] = &record;
  return out;
}

std::string CaseKey(const Json& c) {
  return c["candidate"].get<std::string>() + " " + c["name"].get<std::string>();
}
std::string SweepKey(const Json& s) {
  return s["candidate"].get<std::string>() + " " + s.value("preset", "") + " " +
         s["dtype"].get<std::string>();
}
std::string BenchmarkKey(const Json& b) { return b["name"].get<std::string>(); }

void CompareAccuracy(const Json& base, const Json& head, Comparison& out) {
  const auto base_cases = ByKey(base["validation"]["cases"], CaseKey);
  for (const Json& c : head["validation"]["cases"]) {
    const auto found = base_cases.find(CaseKey(c));
    if (found == base_cases.end() || (*found->second)["status"] != "pass") continue;
    const std::string status = c["status"].get<std::string>();
    if (status == "pass" || status == "skip") continue;
    const Json& d = c.value("diagnosis", Json());
    out.accuracy_regressions.push_back(
        "case " + CaseKey(c) + ": passed in BASE, " + status + " in HEAD" +
        (d.is_object() ? " [" + d.value("code", "") + "] " + d.value("detail", "") : ""));
  }
  const auto base_sweeps = ByKey(base["extrapolation"], SweepKey);
  for (const Json& s : head["extrapolation"]) {
    const auto found = base_sweeps.find(SweepKey(s));
    if (found == base_sweeps.end()) continue;
    const Json& b = *found->second;
    if (b["status"] == "skip" || !b.contains("accurate_up_to")) continue;
    const int64_t before = b["accurate_up_to"].get<int64_t>();
    const int64_t after = s.contains("accurate_up_to") ? s["accurate_up_to"].get<int64_t>() : -1;
    const bool everywhere_before = b.value("accurate_everywhere", false);
    if (after < before || (everywhere_before && !s.value("accurate_everywhere", false))) {
      out.accuracy_regressions.push_back("extrapolation " + SweepKey(s) + ": accurate up to " +
                                         std::to_string(before) +
                                         (everywhere_before ? " (everywhere tested)" : "") +
                                         " in BASE, " + std::to_string(after) + " in HEAD");
    } else if (b["status"] == "pass" && s["status"] != "pass") {  // a tighter --tolerance, say
      out.accuracy_regressions.push_back("extrapolation " + SweepKey(s) + ": passed in BASE, " +
                                         s["status"].get<std::string>() + " in HEAD");
    }
  }
  // A benchmark's own per-shape check: timed on both sides, but no longer passing.
  const auto base_benchmarks = ByKey(base["benchmarks"], BenchmarkKey);
  for (const Json& h : head["benchmarks"]) {
    const auto found = base_benchmarks.find(BenchmarkKey(h));
    if (found == base_benchmarks.end() || (*found->second).value("verdict", "pass") != "pass") {
      continue;
    }
    if (h.value("verdict", "pass") != "pass") {
      out.accuracy_regressions.push_back("benchmark " + BenchmarkKey(h) + ": passed in BASE, " +
                                         h.value("verdict", "") +
                                         " in HEAD: " + h.value("verdict_detail", ""));
    }
  }
}

}  // namespace

std::string_view ToString(Verdict verdict) {
  constexpr std::string_view kNames[] = {"regression", "pass", "improved", "inconclusive"};
  return kNames[static_cast<int>(verdict)];
}

bool Comparison::Regressed() const {
  return !accuracy_regressions.empty() ||
         std::any_of(benchmarks.begin(), benchmarks.end(),
                     [](const auto& b) { return b.verdict == Verdict::kRegression; });
}

bool Comparison::Inconclusive() const {
  return std::any_of(benchmarks.begin(), benchmarks.end(),
                     [](const auto& b) { return b.verdict == Verdict::kInconclusive; });
}

std::string_view Comparison::Headline() const {
  return Regressed()      ? "regression"
         : Inconclusive() ? "no regression found (some inconclusive)"
                          : "no regression";
}

std::string CompareReports(const Json& base, const Json& head, const CompareOptions& options,
                           Comparison& out) {
  if (!(options.confidence > 0 && options.confidence < 1)) {
    return "--confidence must be in (0, 1)";
  }
  Comparison result;
  for (const char* pointer : kFingerprint) {
    const Json::json_pointer at(pointer);
    const Json a = base.contains(at) ? base[at] : Json(), b = head.contains(at) ? head[at] : Json();
    if (a != b) {
      result.fingerprint_differences.push_back(std::string(pointer + 1) + ": " + Brief(a) + " -> " +
                                               Brief(b));
    }
  }
  for (std::string& field : result.fingerprint_differences) {
    std::replace(field.begin(), field.begin() + static_cast<long>(field.find(':')), '/', '.');
  }
  if (!result.fingerprint_differences.empty() && !options.cross_machine) {
    std::string fields;
    for (const std::string& d : result.fingerprint_differences) {
      fields += (fields.empty() ? "" : ", ") + d.substr(0, d.find(':'));
    }
    return "the reports come from different machines or builds (" + fields +
           " differ); compare them with --cross-machine";
  }
  CompareAccuracy(base, head, result);

  // The benchmarks timed on both sides, with their interval at the uncorrected level first: the
  // p-values order them for Holm.
  const auto base_benchmarks = ByKey(base["benchmarks"], BenchmarkKey);
  const auto head_benchmarks = ByKey(head["benchmarks"], BenchmarkKey);
  struct Pending {
    BenchmarkComparison comparison;
    std::vector<double> base, head;
    double p_value;
  };
  std::vector<Pending> pending;
  for (const auto& [name, b] : base_benchmarks) {
    const auto h = head_benchmarks.find(name);
    const bool base_ok = (*b)["status"] == "ok";
    const bool head_ok = h != head_benchmarks.end() && (*h->second)["status"] == "ok";
    if (!head_ok || !base_ok) {
      if (base_ok) result.only_in_base.push_back(name);
      if (head_ok) result.only_in_head.push_back(name);
      continue;
    }
    Pending p;
    p.base = (*b)["repetition_ns"].get<std::vector<double>>();
    p.head = (*h->second)["repetition_ns"].get<std::vector<double>>();
    if (options.paired && p.base.size() != p.head.size()) {
      return "--paired: " + name + " has " + std::to_string(p.base.size()) +
             " repetitions in BASE and " + std::to_string(p.head.size()) + " in HEAD";
    }
    const double alpha = 1 - options.confidence;
    p.p_value =
        (options.paired ? PairedShift(p.base, p.head, alpha) : UnpairedShift(p.base, p.head, alpha))
            .p_value;
    p.comparison.name = name;
    pending.push_back(std::move(p));
  }
  for (const auto& [name, h] : head_benchmarks) {
    if (!base_benchmarks.count(name) && (*h)["status"] == "ok") result.only_in_head.push_back(name);
  }

  // Holm: the k-th smallest p-value of N is held to alpha / (N - k); each interval at that level.
  std::vector<size_t> order(pending.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return pending[x].p_value < pending[y].p_value; });
  for (size_t rank = 0; rank < order.size(); ++rank) {
    Pending& p = pending[order[rank]];
    BenchmarkComparison& c = p.comparison;
    const double alpha = (1 - options.confidence) / static_cast<double>(order.size() - rank);
    const ShiftInterval shift =
        options.paired ? PairedShift(p.base, p.head, alpha) : UnpairedShift(p.base, p.head, alpha);
    c.base_median_ns = Median(p.base);
    c.head_median_ns = Median(p.head);
    c.ratio = std::exp(shift.estimate);
    c.low = std::exp(shift.low);
    c.high = std::exp(shift.high);
    c.level = 1 - alpha;
    c.threshold = ThresholdFor(c.name, options);
    c.detectable = std::exp((shift.high - shift.low) / 2) - 1;
    c.base_samples = static_cast<int>(p.base.size());
    c.head_samples = static_cast<int>(p.head.size());
    c.paired = options.paired;
    c.at_data_limit = shift.at_data_limit;
    c.samples_needed = SamplesForLevel(options.paired, alpha);
    if (c.at_data_limit) {
      c.verdict = Verdict::kInconclusive;
    } else if (c.low > 1 + c.threshold) {
      c.verdict = Verdict::kRegression;
    } else if (c.high < 1 / (1 + c.threshold)) {
      c.verdict = Verdict::kImproved;
    } else if (c.high < 1 + c.threshold) {
      c.verdict = Verdict::kPass;
    } else {
      c.verdict = Verdict::kInconclusive;
    }
  }
  for (Pending& p : pending) result.benchmarks.push_back(std::move(p.comparison));
  out = std::move(result);
  return "";
}

Json ComparisonJson(const Comparison& comparison, const CompareOptions& options) {
  Json benchmarks = Json::array();
  for (const BenchmarkComparison& c : comparison.benchmarks) {
    benchmarks.push_back({{"name", c.name},
                          {"verdict", ToString(c.verdict)},
                          {"base_median_ns", c.base_median_ns},
                          {"head_median_ns", c.head_median_ns},
                          {"ratio", c.ratio},
                          {"low", c.low},
                          {"high", c.high},
                          {"confidence", c.level},
                          {"threshold", c.threshold},
                          {"detectable", c.detectable},
                          {"base_samples", c.base_samples},
                          {"head_samples", c.head_samples},
                          {"paired", c.paired},
                          {"at_data_limit", c.at_data_limit},
                          {"samples_needed", c.samples_needed}});
  }
  return {{"format", "ropebench-comparison"},
          {"version", 1},
          {"settings",
           {{"threshold", options.threshold},
            {"overrides", options.overrides},
            {"confidence", options.confidence},
            {"correction", "holm"},
            {"paired", options.paired},
            {"cross_machine", options.cross_machine}}},
          {"regressed", comparison.Regressed()},
          {"inconclusive", comparison.Inconclusive()},
          {"benchmarks", benchmarks},
          {"accuracy_regressions", comparison.accuracy_regressions},
          {"only_in_base", comparison.only_in_base},
          {"only_in_head", comparison.only_in_head},
          {"fingerprint_differences", comparison.fingerprint_differences}};
}

std::string ReadThresholds(const Json& json, CompareOptions& options) {
  if (!json.is_object()) return "a thresholds file must be a JSON object";
  auto fraction = [](const Json& v) {
    return v.is_number() && v.get<double>() >= 0 && v.get<double>() < 10;
  };
  for (const auto& [key, value] : json.items()) {
    if (key == "default") {
      if (!fraction(value)) return "'default' must be a fraction such as 0.05";
      options.threshold = value.get<double>();
    } else if (key == "benchmarks") {
      if (!value.is_object())
        return "'benchmarks' must map benchmark names (or 'prefix*') to fractions";
      for (const auto& [name, tau] : value.items()) {
        if (!fraction(tau))
          return "benchmark '" + name + "': the threshold must be a fraction such as 0.05";
        options.overrides[name] = tau.get<double>();
      }
    } else {
      return "unknown key '" + key + "' (default, benchmarks)";
    }
  }
  return "";
}

}  // namespace ropebench
