// `ropebench compare BASE.json HEAD.json`: the CI verdict of reports/compare/compare.h as a
// terminal table, a Markdown pull-request comment, or JSON, and its exit code.
#pragma once

#include <string>
#include <vector>

#include "bench/cli/cli_args.h"

namespace ropebench {

inline constexpr int kExitRegression = 1;
inline constexpr int kExitInconclusive = 3;

// Exit code: 0 no regression, 1 a regression (timing or accuracy), 2 invalid input (thrown as a
// UsageError or printed), 3 inconclusive benchmarks with --fail-on-inconclusive.
int CompareCommand(const ParsedArgs& args);

}  // namespace ropebench
