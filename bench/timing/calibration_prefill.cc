#include "bench/timing/calibration_prefill.h"

#include <cstring>

namespace ropebench {

int64_t PrefillTokenBytes(const ModelPreset& model, DType dtype) {
  return (model.q_heads + model.kv_heads) * model.spec.head_dim * BytesPerElement(dtype);
}

CalibrationPrefill MakeCalibrationPrefill(const ModelPreset& model, DType dtype, int64_t tokens) {
  const int64_t head_dim = model.spec.head_dim;
  const int64_t bytes = tokens * PrefillTokenBytes(model, dtype);
  AlignedBuffer storage = AllocateAligned(bytes);
  std::memset(storage.get(), 0x3C, bytes);
  char* const data = static_cast<char*>(storage.get());
  const TensorView q{data,    dtype, tokens, model.q_heads, head_dim, model.q_heads * head_dim,
                     head_dim};
  const TensorView k{data + tokens * model.q_heads * head_dim * BytesPerElement(dtype),
                     dtype,
                     tokens,
                     model.kv_heads,
                     head_dim,
                     model.kv_heads * head_dim,
                     head_dim};
  std::vector<int64_t> positions(tokens);
  for (int64_t t = 0; t < tokens; ++t) positions[t] = t;
  const RopeSpec spec = ResolveSeqLen(model.spec, positions);
  return {std::move(storage), q, k, std::move(positions), spec};
}

}  // namespace ropebench
