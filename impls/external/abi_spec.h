// RopeSpec as the plugin ABI's ropebench_spec (include/ropebench_plugin.h) and back, field by field
// from ROPEBENCH_SPEC_FIELDS: what a plugin is given, and what the isolated worker's wire carries.
#pragma once

#include <span>

#include "include/ropebench_plugin.h"
#include "reference/rope_spec.h"

namespace ropebench {

// The factor arrays point into `spec` (NULL when empty); attention_factor 0 = the method's default.
ropebench_spec AbiSpec(const RopeSpec& spec);

// The spec `abi` holds, with its factor arrays' values given apart (the ABI's pointers are the
// caller's). Exact for a valid spec, whose attention_factor is positive when set.
RopeSpec SpecFromAbi(const ropebench_spec& abi, std::span<const double> short_factor,
                     std::span<const double> long_factor);

}  // namespace ropebench
