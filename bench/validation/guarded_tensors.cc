#include "bench/validation/guarded_tensors.h"

#include <algorithm>
#include <cstring>

#include "bench/validation/random_fill.h"
#include "fmt/format.h"

namespace ropebench {
namespace {

// Canary elements before the first and after the last element of every buffer.
constexpr int64_t kGuardElements = 64;
// Gaps of the padded layout: after each head, and at the end of each token's row.
constexpr int64_t kHeadPadding = 3;
constexpr int64_t kRowPadding = 5;

}  // namespace

GuardedTensors::GuardedTensors(Layout layout, DType dtype, int64_t tokens, int q_heads,
                               int kv_heads, int head_dim)
    : dtype_(dtype) {
  const int bytes = BytesPerElement(dtype);
  auto allocate = [&](int64_t elements) {
    Buffer buffer;
    buffer.bytes.resize((elements + 2 * kGuardElements) * bytes);
    buffer.owned.assign(buffer.bytes.size() / bytes, 0);
    for (size_t i = 0; i < buffer.bytes.size(); ++i) buffer.bytes[i] = Canary(i);
    buffers_.push_back(std::move(buffer));
    return static_cast<int>(buffers_.size() - 1);
  };
  auto view_in = [&](int buffer, int64_t element_offset, int heads, int64_t token_stride,
                     int64_t head_stride) {
    unsigned char* base = buffers_[buffer].bytes.data() + (kGuardElements + element_offset) * bytes;
    return TensorView{base, dtype, tokens, heads, head_dim, token_stride, head_stride};
  };
  switch (layout) {
    case Layout::kContiguous:
      q_buffer_ = allocate(tokens * q_heads * head_dim);
      k_buffer_ = allocate(tokens * kv_heads * head_dim);
      q_ = view_in(q_buffer_, 0, q_heads, q_heads * head_dim, head_dim);
      k_ = view_in(k_buffer_, 0, kv_heads, kv_heads * head_dim, head_dim);
      break;
    case Layout::kPadded: {
      const int64_t head_stride = head_dim + kHeadPadding;
      const int64_t q_row = q_heads * head_stride + kRowPadding;
      const int64_t k_row = kv_heads * head_stride + kRowPadding;
      q_buffer_ = allocate(tokens * q_row);
      k_buffer_ = allocate(tokens * k_row);
      q_ = view_in(q_buffer_, 0, q_heads, q_row, head_stride);
      k_ = view_in(k_buffer_, 0, kv_heads, k_row, head_stride);
      break;
    }
    case Layout::kPackedQkv: {
      // V's heads stay canaries: RoPE must never touch them.
      const int64_t row = (q_heads + 2 * kv_heads) * int64_t{head_dim};
      q_buffer_ = k_buffer_ = allocate(tokens * row);
      q_ = view_in(q_buffer_, 0, q_heads, row, head_dim);
      k_ = view_in(k_buffer_, int64_t{q_heads} * head_dim, kv_heads, row, head_dim);
      break;
    }
  }
  Own(q_buffer_, q_);
  Own(k_buffer_, k_);
  for (Buffer& buffer : buffers_) FindGuardRuns(buffer);
}

void GuardedTensors::FindGuardRuns(Buffer& buffer) const {
  const size_t element_bytes = BytesPerElement(dtype_);
  for (size_t e = 0; e < buffer.owned.size();) {
    if (buffer.owned[e]) {
      ++e;
      continue;
    }
    const size_t first = e;
    while (e < buffer.owned.size() && !buffer.owned[e]) ++e;
    buffer.guard_runs.emplace_back(first * element_bytes, e * element_bytes);
  }
}

void GuardedTensors::Own(int buffer, const TensorView& view) {
  const auto* base = static_cast<const unsigned char*>(view.data);
  const size_t origin = (base - buffers_[buffer].bytes.data()) / BytesPerElement(dtype_);
  for (int64_t t = 0; t < view.tokens; ++t) {
    for (int64_t h = 0; h < view.heads; ++h) {
      std::fill_n(buffers_[buffer].owned.begin() + origin + view.Offset(t, h, 0), view.head_dim, 1);
    }
  }
}

TensorView GuardedTensors::TokenView(const TensorView& view, int64_t token) const {
  TensorView one = view;
  one.data =
      static_cast<unsigned char*>(view.data) + token * view.token_stride * BytesPerElement(dtype_);
  one.tokens = 1;
  return one;
}

TensorView GuardedTensors::QAt(int64_t token) const { return TokenView(q_, token); }
TensorView GuardedTensors::KAt(int64_t token) const { return TokenView(k_, token); }

void GuardedTensors::FillRandom(uint32_t seed) {
  FillRandomValues(q_, seed);
  FillRandomValues(k_, seed ^ 0x9E3779B9u);
}

GuardedTensors::Bytes GuardedTensors::Snapshot() const {
  Bytes bytes;
  for (const Buffer& buffer : buffers_) bytes.push_back(buffer.bytes);
  return bytes;
}

void GuardedTensors::Restore(const Bytes& bytes) {
  for (size_t b = 0; b < buffers_.size(); ++b) buffers_[b].bytes = bytes[b];
}

bool GuardedTensors::Matches(const Bytes& bytes) const {
  if (bytes.size() != buffers_.size()) return false;
  for (size_t b = 0; b < buffers_.size(); ++b) {
    if (buffers_[b].bytes != bytes[b]) return false;
  }
  return true;
}

std::vector<DenseTensor> GuardedTensors::WidenFirstTokens(int64_t tokens) const {
  TensorView q = q_, k = k_;
  q.tokens = k.tokens = std::min(tokens, q_.tokens);
  return {Widen(q), Widen(k)};
}

std::string GuardedTensors::FirstGuardViolation() const {
  const int element_bytes = BytesPerElement(dtype_);
  for (size_t b = 0; b < buffers_.size(); ++b) {
    const Buffer& buffer = buffers_[b];
    for (const auto& [first, last] : buffer.guard_runs) {
      for (size_t i = first; i < last; ++i) {
        if (buffer.bytes[i] == Canary(i)) continue;
        const int64_t element = static_cast<int64_t>(i / element_bytes) - kGuardElements;
        const char* name = static_cast<int>(b) == q_buffer_ ? "q" : "k";
        return fmt::format(
            "canary overwritten in the {} buffer at element {} (relative to its first "
            "element)",
            name, element);
      }
    }
  }
  return "";
}

std::string GuardedTensors::FirstPassThroughChange(const Bytes& before, int rotary_dim) const {
  const int bytes = BytesPerElement(dtype_);
  for (const auto& [view, buffer, name] :
       {std::tuple{&q_, q_buffer_, "q"}, {&k_, k_buffer_, "k"}}) {
    const size_t origin =
        static_cast<const unsigned char*>(view->data) - buffers_[buffer].bytes.data();
    const size_t run = (view->head_dim - rotary_dim) * bytes;  // a head's pass-through bytes
    for (int64_t t = 0; t < view->tokens; ++t) {
      for (int64_t h = 0; h < view->heads; ++h) {
        const size_t first = origin + view->Offset(t, h, rotary_dim) * bytes;
        const unsigned char* now = buffers_[buffer].bytes.data() + first;
        const unsigned char* was = before[buffer].data() + first;
        if (std::memcmp(now, was, run) == 0) continue;
        for (int64_t d = rotary_dim;; ++d, now += bytes, was += bytes) {
          if (std::memcmp(now, was, bytes) != 0) {
            return fmt::format("{} token {} head {} element {} changed", name, t, h, d);
          }
        }
      }
    }
  }
  return "";
}

}  // namespace ropebench
