// Q and K laid out as a case asks (contiguous, padded, packed QKV) inside buffers whose every byte
// that is not a tensor element holds a canary: before, after and between heads and tensors
// (BUG_CLASSES.md 15, 16, 18). A candidate that writes anywhere but its own elements is caught.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bench/validation/validation_case.h"
#include "reference/tensor.h"

namespace ropebench {

class GuardedTensors {
 public:
  GuardedTensors(Layout layout, DType dtype, int64_t tokens, int q_heads, int kv_heads,
                 int head_dim);
  GuardedTensors(const GuardedTensors&) = delete;
  GuardedTensors& operator=(const GuardedTensors&) = delete;

  const TensorView& q() const { return q_; }
  const TensorView& k() const { return k_; }
  // The views of one token (tokens = 1), for token-by-token decode.
  TensorView QAt(int64_t token) const;
  TensorView KAt(int64_t token) const;

  // Fills every element with a value of magnitude in [0.25, 4] and random sign, rounded to the
  // dtype.
  void FillRandom(uint32_t seed);

  // Q and K as dense float64, exactly.
  std::vector<DenseTensor> WidenAll() const { return {Widen(q_), Widen(k_)}; }
  // Their first `tokens` tokens only.
  std::vector<DenseTensor> WidenFirstTokens(int64_t tokens) const;

  using Bytes = std::vector<std::vector<unsigned char>>;
  Bytes Snapshot() const;
  void Restore(const Bytes& bytes);
  // Whether every byte of the buffers equals its value in `bytes` (Snapshot() == bytes, without
  // the copy).
  bool Matches(const Bytes& bytes) const;

  // Empty when every canary byte is intact, else where the first overwritten one is.
  std::string FirstGuardViolation() const;
  // Empty when every element at d >= rotary_dim equals its value in `before`, bit for bit.
  std::string FirstPassThroughChange(const Bytes& before, int rotary_dim) const;

 private:
  struct Buffer {
    std::vector<unsigned char> bytes;
    std::vector<uint8_t> owned;  // per element: 1 when it belongs to Q or K
    // Byte ranges [first, second) of the elements that are not owned: the canaries.
    std::vector<std::pair<size_t, size_t>> guard_runs;
  };
  void FindGuardRuns(Buffer& buffer) const;
  void Own(int buffer, const TensorView& view);
  static unsigned char Canary(size_t index) {
    return static_cast<unsigned char>(0xA5 ^ (index * 29));
  }
  TensorView TokenView(const TensorView& view, int64_t token) const;

  DType dtype_;
  std::vector<Buffer> buffers_;
  int q_buffer_ = 0;
  int k_buffer_ = 0;
  TensorView q_;
  TensorView k_;
};

}  // namespace ropebench
