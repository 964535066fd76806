// The figures of one report (`ropebench report REPORT.json --html`): throughput and roofline
// fraction against tokens, the bandwidth probe's curve with the caches marked, and the
// extrapolation error against position with the tolerance. Reads the report's JSON (as ReadReport
// checked it).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"
#include "reports/html/html_page.h"

namespace ropebench {

// Machine, tool and run facts for the page header.
std::vector<std::pair<std::string, std::string>> ReportFacts(const nlohmann::json& report);

// Sections for what the report holds (a report of `validate` has no benchmark section).
std::vector<PageSection> ReportSections(const nlohmann::json& report);

// Every preset the report's benchmarks, cases or sweeps name, in first-seen order.
std::vector<std::string> ReportPresets(const nlohmann::json& report);

}  // namespace ropebench
