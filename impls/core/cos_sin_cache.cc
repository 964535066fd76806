#include "impls/core/cos_sin_cache.h"

#include <algorithm>

namespace ropebench {

CosSinCache::CosSinCache(const RopeSpec& spec)
    : freq_(ComputeRopeFrequencies(spec)),
      half_(spec.rotary_dim / 2),
      positions_(std::min(kMaxPositions, kMaxBytes / (2 * half_ * int64_t{sizeof(float)}))),
      rows_(new float[static_cast<size_t>(positions_ * 2 * half_)]),
      filled_(static_cast<size_t>(positions_)) {}

void CosSinCache::Fill(std::span<const int64_t> positions) {
  for (int64_t p : positions) {
    if (p >= positions_ || filled_[p]) continue;
    float* row = rows_.get() + p * 2 * half_;
    CosSinAt(freq_, p, row, row + half_);
    filled_[p] = true;
  }
}

const float* CosSinCache::Row(int64_t position, float* scratch) const {
  if (InTable(position)) return rows_.get() + position * 2 * half_;
  CosSinAt(freq_, position, scratch, scratch + half_);
  return scratch;
}

}  // namespace ropebench
