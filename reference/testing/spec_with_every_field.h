// For the tests of every form a spec takes (JSON, the plugin ABI, the worker's wire): a spec whose
// every field differs from RopeSpec{}'s, so that a form dropping a field cannot round-trip it.
#pragma once

#include <gtest/gtest.h>

#include "reference/rope_spec.h"

namespace ropebench::testing {

inline RopeSpec SpecWithEveryField() {
  RopeSpec s;
  s.head_dim = 96;
  s.rotary_dim = 64;
  s.pairing = Pairing::kInterleaved;
  s.base = 5e5;
  s.scaling = Scaling::kLongrope;
  s.factor = 32;
  s.original_max_positions = 4096;
  s.beta_fast = 16;
  s.beta_slow = 2;
  s.truncate = false;
  s.mscale = 0.7;
  s.mscale_all_dim = 0.6;
  s.attention_factor = 1.25;
  s.low_freq_factor = 2;
  s.high_freq_factor = 8;
  s.short_factor.assign(32, 1.5);
  s.long_factor.assign(32, 4.0);
  s.seq_len = 9000;
  return s;
}

// Fails naming each field SpecWithEveryField leaves at its default (a field added to the list).
inline void ExpectEveryFieldSet(const RopeSpec& s) {
  const RopeSpec defaults;
#define ROPEBENCH_EXPECT_SET(name) EXPECT_NE(s.name, defaults.name) << #name;
  ROPEBENCH_SPEC_FIELDS(ROPEBENCH_EXPECT_SET)
#undef ROPEBENCH_EXPECT_SET
}

}  // namespace ropebench::testing
