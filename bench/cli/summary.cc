#include "bench/cli/summary.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "fmt/format.h"
#include "reports/report_json.h"

namespace ropebench {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxFailuresListed = 25;
// The built-in baseline every Highway candidate is set beside.
constexpr const char* kBaselineCandidate = "autovec";

// A status that did not pass, as the summary shouts it: FAIL, PRECISION.
std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return text;
}

double AsNumber(const Json& value) { return value.is_number() ? value.get<double>() : 0.0; }

// Keys in first-seen order.
template <typename Key>
void Remember(std::vector<Key>& order, const Key& key) {
  if (std::find(order.begin(), order.end(), key) == order.end()) order.push_back(key);
}

// The candidate column: 18 wide, or the longest name.
size_t NameWidth(const std::vector<std::string>& names) {
  size_t width = 18;
  for (const std::string& name : names) width = std::max(width, name.size());
  return width;
}

void PrintConformance(std::FILE* out, const Json& cases) {
  if (cases.empty()) return;
  std::vector<std::string> order;
  std::map<std::string, std::map<std::string, int>> counts;
  for (const Json& c : cases) {
    Remember(order, c["candidate"].get<std::string>());
    ++counts[c["candidate"]][c["status"]];
  }
  // "no output": calls that returned none (error, crash, timeout; the failures list says which).
  const size_t width = NameWidth(order);
  fmt::print(out, "conformance\n  {:<{}} {:>7} {:>9} {:>7} {:>9} {:>7}\n", "candidate", width,
             "pass", "precision", "fail", "no output", "skip");
  for (const std::string& name : order) {
    std::map<std::string, int>& n = counts[name];
    fmt::print(out, "  {:<{}} {:>7} {:>9} {:>7} {:>9} {:>7}\n", name, width, n["pass"],
               n["precision"], n["fail"], n["error"] + n["crash"] + n["timeout"], n["skip"]);
  }
  size_t failures = 0;
  for (const Json& c : cases) {
    if (c["status"] == "pass" || c["status"] == "skip") continue;
    if (failures++ == 0) fmt::print(out, "\nfailures (candidate, case, diagnosis):\n");
    if (failures > kMaxFailuresListed) continue;
    const Json& d = c.value("diagnosis", Json());
    const std::string status = Upper(c["status"].get<std::string>());
    // A precision floor says how large it is and where it starts, whatever found it.
    std::string size;
    const std::string detail = d.is_object() ? d.value("detail", "") : "";
    if (const Json& m = c.value("metrics", Json());
        c["status"] == "precision" && m.is_object() &&
        detail.find("over the tolerance from position") == std::string::npos) {
      size = fmt::format(" ({:.3g}u at worst, over the tolerance from position {})",
                         AsNumber(m.value("max_pair_error_u", Json())),
                         m.value("first_failing_position", int64_t{-1}));
    }
    fmt::print(out, "  {} {} {} [{}] {}{}\n", status, c["candidate"].get<std::string>(),
               c["name"].get<std::string>(), d.is_object() ? d.value("code", "") : "", detail,
               size);
  }
  if (failures > kMaxFailuresListed) {
    fmt::print(out, "  ... and {} more failures (all in the JSON report)\n",
               failures - kMaxFailuresListed);
  }
}

void PrintExtrapolation(std::FILE* out, const Json& sweeps) {
  if (sweeps.empty()) return;
  std::vector<std::string> names;
  for (const Json& r : sweeps) names.push_back(r["candidate"].get<std::string>());
  const size_t width = NameWidth(names);
  fmt::print(out, "\nextrapolation ({}): accurate up to position (horizon {})\n",
             sweeps[0].value("preset", ""), FormatPosition(sweeps[0]["horizon"].get<int64_t>()));
  for (const Json& r : sweeps) {
    std::string verdict;
    const Json& d = r.value("diagnosis", Json());
    if (r["status"] == "skip") {
      verdict = "skipped: " + r.value("skip_reason", "");
    } else if (r["status"] != "pass" && r["status"] != "precision" && r["status"] != "fail") {
      // the call returned no output
      verdict = fmt::format("{}: {}", r["status"].get<std::string>(), d.value("detail", ""));
    } else {
      const std::string status = r["status"] == "pass" ? "pass" : Upper(r["status"]);
      verdict = fmt::format("{}{}  {}", r["accurate_everywhere"].get<bool>() ? ">= " : "",
                            FormatPosition(r["accurate_up_to"].get<int64_t>()), status);
      if (r.contains("declines_from")) {
        verdict +=
            "  (declines positions >= " + FormatPosition(r["declines_from"].get<int64_t>()) + ")";
      }
      if (d.is_object()) {
        verdict += fmt::format("  {}[{}] {}", r["status"] == "pass" ? "beyond that: " : "",
                               d.value("code", ""), d.value("detail", ""));
      }
    }
    fmt::print(out, "  {:<{}} {:<5} {}\n", r["candidate"].get<std::string>(), width,
               r["dtype"].get<std::string>(), verdict);
  }
}

