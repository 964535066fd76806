// The validation suites as data tables (STYLE.md 4): arrays of shapes, positions, layouts and
// specs, crossed in loops.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bench/validation/validation_case.h"
#include "reference/tensor.h"

namespace ropebench {

// A spec of the user's own, validated like a preset.
struct CustomSpec {
  RopeSpec spec;
  int q_heads = 8;
  int kv_heads = 2;
};

struct SuiteFilter {
  // Empty presets and no custom spec: every preset, plus the edge and scaling groups. Otherwise
  // only the named presets and the custom spec.
  std::vector<std::string> presets = {};
  std::vector<DType> dtypes = {};        // empty: every dtype
  std::vector<std::string> groups = {};  // "preset", "edge", "scaling", "custom"; empty: all
  std::optional<CustomSpec> custom = std::nullopt;
  // One case of every `stride` of what the filters above keep, its place in the block moving by one
  // from block to block: a spread over every group and shape at a fraction of the cost (the
  // sanitizer builds of the tests, where a case costs ~10 times more).
  size_t stride = 1;
};

// Every model preset x dtype x positions x layout; edge shapes (head_dim, rotary_dim, tokens,
// heads, pairing); and a sweep of every scaling method's own parameters.
std::vector<ValidationCase> ConformanceSuite(const SuiteFilter& filter);

}  // namespace ropebench
