// Reads a saved report back (for `ropebench show`, later `compare`): checks the envelope and every
// field the readers use, so that a malformed, truncated or future report gets one line naming the
// problem.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "nlohmann/json.hpp"

namespace ropebench {

// "" on success, else e.g. "r.json: not valid JSON (truncated?): ... at byte 1234" or
// "r.json: benchmarks[3]: missing field 'roofline'".
std::string ReadReport(const std::filesystem::path& path, nlohmann::json& report);

// The same checks on a report already in memory; errors carry no file name.
std::string CheckReport(const nlohmann::json& report);

// For a report marked partial (run.partial: the run was interrupted), what interrupted it, e.g.
// "SIGINT" ("a signal" when the report does not say); nullopt for a whole report.
std::optional<std::string> InterruptedBy(const nlohmann::json& report);

}  // namespace ropebench
