#include "reports/html/comparison_figures.h"

#include "fmt/format.h"

namespace ropebench {

PageSection ComparisonSection(const Comparison& comparison, const CompareOptions& options) {
  constexpr std::pair<Verdict, const char*> kVerdictColours[] = {
      {Verdict::kRegression, "#d62728"},
      {Verdict::kPass, "#2ca02c"},
      {Verdict::kImproved, "#1f77b4"},
      {Verdict::kInconclusive, "#7f7f7f"}};
  nlohmann::json data = nlohmann::json::array();
  for (const auto& [verdict, colour] : kVerdictColours) {
    nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array(),
                   plus = nlohmann::json::array(), minus = nlohmann::json::array(),
                   text = nlohmann::json::array();
    for (const BenchmarkComparison& b : comparison.benchmarks) {
      if (b.verdict != verdict) continue;
      x.push_back((b.ratio - 1) * 100);
      y.push_back(b.name);
      plus.push_back((b.high - b.ratio) * 100);
      minus.push_back((b.ratio - b.low) * 100);
      text.push_back(fmt::format("{:.0f} -> {:.0f} ns, {:.3g} confidence, tau {:.0f}%",
                                 b.base_median_ns, b.head_median_ns, b.level, b.threshold * 100));
    }
    if (x.empty()) continue;
    data.push_back({{"type", "scatter"},
                    {"mode", "markers"},
                    {"name", std::string(ToString(verdict))},
                    {"x", x},
                    {"y", y},
                    {"text", text},
                    {"marker", {{"color", colour}, {"size", 8}}},
                    {"error_x",
                     {{"type", "data"},
                      {"symmetric", false},
                      {"array", plus},
                      {"arrayminus", minus},
                      {"color", colour}}}});
  }
  auto tau_line = [](double percent, const char* dash) {
    return nlohmann::json{
        {"type", "line"},  {"xref", "x"},
        {"x0", percent},   {"x1", percent},
        {"yref", "paper"}, {"y0", 0},
        {"y1", 1},         {"line", {{"color", "#d62728"}, {"dash", dash}, {"width", 1}}}};
  };
  const double tau = options.threshold * 100;
  nlohmann::json layout = {
      {"xaxis", {{"title", {{"text", "HEAD vs BASE time (%), + is slower"}}}, {"zeroline", true}}},
      {"yaxis", {{"automargin", true}, {"autorange", "reversed"}}},
      {"shapes", {tau_line(tau, "dash"), tau_line(-tau, "dot")}},
      {"legend", {{"orientation", "h"}, {"y", 1.02}, {"yanchor", "bottom"}}},
      {"margin", {{"t", 40}, {"r", 20}, {"b", 50}}}};
  const int height = 140 + 22 * static_cast<int>(comparison.benchmarks.size());
  return {"Timing: HEAD against BASE",
          fmt::format("Each point is the Hodges-Lehmann change of HEAD's per-repetition time "
                      "against BASE's, with its {} confidence interval ({}, Holm-corrected over "
                      "the {} benchmarks). Regression: the interval lies right of +tau (red "
                      "dashed, {:.0f}% unless a thresholds file overrides it); pass: left of it.",
                      options.confidence, options.paired ? "paired" : "unpaired",
                      comparison.benchmarks.size(), tau),
          {{"change per benchmark", "Hover a point for its medians, level and tau.",
            std::move(data), std::move(layout), height}}};
}

}  // namespace ropebench