void PrintBandwidth(std::FILE* out, const Json& probe) {
  if (probe.empty()) return;
  fmt::print(out, "\nbandwidth probe (this machine, GB/s by working set)\n");
  std::vector<std::pair<std::string, int64_t>> order;
  for (const Json& p : probe)
    Remember(order, {p["kind"].get<std::string>(), p["threads"].get<int64_t>()});
  for (const auto& [kind, threads] : order) {
    std::string line = fmt::format("  {:<4} {} thread{}:", kind, threads, threads == 1 ? " " : "s");
    for (const Json& p : probe) {
      if (p["kind"] == kind && p["threads"] == threads) {
        line += fmt::format(" {}={:.1f}", FormatBytes(AsNumber(p["bytes"])),
                            AsNumber(p["bytes_per_second"]) / 1e9);
      }
    }
    fmt::print(out, "{}\n", line);
  }
}

// The benchmark tables' rows: candidate, preset, dtype, threads; then a column per token count.
using BenchmarkRow = std::tuple<std::string, std::string, std::string, int64_t>;

// A row's key columns, or with the column names the header's.
template <typename Threads>
void PrintKeyColumns(std::FILE* out, std::string_view candidate, std::string_view preset,
                     std::string_view dtype, const Threads& threads) {
  fmt::print(out, "  {:<16} {:<18} {:<5} {:>3}", candidate, preset, dtype, threads);
}

void PrintRowKey(std::FILE* out, const BenchmarkRow& row) {
  const auto& [candidate, preset, dtype, threads] = row;
  PrintKeyColumns(out, candidate, preset, dtype, threads);
}

// The title line, then the column names.
void PrintTableHeader(std::FILE* out, std::string_view title, const std::vector<int64_t>& tokens) {
  fmt::print(out, "\n{}\n", title);
  PrintKeyColumns(out, "candidate", "preset", "dtype", "thr");
  for (int64_t t : tokens) fmt::print(out, " {:>13}", fmt::format("{} tok", t));
  fmt::print(out, "\n");
}

void PrintBenchmarks(std::FILE* out, const Json& benchmarks) {
  if (benchmarks.empty()) return;
  using Row = BenchmarkRow;
  std::vector<Row> rows;
  std::vector<int64_t> tokens;
  for (const Json& b : benchmarks) {
    Remember(rows, Row{b["candidate"], b["preset"], b["dtype"], b["threads"].get<int64_t>()});
    Remember(tokens, b["tokens"].get<int64_t>());
  }
  std::sort(tokens.begin(), tokens.end());
  PrintTableHeader(out,
                   "benchmarks: GB/s (roofline: fraction of the fastest in-place probe of the same "
                   "buffers), median of the repetitions",
                   tokens);
  std::vector<std::string> skipped, precision;
  int shortfalls = 0;
  for (const Row& row : rows) {
    PrintRowKey(out, row);
    for (int64_t t : tokens) {
      std::string cell = "-";
      for (const Json& b : benchmarks) {
        if (Row{b["candidate"], b["preset"], b["dtype"], b["threads"].get<int64_t>()} != row ||
            b["tokens"] != t) {
          continue;
        }
        if (b["status"] == "ok") {
          cell = FormatSpeed(AsNumber(b["bytes_per_second"]), ReportNumber(b["roofline"]));
          if (b.value("probe_shortfall", false)) {
            cell += "!";
            ++shortfalls;
          }
          if (b.value("verdict", "pass") == "precision") {
            cell += "p";
            precision.push_back(
                fmt::format("{}: {}", b.value("name", ""), b.value("verdict_detail", "")));
          }
        } else {  // skipped, or a call that crashed, hung or failed while timed
          cell = b["status"] == "skipped" ? "skipped" : Upper(b["status"]);
          skipped.push_back(
              fmt::format("{} {}: {}", cell, b.value("name", ""), b.value("skip_reason", "")));
        }
      }
      fmt::print(out, " {:>13}", cell);
    }
    fmt::print(out, "\n");
  }
  for (size_t i = 0; i < skipped.size() && i < kMaxFailuresListed; ++i) {
    fmt::print(out, "  {}\n", skipped[i]);
  }
  if (shortfalls > 0) {
    fmt::print(
        out,
        "  ! = faster than every probe pattern by more than the noise: the probe is no limit "
        "there ({} benchmark{})\n",
        shortfalls, shortfalls == 1 ? "" : "s");
  }
  // "p": timed although precision-limited (the right convention): its verdict beside the figure.
  for (size_t i = 0; i < precision.size() && i < kMaxFailuresListed; ++i) {
    fmt::print(out, "  p = precision-limited {}\n", precision[i]);
  }
}

