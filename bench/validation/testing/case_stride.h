// How much of the conformance suite the whole-suite tests run: every case in the normal build;
// every Nth (SuiteFilter::stride) in the sanitizer builds of scripts/sanitize, where a case costs
// about ten times as much (each tensor allocation and copy is checked) and a spread over every
// group reaches the same code.
#pragma once

#include <cstddef>

#ifndef ROPEBENCH_TEST_CASE_STRIDE
#define ROPEBENCH_TEST_CASE_STRIDE 1
#endif

namespace ropebench {

inline constexpr size_t kTestCaseStride = ROPEBENCH_TEST_CASE_STRIDE;

}  // namespace ropebench
