#include "bench/cli/compare_command.h"

#include <cstdio>
#include <fstream>
#include <optional>

#include "bench/cli/cli_plans.h"
#include "bench/cli/html_report.h"
#include "bench/cli/summary.h"
#include "fmt/format.h"
#include "reports/compare/compare.h"
#include "reports/compare/machines.h"
#include "reports/report_json.h"
#include "reports/report_reader.h"

namespace ropebench {
namespace {

double ParseFraction(const ParsedArgs& args, std::string_view flag, double fallback, double max) {
  if (!args.Has(flag)) return fallback;
  const std::string text = args.Value(flag);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !(value >= 0) || !(value < max)) {
    throw UsageError{fmt::format("--{}: '{}' is not a number in [0, {:g})", flag, text, max)};
  }
  return value;
}

std::string Percent(double ratio) { return fmt::format("{:+.1f}%", (ratio - 1) * 100); }

std::string Interval(const BenchmarkComparison& c) {
  return fmt::format("[{}, {}]", Percent(c.low), Percent(c.high));
}

std::string Note(const BenchmarkComparison& c) {
  if (c.verdict != Verdict::kInconclusive) return "";
  if (c.at_data_limit) {
    return fmt::format("too few {} for {:.4g}% confidence: {} needed, {} given",
                       c.paired ? "pairs" : "repetitions", c.level * 100, c.samples_needed,
                       std::min(c.base_samples, c.head_samples));
  }
  return fmt::format("could resolve only ±{:.0f}%", c.detectable * 100);
}

void PrintTable(std::FILE* out, const Comparison& c, const CompareOptions& options) {
  size_t width = 9;
  for (const auto& b : c.benchmarks) width = std::max(width, b.name.size());
  fmt::print(out, "{:<{}}  {:>12} {:>12} {:>8}  {:<18} {:>5}  {}\n", "benchmark", width,
             "base median", "head median", "change", "interval", "tau", "verdict");
  for (const auto& b : c.benchmarks) {
    fmt::print(out, "{:<{}}  {:>10.0f}ns {:>10.0f}ns {:>8}  {:<18} {:>4.0f}%  {} {}\n", b.name,
               width, b.base_median_ns, b.head_median_ns, Percent(b.ratio), Interval(b),
               b.threshold * 100, ToString(b.verdict), Note(b));
  }
  fmt::print(out,
             "\n{} benchmarks, {} confidence family-wise (Holm), {} samples; tau {:.0f}% unless "
             "overridden\n",
             c.benchmarks.size(), options.confidence, options.paired ? "paired" : "unpaired",
             options.threshold * 100);
  for (const std::string& line : c.accuracy_regressions) fmt::print(out, "ACCURACY {}\n", line);
  for (const std::string& name : c.only_in_base) fmt::print(out, "only in BASE: {}\n", name);
  for (const std::string& name : c.only_in_head) fmt::print(out, "only in HEAD: {}\n", name);
  for (const std::string& d : c.fingerprint_differences)
    fmt::print(out, "machine differs: {}\n", d);
}

void PrintMarkdown(std::FILE* out, const Comparison& c, const CompareOptions& options) {
  int counts[4] = {};
  for (const auto& b : c.benchmarks) ++counts[static_cast<int>(b.verdict)];
  fmt::print(out, "### ropebench: {}\n\n", c.Headline());
  fmt::print(out,
             "{} regression, {} pass, {} improved, {} inconclusive; {:g} confidence (Holm), tau "
             "{:.0f}%\n\n",
             counts[0], counts[1], counts[2], counts[3], options.confidence,
             options.threshold * 100);
  if (!c.accuracy_regressions.empty()) {
    fmt::print(out, "**Accuracy regressions**\n\n");
    for (const std::string& line : c.accuracy_regressions) fmt::print(out, "- {}\n", line);
    fmt::print(out, "\n");
  }
  fmt::print(
      out,
      "| benchmark | base | head | change | interval | verdict |\n|---|---:|---:|---:|---|---|\n");
  for (const auto& b : c.benchmarks) {
    fmt::print(
        out, "| `{}` | {:.0f} ns | {:.0f} ns | {} | {} | {}{} |\n", b.name, b.base_median_ns,
        b.head_median_ns, Percent(b.ratio), Interval(b),
        b.verdict == Verdict::kRegression ? "**regression**" : std::string(ToString(b.verdict)),
        Note(b).empty() ? "" : " (" + Note(b) + ")");
  }
  for (const std::string& d : c.fingerprint_differences)
    fmt::print(out, "\nmachine differs: {}\n", d);
}

void PrintMachines(std::FILE* out, const MachinesComparison& c, bool markdown) {
  for (size_t k = 0; k < c.labels.size(); ++k) {
    fmt::print(out, "{}machine {}: {} — {}\n", markdown ? "- " : "", k + 1, c.labels[k],
               c.fingerprints[k]);
  }
  for (const MachineTable& t : c.tables) {
    fmt::print(out,
               "\n{}{} {}: GB/s (roofline) per machine; ratio to machine 1, + faster, - slower\n",
               markdown ? "#### " : "", t.preset, t.dtype);
    std::string header = fmt::format("{:<16} {:>6} {:>3}", "candidate", "tokens", "thr");
    for (size_t k = 0; k < c.labels.size(); ++k)
      header += fmt::format(" | {:>22}", fmt::format("machine {}", k + 1));
    fmt::print(out, "{}{}\n", markdown ? "```\n" : "", header);
    for (const MachineRow& r : t.rows) {
      std::string line = fmt::format("{:<16} {:>6} {:>3}", r.candidate, r.tokens, r.threads);
      for (size_t k = 0; k < r.cells.size(); ++k) {
        const MachineCell& cell = r.cells[k];
        const std::string text =
            !cell.present ? "-"
            : k == 0      ? FormatSpeed(cell.bytes_per_second, cell.roofline)
                          : fmt::format("{} {:.2f}x{}",
                                        FormatSpeed(cell.bytes_per_second, cell.roofline), cell.ratio,
                                   cell.outcome > 0   ? "+"
                                        : cell.outcome < 0 ? "-"
                                                           : " ");
        line += fmt::format(" | {:>22}", text);
      }
      fmt::print(out, "{}\n", line);
    }
    if (markdown) fmt::print(out, "```\n");
    for (size_t k = 1; k < c.labels.size(); ++k) {
      fmt::print(out,
                 "machine {} / machine 1: geometric mean {:.2f}x [{:.2f}, {:.2f}] over {} "
                 "benchmarks; {} faster, {} slower\n",
                 k + 1, t.geomean[k], t.low[k], t.high[k], t.compared[k], t.wins[k], t.losses[k]);
    }
  }
}

// compare --machines A.json B.json ...
int CompareMachinesCommand(const ParsedArgs& args) {
  const std::vector<std::string>& paths = args.positional();
  if (paths.size() < 2) throw UsageError{"--machines takes two or more reports"};
  if (args.Has("html")) throw UsageError{"--html: not yet with --machines (use --json)"};
  std::vector<nlohmann::json> reports(paths.size());
  for (size_t k = 0; k < paths.size(); ++k) {
    if (std::string error = ReadReport(paths[k], reports[k]); !error.empty())
      throw UsageError{error};
  }
  MachinesComparison comparison;
  if (std::string error = CompareMachines(reports, paths, comparison); !error.empty()) {
    throw UsageError{error};
  }
  const std::string format = args.Value("format", "table");
  if (format != "table" && format != "markdown") {
    throw UsageError{"--format: '" + format + "' is not table or markdown"};
  }
  PrintMachines(stdout, comparison, format == "markdown");
  if (args.Has("json")) {
    if (std::string error = WriteJsonFile(args.Value("json"), MachinesJson(comparison));
        !error.empty()) {
      throw UsageError{error};
    }
  }
  return 0;
}

}  // namespace

