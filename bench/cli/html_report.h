// `ropebench report REPORT.json --html OUT.html`, and the page `compare --html` writes: one
// self-contained HTML file with the figures of reports/*_figures.h and plotly.js inlined.
#pragma once

#include <string>

#include "bench/cli/cli_args.h"
#include "nlohmann/json.hpp"
#include "reports/compare/compare.h"

namespace ropebench {

// Where Debian keeps plotly.js (the python3-plotly package ships the library's browser build).
inline constexpr const char* kDebianPlotlyJs = "/usr/share/python3-plotly/plotly.js";

// The report command: reads, renders, writes atomically; exit 0, or 2 on bad input.
int ReportCommand(const ParsedArgs& args);

// The comparison's page at `html_path`, with the two reports' facts; throws UsageError on failure.
void WriteComparisonHtml(const ParsedArgs& args, const std::string& html_path,
                         const Comparison& comparison, const CompareOptions& options,
                         const nlohmann::json& base, const nlohmann::json& head);

}  // namespace ropebench