// What the hand-vectorised kernel buys over the loop an engineer writes first, on this machine:
// each Highway candidate's throughput over autovec's at the same shape and thread count.
void PrintBaselineRatios(std::FILE* out, const Json& benchmarks) {
  using Shape = std::tuple<std::string, std::string, int64_t, int64_t>;  // preset dtype thr tokens
  auto shape_of = [](const Json& b) {
    return Shape{b["preset"], b["dtype"], b["threads"].get<int64_t>(), b["tokens"].get<int64_t>()};
  };
  std::map<Shape, double> baseline;
  std::vector<int64_t> tokens;
  for (const Json& b : benchmarks) {
    if (b["candidate"] == kBaselineCandidate && b["status"] == "ok") {
      baseline[shape_of(b)] = AsNumber(b["bytes_per_second"]);
      Remember(tokens, b["tokens"].get<int64_t>());
    }
  }
  using Row = BenchmarkRow;
  std::map<Row, std::map<int64_t, double>> ratios;
  std::vector<Row> rows;
  for (const Json& b : benchmarks) {
    const std::string candidate = b["candidate"];
    const auto base = baseline.find(shape_of(b));
    if (!candidate.starts_with("highway") || b["status"] != "ok" || base == baseline.end() ||
        !(base->second > 0)) {
      continue;
    }
    const Row row{candidate, b["preset"], b["dtype"], b["threads"].get<int64_t>()};
    Remember(rows, row);
    ratios[row][b["tokens"].get<int64_t>()] = AsNumber(b["bytes_per_second"]) / base->second;
  }
  if (rows.empty()) return;
  std::sort(tokens.begin(), tokens.end());
  PrintTableHeader(out,
                   fmt::format("over {}: each Highway candidate's throughput over the "
                               "auto-vectorised loop's (same shape and threads)",
                               kBaselineCandidate),
                   tokens);
  for (const Row& row : rows) {
    PrintRowKey(out, row);
    for (int64_t t : tokens) {
      const auto ratio = ratios[row].find(t);
      fmt::print(out, " {:>13}",
                 ratio == ratios[row].end() ? "-" : fmt::format("{:.2f}x", ratio->second));
    }
    fmt::print(out, "\n");
  }
}

}  // namespace

std::string FormatPosition(int64_t position) {
  if (position < 0) return "none";
  for (int64_t delta : {0, 1, -1}) {
    const int64_t p = position - delta;
    if (p >= 64 && std::has_single_bit(static_cast<uint64_t>(p))) {
      const int k = std::countr_zero(static_cast<uint64_t>(p));
      return delta == 0 ? fmt::format("2^{}", k) : fmt::format("2^{}{:+}", k, delta);
    }
  }
  return std::to_string(position);
}

std::string FormatBytes(double bytes) {
  constexpr const char* kUnits[] = {"", "K", "M", "G", "T"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:g}{}", bytes, kUnits[unit]);
}

std::string FormatSpeed(double bytes_per_second, double roofline) {
  if (!std::isfinite(roofline)) return fmt::format("{:.2f} (-)", bytes_per_second / 1e9);
  return fmt::format("{:.2f} ({:.2f})", bytes_per_second / 1e9, roofline);
}

void PrintReportSummary(std::FILE* out, const Json& report) {
  PrintConformance(out, report["validation"]["cases"]);
  PrintExtrapolation(out, report["extrapolation"]);
  PrintBandwidth(out, report["bandwidth"]);
  PrintBenchmarks(out, report["benchmarks"]);
  PrintBaselineRatios(out, report["benchmarks"]);
}

}  // namespace ropebench
