#include "bench/summary.h"

#include <bit>
#include <map>
#include <string>
#include <vector>

#include "fmt/format.h"

namespace ropebench {
namespace {

constexpr size_t kMaxFailuresListed = 25;

struct Counts {
  int pass = 0, fail = 0, skip = 0;
};

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

void PrintValidationSummary(std::FILE* out, const ValidationResults& results) {
  if (!results.cases.empty()) {
    std::vector<std::string> order;
    std::map<std::string, Counts> counts;
    for (const CaseRecord& r : results.cases) {
      if (!counts.count(r.candidate)) order.push_back(r.candidate);
      Counts& c = counts[r.candidate];
      (r.status == CaseStatus::kPass ? c.pass : r.status == CaseStatus::kFail ? c.fail : c.skip)++;
    }
    fmt::print(out, "conformance\n  {:<18} {:>7} {:>7} {:>7}\n", "candidate", "pass", "fail",
               "skip");
    for (const std::string& name : order) {
      const Counts& c = counts[name];
      fmt::print(out, "  {:<18} {:>7} {:>7} {:>7}\n", name, c.pass, c.fail, c.skip);
    }
    size_t listed = 0, failures = 0;
    for (const CaseRecord& r : results.cases) {
      if (r.status != CaseStatus::kFail) continue;
      if (++failures > kMaxFailuresListed) continue;
      if (listed++ == 0) fmt::print(out, "\nfailures (candidate, case, diagnosis):\n");
      fmt::print(out, "  FAIL {} {} [{}] {}\n", r.candidate, r.name,
                 r.diagnosis ? r.diagnosis->code : "", r.diagnosis ? r.diagnosis->detail : "");
    }
    if (failures > listed) {
      fmt::print(out, "  ... and {} more failures (all in the JSON report)\n", failures - listed);
    }
  }
  if (!results.extrapolation.empty()) {
    const ExtrapolationRecord& first = results.extrapolation.front();
    fmt::print(out, "\nextrapolation ({}): accurate up to position (horizon {})\n", first.preset,
               FormatPosition(first.horizon));
    for (const ExtrapolationRecord& r : results.extrapolation) {
      std::string verdict;
      if (r.status == CaseStatus::kSkip) {
        verdict = "skipped: " + r.skip_reason;
      } else {
        verdict = fmt::format("{}{}  {}", r.accurate_everywhere ? ">= " : "",
                              FormatPosition(r.accurate_up_to),
                              r.status == CaseStatus::kPass ? "pass" : "FAIL");
        if (r.diagnosis) {
          verdict +=
              fmt::format("  {}[{}] {}", r.status == CaseStatus::kPass ? "beyond that: " : "",
                          r.diagnosis->code, r.diagnosis->detail);
        }
      }
      fmt::print(out, "  {:<18} {:<5} {}\n", r.candidate, r.dtype, verdict);
    }
  }
}

}  // namespace ropebench
