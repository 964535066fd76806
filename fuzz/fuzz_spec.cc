// The --spec argument (key=value pairs, JSON, or @file), then the spec's validation, and for a
// valid spec the reference's frequencies: no input may crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bench/cli/spec_argument.h"
#include "reference/frequencies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!text.empty() && text.front() == '@') return 0;  // a file path: the fuzzer is not a shell
  ropebench::RopeSpec spec;
  if (!ropebench::ParseSpecArgument(text, spec).empty()) return 0;
  if (!ropebench::ValidateSpec(spec).empty()) return 0;
  if (spec.head_dim > 4096) return 0;  // valid, but a large table per input slows the search
  (void)ropebench::InverseFrequencies(spec);
  (void)ropebench::AttentionFactor(spec);
  return 0;
}
