// A report as `show`, `compare` and `report --html` read it: parsed, checked, and when accepted
// turned into the HTML page's figures, which read every field they plot.
#include <cstddef>
#include <cstdint>

#include "nlohmann/json.hpp"
#include "reports/html/html_page.h"
#include "reports/html/report_figures.h"
#include "reports/report_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json report = nlohmann::json::parse(data, data + size, nullptr, false);
  if (report.is_discarded()) return 0;
  if (!ropebench::CheckReport(report).empty()) return 0;
  // nlohmann's type errors end a command with one line and exit 2 (bench/cli/cli.cc), as here; any
  // other exception, a memory error or undefined behaviour is a finding.
  try {
    ropebench::Page page{"fuzz", ropebench::ReportFacts(report), ropebench::ReportSections(report)};
    (void)ropebench::ReportPresets(report);
    (void)ropebench::RenderPage(page, "");
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
