// A model's prefill for the start-up calibrations (streaming_calibration.h,
// f16_store_calibration.h): contiguous Q and K of `tokens` tokens in one aligned buffer, at
// positions 0.., with the spec resolved for them. The values are 0x3C in every byte, a normal
// number in each dtype (1.06 in f16, 0.0115 in f32 and bf16) that rotations keep away from
// subnormals' slow paths.
#pragma once

#include <cstdint>
#include <vector>

#include "bench/timing/aligned_buffer.h"
#include "reference/presets.h"
#include "reference/rope_spec.h"
#include "reference/tensor.h"

namespace ropebench {

struct CalibrationPrefill {
  AlignedBuffer storage;
  TensorView q, k;
  std::vector<int64_t> positions;
  RopeSpec spec;

  // Q and K bytes of one call.
  int64_t Bytes() const {
    return (q.heads + k.heads) * q.head_dim * q.tokens * BytesPerElement(q.dtype);
  }
};

// Bytes of one token's Q and K heads of `model` in `dtype`.
int64_t PrefillTokenBytes(const ModelPreset& model, DType dtype);

CalibrationPrefill MakeCalibrationPrefill(const ModelPreset& model, DType dtype, int64_t tokens);

}  // namespace ropebench
