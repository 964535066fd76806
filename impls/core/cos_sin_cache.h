// The cos/sin cache a serving engine keeps per spec (vLLM's cos_sin_cache, TensorRT-LLM's
// rotary tables): one row of rotary_dim/2 cosines then sines per position, each computed once, on
// the first call that uses the position, exactly as CosSinAt computes it. Positions past the
// table's size are computed per call instead, so accuracy never depends on the table.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "impls/core/inv_freq.h"

namespace ropebench {

class CosSinCache {
 public:
  // At most kMaxBytes of rows: 2^17 positions for rotary_dim 128 (Llama-3.1's 131,072-token
  // context), more for smaller rotary dims, up to kMaxPositions.
  static constexpr int64_t kMaxBytes = int64_t{64} << 20;
  static constexpr int64_t kMaxPositions = int64_t{1} << 20;

  explicit CosSinCache(const RopeSpec& spec);

  // Computes the rows of every position of the call not yet in the table (not thread-safe: call
  // before rows are read concurrently).
  void Fill(std::span<const int64_t> positions);

  // The row of `position`: cos at [0, half), sin at [half, 2 * half). A table row when the
  // position is in the table, else computed into `scratch` (2 * half floats).
  const float* Row(int64_t position, float* scratch) const;

  // Whether the row of `position` is in the table, at table() + position * 2 * half().
  bool InTable(int64_t position) const { return position < positions_ && filled_[position]; }
  const float* table() const { return rows_.get(); }

  int half() const { return half_; }
  int64_t positions() const { return positions_; }

 private:
  RopeFrequencies freq_;
  int half_;
  int64_t positions_;
  // Left uninitialised on purpose: the OS maps a page only when a row in it is first written.
  std::unique_ptr<float[]> rows_;
  std::vector<bool> filled_;
};

}  // namespace ropebench
