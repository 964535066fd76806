// `compare BASE HEAD` and `compare --machines` on two reports the input holds, split at its first
// NUL byte: both must be accepted by the reader, then the statistics run on whatever they contain.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nlohmann/json.hpp"
#include "reports/compare/compare.h"
#include "reports/compare/machines.h"
#include "reports/html/comparison_figures.h"
#include "reports/report_reader.h"

namespace {

void Compare(const nlohmann::json& base, const nlohmann::json& head) {
  for (bool paired : {false, true}) {
    ropebench::CompareOptions options;
    options.paired = paired;
    options.cross_machine = true;
    ropebench::Comparison comparison;
    if (ropebench::CompareReports(base, head, options, comparison).empty()) {
      (void)ropebench::ComparisonJson(comparison, options);
      (void)ropebench::ComparisonSection(comparison, options);
    }
  }
  ropebench::MachinesComparison machines;
  if (ropebench::CompareMachines({base, head}, {"a.json", "b.json"}, machines).empty()) {
    (void)ropebench::MachinesJson(machines);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto* split = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  if (split == nullptr) return 0;
  const nlohmann::json base = nlohmann::json::parse(data, split, nullptr, false);
  const nlohmann::json head = nlohmann::json::parse(split + 1, data + size, nullptr, false);
  if (base.is_discarded() || head.is_discarded()) return 0;
  if (!ropebench::CheckReport(base).empty() || !ropebench::CheckReport(head).empty()) return 0;
  // nlohmann's type errors end a command with one line and exit 2 (bench/cli/cli.cc), as here; any
  // other exception, a memory error or undefined behaviour is a finding.
  try {
    Compare(base, head);
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
