// A candidate that rotates from the per-spec cos/sin table a serving engine keeps
// (impls/core/cos_sin_cache.h): each call declines what its capabilities exclude, fills the table's
// rows of the call's positions, then rotates from them. highway and autovec are two such
// candidates.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "impls/core/candidate.h"
#include "impls/core/cos_sin_cache.h"
#include "impls/core/per_spec.h"

namespace ropebench {

class TableCandidate : public Candidate {
 public:
  // The capabilities' cos_sin becomes kCachedTable.
  TableCandidate(std::string name, Capabilities capabilities);

  std::string_view name() const override { return name_; }
  const Capabilities& capabilities() const override { return capabilities_; }
  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) final;

 protected:
  // A supported call, with every row of `positions` that fits in the table filled.
  virtual void RotateFromTable(const RopeSpec& spec, std::span<const int64_t> positions,
                               const TensorView& q, const TensorView* k,
                               const CosSinCache& cache) = 0;

 private:
  std::string name_;
  Capabilities capabilities_;
  PerSpec<CosSinCache> cache_;
};

}  // namespace ropebench