int CompareCommand(const ParsedArgs& args) {
  if (args.Has("machines")) return CompareMachinesCommand(args);
  if (args.positional().size() != 2) {
    throw UsageError{"compare takes two reports: ropebench compare BASE.json HEAD.json"};
  }
  CompareOptions options;
  if (args.Has("thresholds")) {
    std::ifstream file(args.Value("thresholds"));
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(file);
    } catch (const nlohmann::json::exception& e) {
      throw UsageError{args.Value("thresholds") + ": not valid JSON: " + e.what()};
    }
    if (std::string error = ReadThresholds(json, options); !error.empty()) {
      throw UsageError{args.Value("thresholds") + ": " + error};
    }
  }
  options.threshold = ParseFraction(args, "threshold", options.threshold, 10);
  options.confidence = ParseFraction(args, "confidence", options.confidence, 1);
  options.paired = args.Has("paired");
  options.cross_machine = args.Has("cross-machine");
  nlohmann::json base, head;
  for (auto [path, report] :
       {std::pair{args.positional()[0], &base}, {args.positional()[1], &head}}) {
    if (std::string error = ReadReport(path, *report); !error.empty()) throw UsageError{error};
    // Said, not refused: a gate may still want the verdicts of what did run.
    if (const std::optional<std::string> by = InterruptedBy(*report)) {
      fmt::print(stderr,
                 "ropebench compare: note: {} is a partial report (interrupted by {}): what it did "
                 "not run is missing from the comparison\n",
                 path, *by);
    }
  }
  Comparison comparison;
  if (std::string error = CompareReports(base, head, options, comparison); !error.empty()) {
    throw UsageError{error};
  }
  const std::string format = args.Value("format", "table");
  if (format == "markdown") {
    PrintMarkdown(stdout, comparison, options);
  } else if (format == "table") {
    PrintTable(stdout, comparison, options);
  } else {
    throw UsageError{"--format: '" + format + "' is not table or markdown"};
  }
  if (args.Has("json")) {
    if (std::string error = WriteJsonFile(args.Value("json"), ComparisonJson(comparison, options));
        !error.empty()) {
      throw UsageError{error};
    }
  }
  if (args.Has("html"))
    WriteComparisonHtml(args, args.Value("html"), comparison, options, base, head);
  if (comparison.Regressed()) return kExitRegression;
  if (comparison.Inconclusive() && args.Has("fail-on-inconclusive")) return kExitInconclusive;
  return 0;
}

}  // namespace ropebench
