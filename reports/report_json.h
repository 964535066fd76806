// The JSON form of validation records, and writing a JSON file so that a reader never sees half of
// it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "reference/rope_spec.h"
#include "reports/records.h"

namespace ropebench {

// Bumped whenever a field changes meaning or goes away; readers refuse versions they do not know.
inline constexpr int kReportSchemaVersion = 1;

nlohmann::json CaseJson(const CaseRecord& record);
nlohmann::json ExtrapolationJson(const ExtrapolationRecord& record);
// {"validation": {"summary": per candidate counts, "cases": [...]}, "extrapolation": [...]}.
nlohmann::json ValidationJson(const ValidationResults& results);
nlohmann::json BandwidthJson(const std::vector<BandwidthRecord>& probe);
nlohmann::json BenchmarksJson(const std::vector<BenchmarkRecord>& benchmarks);

// A report's number read back: a JSON number, or "inf", "-inf" or "nan" in words as the writer
// puts them; NaN for anything else (a field that is missing or null).
double ReportNumber(const nlohmann::json& value);

// Writes to a temporary file beside `path` and renames it into place, so that a reader never sees
// half a file. Empty on success, else the error.
std::string WriteFileAtomically(const std::filesystem::path& path, std::string_view text);
std::string WriteJsonFile(const std::filesystem::path& path, const nlohmann::json& json);

}  // namespace ropebench
