// Cache-line-aligned heap buffers for the timed tensors and the probe's working sets: aligned so
// that a benchmark's first and last lines are whole lines, as they are in a model's activations.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace ropebench {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<void, FreeDeleter>;

// `bytes` rounded up to whole 64-byte lines, or nullptr when that much cannot be allocated.
inline AlignedBuffer AllocateAligned(size_t bytes) {
  return AlignedBuffer(std::aligned_alloc(64, (bytes + 63) / 64 * 64));
}

}  // namespace ropebench
