// Which Highway target the kernel runs on: those compiled in, those this CPU runs, the one
// dispatch picks, and pinning it for a run (--target).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ropebench {

// The target HighwayRotateTokens dispatches to now ("AVX3", "AVX2", ..., "SCALAR").
std::string HighwayDispatchTarget();
// Targets compiled into the kernel, best first, and those of them this CPU runs (with the
// environment's ROPEBENCH_CPU_TARGET=NAME, none better than NAME: the process acts as such a CPU).
std::vector<std::string> HighwayCompiledTargets();
std::vector<std::string> HighwayCpuTargets();
// The ROPEBENCH_CPU_TARGET the process acts under, or "".
std::string HighwayCpuTargetCap();

// Makes dispatch pick `name` (a compiled target this CPU runs) for the rest of the process, by
// disabling every better target. Empty on success, else why not ("unknown Highway target ...").
std::string PinHighwayTarget(std::string_view name);

// How bf16 results are rounded on the dispatched target: "AVX512_BF16" (VCVTNE2PS2BF16, on AVX3
// targets of a CPU that has it) or "integer" (every other target, and subnormal or zero results).
std::string HighwayBF16Rounding();

}  // namespace ropebench
