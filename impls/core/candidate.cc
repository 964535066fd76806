#include "impls/core/candidate.h"

#include <algorithm>

namespace ropebench {
namespace {

template <typename T>
bool Contains(const std::vector<T>& values, T value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

std::string_view ToString(CosSinSource source) {
  return source == CosSinSource::kCachedTable ? "cached_table" : "per_call";
}

Capabilities AllCapabilities(std::string description) {
  Capabilities capabilities;
  capabilities.dtypes.assign(std::begin(kAllDTypes), std::end(kAllDTypes));
  capabilities.pairings.assign(std::begin(kAllPairings), std::end(kAllPairings));
  capabilities.scalings.assign(std::begin(kAllScalings), std::end(kAllScalings));
  capabilities.description = std::move(description);
  return capabilities;
}

std::string UnsupportedReason(const Capabilities& capabilities, const RopeSpec& spec, DType dtype,
                              bool contiguous) {
  if (!Contains(capabilities.dtypes, dtype)) {
    return "dtype " + std::string(ToString(dtype)) + " not supported";
  }
  if (!Contains(capabilities.pairings, spec.pairing)) {
    return "pairing " + std::string(ToString(spec.pairing)) + " not supported";
  }
  if (!Contains(capabilities.scalings, spec.scaling)) {
    return "scaling " + std::string(ToString(spec.scaling)) + " not supported";
  }
  if (!contiguous && !capabilities.strided) return "strided tensors not supported";
  return "";
}

std::vector<CallResult> Candidate::RotateEach(std::span<const RotateCall> calls) {
  std::vector<CallResult> results;
  for (const RotateCall& call : calls) {
    results.push_back(Rotate(*call.spec, call.positions, call.q, call.k));
  }
  return results;
}

}  // namespace ropebench
