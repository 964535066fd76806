#include "impls/core/table_candidate.h"

#include <utility>

#include "impls/core/pairwise_candidate.h"

namespace ropebench {

TableCandidate::TableCandidate(std::string name, Capabilities capabilities)
    : name_(std::move(name)), capabilities_(std::move(capabilities)) {
  capabilities_.cos_sin = CosSinSource::kCachedTable;
}

CallResult TableCandidate::Rotate(const RopeSpec& spec, std::span<const int64_t> positions,
                                  const TensorView& q, const TensorView* k) {
  const std::string reason = UnsupportedReason(capabilities_, spec, q.dtype, AllContiguous(q, k));
  if (!reason.empty()) return {CallStatus::kUnsupported, reason};
  CosSinCache& cache = cache_.Get(spec, [](const RopeSpec& s) { return CosSinCache(s); });
  cache.Fill(positions);
  RotateFromTable(spec, positions, q, k, cache);
  return {};
}

}  // namespace ropebench
