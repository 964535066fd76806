// What the command-line flags ask for: candidates, presets, dtypes, a user's spec, counts and
// seconds, turned into validation and benchmark plans, with a one-line UsageError naming any bad
// value.
#pragma once

#include <string>
#include <vector>

#include "bench/cli/cli_args.h"
#include "bench/timing/benchmarks.h"
#include "bench/validation/validator.h"
#include "impls/registry.h"
#include "nlohmann/json.hpp"

namespace ropebench {

// Carries a one-line usage error out of option resolution (exit code 2).
struct UsageError {
  std::string message;
};

std::string Join(const std::vector<std::string>& items);

// --plugin PATH... and --exec CMD...: adds each plugin (isolated) and external program to the
// registry, with --timeout seconds per call (UsageError naming the one that cannot be used).
void AddExternalCandidates(Registry& registry, const ParsedArgs& args);

// --candidate (default: the plugins when --plugin is given, else every built-in that is not an
// emulation), --preset, --dtype,
// --spec/--heads,
// --suite.
ValidationPlan PlanFromFlags(const Registry& registry, const ParsedArgs& args);
// --candidate, --preset, --dtype, --tokens, --threads, --repetitions, --min-time, --time-budget
// over `defaults`.
BenchmarkPlan BenchPlanFromFlags(const Registry& registry, const ParsedArgs& args,
                                 BenchmarkPlan defaults);

// The plans as the report's run.settings records them.
nlohmann::json ValidationSettings(const ValidationPlan& plan);
nlohmann::json BenchSettings(const BenchmarkPlan& plan);

// Throws a UsageError naming the shape, before anything is allocated, when a shape's Q and K (and
// the probe's copy of as much) would not fit in `memory_bytes` (0: unknown, nothing refused).
void RefuseWhatCannotFit(const BenchmarkPlan& plan, int64_t memory_bytes);

}  // namespace ropebench
