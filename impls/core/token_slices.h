// How a call's work is walked and split over threads: units are (token, head slot) pairs, slots
// [0, q.heads) being Q's heads and the rest K's, taken token by token so that a token's cos/sin
// are formed once and applied to all its Q and K heads.
#pragma once

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "reference/tensor.h"

namespace ropebench {

// Below this many rotated elements (1 MiB of f32) a call runs on one thread: waking a team costs
// microseconds, more than it saves (where the crossover was measured: docs/kernel-tuning.md).
inline constexpr int64_t kParallelElements = int64_t{1} << 18;

// Calls runs(token_begin, token_end, slot_begin, slot_end, scratch) over every unit of a call, in
// order: slots [slot_begin, slot_end) of each token in [token_begin, token_end), whole tokens
// grouped into one run, a token cut by a thread's share in a run of its own. `scratch` is a
// buffer of scratch_floats owned by the calling thread. When `threaded`, calls of at least two
// tokens and kParallelElements are split into one contiguous range of units per OpenMP thread:
// over tokens, and over the heads of a token when tokens are fewer than threads (a token split
// between two threads is visited by both). Every output element depends on its own token and head
// alone, so any split gives the same bits.
template <typename Runs>
void ForEachTokenRun(int64_t tokens, int64_t slots, int64_t rotated_elements, bool threaded,
                     size_t scratch_floats, const Runs& runs) {
  const int64_t units = tokens * slots;
  auto run = [&](int64_t begin, int64_t end) {
    // On the stack when it fits (every real model's rotary_dim): a decode call is a few hundred
    // nanoseconds, and a heap allocation a tenth of that.
    std::array<float, 1024> small;
    std::vector<float> large(scratch_floats > small.size() ? scratch_floats : 0);
    float* scratch = large.empty() ? small.data() : large.data();
    for (int64_t unit = begin; unit < end;) {
      const int64_t token = unit / slots, first = unit % slots;
      if (first == 0 && end - unit >= slots) {
        const int64_t whole = (end - unit) / slots;
        runs(token, token + whole, int64_t{0}, slots, scratch);
        unit += whole * slots;
        continue;
      }
      const int64_t last = std::min(slots, first + (end - unit));
      runs(token, token + 1, first, last, scratch);
      unit += last - first;
    }
  };
  // Decode and small calls never pay for waking threads, nor does a call allowed one thread (an
  // OpenMP region of one thread still cost a third of a 16-token call).
  if (!threaded || tokens < 2 || rotated_elements < kParallelElements ||
      omp_get_max_threads() == 1) {
    run(0, units);
    return;
  }
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    const int64_t chunk = (units + threads - 1) / threads;
    run(std::min(units, thread * chunk), std::min(units, (thread + 1) * chunk));
  }
}

// ForEachTokenRun one token at a time: slice(token, slot_begin, slot_end, scratch).
template <typename Slice>
void ForEachTokenSlice(int64_t tokens, int64_t slots, int64_t rotated_elements, bool threaded,
                       size_t scratch_floats, const Slice& slice) {
  ForEachTokenRun(tokens, slots, rotated_elements, threaded, scratch_floats,
                  [&](int64_t t0, int64_t t1, int64_t s0, int64_t s1, float* scratch) {
                    for (int64_t t = t0; t < t1; ++t) slice(t, s0, s1, scratch);
                  });
}

// The Q heads [q_begin, q_end) and K heads [k_begin, k_end) among slots [first, last); a range
// may be empty.
struct SlotHeads {
  int64_t q_begin, q_end, k_begin, k_end;
};
inline SlotHeads HeadsOfSlots(const TensorView& q, const TensorView* k, int64_t first,
                              int64_t last) {
  SlotHeads heads{std::min(first, q.heads), std::min(last, q.heads), 0, 0};
  if (k != nullptr && last > q.heads) {
    heads.k_begin = std::max(first, q.heads) - q.heads;
    heads.k_end = last - q.heads;
  }
  return heads;
}

// Calls heads(view, head_begin, head_end) for the Q and K heads among slots [first, last).
// (Highway kernels use HeadsOfSlots instead: a lambda of theirs, compiled for a SIMD target,
// cannot be inlined into this function compiled for the baseline one.)
template <typename Heads>
void ForEachHeadRange(const TensorView& q, const TensorView* k, int64_t first, int64_t last,
                      const Heads& heads) {
  const SlotHeads slots = HeadsOfSlots(q, k, first, last);
  if (slots.q_begin < slots.q_end) heads(q, slots.q_begin, slots.q_end);
  if (slots.k_begin < slots.k_end) heads(*k, slots.k_begin, slots.k_end);
}

}  // namespace ropebench
