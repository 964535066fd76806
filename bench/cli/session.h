// One ropebench session: validation, extrapolation, the bandwidth probe and the benchmarks, as
// asked, with progress on stderr; then one report (the versioned envelope of DESIGN.md §7), its
// summary on stdout, and the file. Shared by `validate`, `bench` and `run`.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "bench/timing/benchmarks.h"
#include "bench/validation/validator.h"
#include "nlohmann/json.hpp"

namespace ropebench {

struct SessionPlan {
  std::optional<ValidationPlan> validation;
  std::optional<ValidationResults> judged;  // results judged already (vectors check)
  std::optional<BenchmarkPlan> benchmarks;  // with the bandwidth probe
  std::vector<std::string> gbench_flags;    // --benchmark_* flags passed through
  bool quiet = false;                       // no progress
  bool console = false;                     // Google Benchmark's own table on stdout
  Acceptance accepted;                      // --accept: what exits 0 besides pass
  double tolerance = 0;                     // --tolerance U for every case; 0: the table
  std::string json_path;                    // where the report goes; empty: nowhere
  std::vector<std::string> command_line;
  nlohmann::json settings = nlohmann::json::object();  // the suite settings, for the report
};

// Exit code: 0 every check passed (or was accepted), 1 a check failed (a validation case, a sweep,
// or a benchmark whose candidate failed validation on its shape or is precision-limited), 2 invalid
// input (a refused Google Benchmark flag) or the report could not be written.
int RunSession(const SessionPlan& plan);

// `when` in UTC with a strftime format.
std::string UtcTime(std::time_t when, const char* format);

}  // namespace ropebench
