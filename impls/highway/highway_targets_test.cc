// The whole conformance suite and the extrapolation sweep for `highway`, `highway_openmp` and
// `autovec` (which follows Highway's target) on every Highway target compiled in (AVX3, AVX2,
// SSE4, SSSE3, SCALAR on x86 with g++), each target its own named test: google/highway's
// TestWithParamTarget mocks the CPU's targets, and this file is built with HWY_IS_TEST so that its
// list of targets is every attainable one. A target the CPU does not run is skipped with the
// reason; ROPEBENCH_CPU_TARGET=AVX2 shows what an AVX2 machine runs.
#include "impls/highway/highway_targets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>

#include "bench/validation/testing/case_stride.h"
#include "bench/validation/validator.h"
#include "hwy/tests/hwy_gtest.h"
#include "impls/core/numeric.h"
#include "impls/highway/highway_rope.h"
#include "impls/highway/highway_streaming.h"
#include "impls/highway/highway_test_hooks.h"
#include "impls/registry.h"
#include "reference/presets.h"

namespace ropebench {
namespace {

// f32 values on both sides of every bf16 (and so f16) rounding boundary and tie: each of the
// 65,536 upper halves with 11 lower halves.
std::vector<float> AroundEveryRoundingBoundary() {
  std::vector<float> floats;
  for (uint32_t bits16 = 0; bits16 < 65536; ++bits16) {
    for (uint32_t low : {0u, 1u, 0xFFFu, 0x1000u, 0x1001u, 0x2000u, 0x7FFFu, 0x8000u, 0x8001u,
                         0xFFFFu, 0x12345u}) {
      floats.push_back(std::bit_cast<float>((bits16 << 16) | low));
    }
  }
  return floats;
}

// The kernel's bf16 roundings on this CPU: AVX512_BF16's where it has it (on AVX3 targets), and
// the integer one every target has.
std::vector<bool> NativeBF16Settings() {
  const bool has_native = HighwayAllowNativeBF16(true);
  return has_native ? std::vector<bool>{true, false} : std::vector<bool>{false};
}

// Every target compiled in, whatever the CPU: one that the CPU (or ROPEBENCH_CPU_TARGET) does not
// run is listed and skipped with the reason, so the list of tests is the same on every machine.
std::vector<int64_t> CompiledTargets() {
  std::vector<int64_t> targets;
  for (int64_t rest = HWY_TARGETS; rest != 0; rest &= rest - 1) targets.push_back(rest & -rest);
  return targets;
}

bool RunsHere(int64_t target) {
  const std::vector<std::string> here = HighwayCpuTargets();
  return std::find(here.begin(), here.end(), hwy::TargetName(target)) != here.end();
}

class HighwayTargetsTest : public hwy::TestWithParamTarget {
 protected:
  void SetUp() override {
    if (!RunsHere(GetParam())) {
      GTEST_SKIP() << hwy::TargetName(GetParam())
                   << " is not run by this CPU (or ROPEBENCH_CPU_TARGET): a machine that has it "
                      "tests it";
    }
    hwy::TestWithParamTarget::SetUp();
  }
  void TearDown() override {
    if (IsSkipped()) return;
    HighwayAllowNativeBF16(true);
    SetHighwayStreaming(HighwayStreaming{});
    hwy::TestWithParamTarget::TearDown();
  }

  // What `name` reports its calls ran on under the target being tested: the target itself, or for
  // autovec the x86-64 level its loop was compiled for to match it.
  static std::string ExpectedTarget(const std::string& name) {
    const std::string target = hwy::TargetName(GetParam());
    if (name != "autovec") return target;
#if defined(__x86_64__)
    if (target.starts_with("AVX3")) return "x86-64-v4";
    if (target == "AVX2") return "x86-64-v3";
    if (target == "SSE4") return "x86-64-v2";
#endif
    return "baseline";
  }

  // Runs both suites for the candidate, prints the worst error per dtype, asserts every case and
  // sweep passed, and that the calls really ran on the target under test.
  static void ExpectAllPass(const std::string& name, size_t stride = kTestCaseStride) {
    Registry registry = BuiltinRegistry();
    Candidate* candidate = registry.Find(name);
    ASSERT_NE(candidate, nullptr);
    ValidationPlan plan;
    plan.candidates = {candidate};
    plan.filter.stride = stride;
    const ValidationResults results = RunValidation(plan, nullptr);
    ASSERT_EQ(candidate->target(), ExpectedTarget(name));

    std::map<std::string, double> worst;
    for (const CaseRecord& record : results.cases) {
      EXPECT_EQ(record.status, CaseStatus::kPass)
          << record.name << ": "
          << (record.diagnosis ? record.diagnosis->detail : record.skip_reason);
      if (record.metrics) {
        worst[record.dtype] = std::max(worst[record.dtype], record.metrics->max_pair_error);
      }
    }
    for (const ExtrapolationRecord& sweep : results.extrapolation) {
      EXPECT_EQ(sweep.status, CaseStatus::kPass) << sweep.dtype << " extrapolation";
      EXPECT_TRUE(sweep.accurate_everywhere)
          << sweep.dtype << ": accurate only up to position " << sweep.accurate_up_to;
    }
    std::printf("  %s on %s: %zu cases, %zu sweeps\n", name.c_str(), hwy::TargetName(GetParam()),
                results.cases.size(), results.extrapolation.size());
    for (const auto& [dtype, error] : worst) {
      std::printf("    %-5s worst pair error %.3fu\n", dtype.c_str(), error);
    }
  }
};
INSTANTIATE_TEST_SUITE_P(HighwayTargetsTestGroup, HighwayTargetsTest,
                         testing::ValuesIn(CompiledTargets()), hwy::TestParamTargetName);

TEST_P(HighwayTargetsTest, Highway) { ExpectAllPass("highway"); }
// The threads split tokens and heads the same way on every target and for every spec
// (impls/core/token_slices.h), and OpenMpTest holds the threaded kernel bitwise equal to the
// single-threaded one over decode, token-split and head-split shapes at 1, 2, 3 and 8 threads; the
// single-threaded test takes each target's kernel through all of the suite. So the threaded kernel
// takes a quarter of it (every group and shape: the stride's diagonal) on the target this CPU
// dispatches to, which every run uses, and an eighth on the others.
TEST_P(HighwayTargetsTest, HighwayOpenMp) {
  const bool dispatched_here = HighwayCpuTargets().front() == hwy::TargetName(GetParam());
  constexpr size_t kDispatchedStride = 4;
  constexpr size_t kOtherTargetStride = 8;
  ExpectAllPass("highway_openmp",
                (dispatched_here ? kDispatchedStride : kOtherTargetStride) * kTestCaseStride);
}
// The auto-vectorised baseline at each x86-64 level it is compiled for, on a spread of the suite
// (a baseline, not the product's kernel; `ropebench run` validates it on all of it): SSSE3 runs the
// same baseline code as SCALAR.
TEST_P(HighwayTargetsTest, Autovec) {
  if (std::string_view(hwy::TargetName(GetParam())) == "SSSE3") {
    GTEST_SKIP() << "autovec's SSSE3 is its baseline code, tested under SCALAR";
  }
  constexpr size_t kBaselineStride = 8;
  ExpectAllPass("autovec", kBaselineStride * kTestCaseStride);
}

// Every target rounds f32 to f16 and bf16 as impls/core/numeric.h does (to nearest even, NaN quiet
// with its upper payload), and widens exactly: every f16 and bf16 value, and f32 values around
// every rounding boundary; f16 also by the converting store where the target has it.
TEST_P(HighwayTargetsTest, ConversionsMatchTheScalarOnesBitForBit) {
  std::vector<uint16_t> all(65536);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  const std::vector<float> floats = AroundEveryRoundingBoundary();
  std::vector<std::pair<DType, bool>> stores = {{DType::kF16, false}, {DType::kBF16, false}};
  if (HighwayHasConvertingF16Store()) stores.push_back({DType::kF16, true});
  for (const auto& [dtype, converting] : stores) {
    HighwayUseConvertingF16Store(converting);
    std::vector<float> widened(all.size());
    HighwayWiden(dtype, all.data(), widened.data(), static_cast<int64_t>(all.size()));
    std::vector<uint16_t> narrowed(floats.size());
    HighwayNarrow(dtype, floats.data(), narrowed.data(), static_cast<int64_t>(floats.size()));
    ASSERT_EQ(HighwayDispatchTarget(), hwy::TargetName(GetParam()));
    size_t wrong = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      const uint32_t expected = std::bit_cast<uint32_t>(LoadAsFloat(all.data(), dtype, i));
      if (std::bit_cast<uint32_t>(widened[i]) != expected && wrong++ < 5) {
        ADD_FAILURE() << ToString(dtype) << " widening of 0x" << std::hex << all[i];
      }
    }
    for (size_t i = 0; i < floats.size(); ++i) {
      uint16_t expected = 0;
      StoreFromFloat(&expected, dtype, 0, floats[i]);
      if (narrowed[i] != expected && wrong++ < 10) {
        ADD_FAILURE() << ToString(dtype) << (converting ? " converting" : "") << " narrowing of 0x"
                      << std::hex << std::bit_cast<uint32_t>(floats[i]) << ": 0x" << narrowed[i]
                      << " instead of 0x" << expected;
      }
    }
    EXPECT_EQ(wrong, 0u) << ToString(dtype) << (converting ? " converting" : "");
  }
  HighwayUseConvertingF16Store(false);
}

// The kernel's own bf16 stores (results of arithmetic on bf16 values, whose NaNs are quiet with
// their lower 16 bits zero, stored two vectors at a time) round as impls/core/numeric.h does, with
// AVX512_BF16 and with the integer rounding: every value of AroundEveryRoundingBoundary but other
// NaNs.
TEST_P(HighwayTargetsTest, BF16ResultNarrowingMatchesTheScalarOneBitForBit) {
  std::vector<float> results;
  for (float f : AroundEveryRoundingBoundary()) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    if (!std::isnan(f) || ((bits & 0x00400000) != 0 && (bits & 0xFFFF) == 0)) results.push_back(f);
  }
  for (bool native : NativeBF16Settings()) {
    HighwayAllowNativeBF16(native);
    const bool avx512 = std::string(hwy::TargetName(GetParam())).rfind("AVX3", 0) == 0;
    ASSERT_EQ(HighwayBF16Rounding(), native && avx512 ? "AVX512_BF16" : "integer");
    std::vector<uint16_t> narrowed(results.size());
    HighwayNarrowBF16Results(results.data(), narrowed.data(), static_cast<int64_t>(results.size()));
    size_t wrong = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      uint16_t expected = 0;
      StoreFromFloat(&expected, DType::kBF16, 0, results[i]);
      if (narrowed[i] != expected && wrong++ < 10) {
        ADD_FAILURE() << HighwayBF16Rounding() << ": 0x" << std::hex
                      << std::bit_cast<uint32_t>(results[i]) << " stored 0x" << narrowed[i]
                      << " instead of 0x" << expected;
      }
    }
    EXPECT_EQ(wrong, 0u) << HighwayBF16Rounding();
  }
}

// `input`, bf16 heads of `preset` at position 0, rotated by `highway` on `target` with each of
// this CPU's bf16 roundings, stores the bits `scalar` stores; the first elements that differ are
// named.
void ExpectIdentityRotationStoredAsScalar(const char* preset, const std::vector<uint16_t>& input,
                                          int64_t tokens, int64_t heads, int64_t target) {
  Registry registry = BuiltinRegistry();
  Candidate* highway = registry.Find("highway");
  Candidate* scalar = registry.Find("scalar");
  const RopeSpec& spec = FindPreset(preset)->spec;
  const int d = spec.head_dim;
  const std::vector<int64_t> positions(static_cast<size_t>(tokens), 0);
  const RopeSpec resolved = ResolveSeqLen(spec, positions);
  std::vector<uint16_t> expected = input, got = input;
  const auto view = [&](std::vector<uint16_t>& data) {
    return TensorView{data.data(), DType::kBF16, tokens, heads, d, heads * d, d};
  };
  ASSERT_EQ(scalar->Rotate(resolved, positions, view(expected), nullptr).status, CallStatus::kOk);
  for (bool native : NativeBF16Settings()) {
    HighwayAllowNativeBF16(native);
    got = input;
    ASSERT_EQ(highway->Rotate(resolved, positions, view(got), nullptr).status, CallStatus::kOk);
    ASSERT_EQ(highway->target(), hwy::TargetName(target));
    size_t wrong = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i] != expected[i] && wrong++ < 5) {
        ADD_FAILURE() << preset << ", " << HighwayBF16Rounding() << ": element " << i % d
                      << " of head " << i / d << ", 0x" << std::hex << input[i] << ", stored 0x"
                      << got[i] << ", scalar 0x" << expected[i];
      }
    }
    EXPECT_EQ(wrong, 0u) << preset << ", " << HighwayBF16Rounding();
  }
}

// At position 0 (cos 1, sin 0) a bf16 pair (x, 0) or (0, x) comes back as itself, its NaNs made
// quiet and 0 * infinity the default NaN: every target stores those bits as `scalar` does, for
// every one of the 65,536 bf16 patterns x, half-split and interleaved. (The kernel's bf16 rounding
// skips the NaN test on the ground that a NaN it stores has its lower 16 bits zero: this holds it
// to it.)
TEST_P(HighwayTargetsTest, BF16PatternsThroughTheIdentityRotationAsScalarStoresThem) {
  for (const char* preset : {"llama2-7b", "gptj-6b"}) {  // half-split; interleaved + partial
    const RopeSpec& spec = FindPreset(preset)->spec;
    const int d = spec.head_dim, half = spec.rotary_dim / 2;
    constexpr int64_t kHeads = 8;
    const int64_t tokens = 2 * 65536 / (kHeads * half);  // every pattern as a and as b
    std::vector<uint16_t> input(static_cast<size_t>(tokens * kHeads * d), 0);
    int64_t pattern = 0;
    for (int64_t t = 0; t < tokens; ++t) {
      for (int64_t h = 0; h < kHeads; ++h) {
        for (int p = 0; p < half; ++p, ++pattern) {
          const bool as_b = pattern >= 65536;
          const int a = spec.pairing == Pairing::kInterleaved ? 2 * p : p;
          const int b = spec.pairing == Pairing::kInterleaved ? 2 * p + 1 : p + half;
          input[static_cast<size_t>((t * kHeads + h) * d + (as_b ? b : a))] =
              static_cast<uint16_t>(pattern & 0xFFFF);
        }
      }
    }
    ExpectIdentityRotationStoredAsScalar(preset, input, tokens, kHeads, GetParam());
  }
}

// A bf16 result that is subnormal in any one word of a head, among normal ones, is stored as
// `scalar` stores it: the AVX512_BF16 rounding flushes it to zero, and the kernel checks a head's
// stores together and stores them again when one was flushed (BF16Lanes::StoreUnchecked), so a
// check that missed any store of the group would show here. At position 0 head h holds 1.0
// everywhere but element h, a subnormal (of either sign).
TEST_P(HighwayTargetsTest, ALoneSubnormalBF16ResultInAnyWordIsStoredAsScalarStoresIt) {
  for (const char* preset : {"llama2-7b", "gptj-6b"}) {  // half-split; interleaved + partial
    const RopeSpec& spec = FindPreset(preset)->spec;
    const int d = spec.head_dim;
    const int64_t heads = spec.rotary_dim, tokens = 2;
    std::vector<uint16_t> input(static_cast<size_t>(tokens * heads * d), 0x3F80);
    for (int64_t t = 0; t < tokens; ++t) {
      for (int64_t h = 0; h < heads; ++h) {
        input[static_cast<size_t>((t * heads + h) * d + h)] =
            static_cast<uint16_t>((h % 2 == 0 ? 0x0000 : 0x8000) | (1 + h % 127));
      }
    }
    ExpectIdentityRotationStoredAsScalar(preset, input, tokens, heads, GetParam());
  }
}

// A call taken to stream from memory walks the heads another way (whole heads where a chunk of
// registers does not cover the half, prefetches ahead, the run-time half) and must store the bits
// of the in-cache walks that the suites validate: every dtype, both pairings, halves a chunk covers
// or not, with 4-lane and 1-lane tails, positions past the table.
TEST_P(HighwayTargetsTest, StreamingCallsStoreTheInCacheBits) {
  Registry registry = BuiltinRegistry();
  Candidate* highway = registry.Find("highway");
  struct Shape {
    int head_dim, rotary_dim;
    Pairing pairing;
  };
  const Shape shapes[] = {{128, 128, Pairing::kHalfSplit}, {128, 128, Pairing::kInterleaved},
                          {256, 256, Pairing::kHalfSplit}, {256, 64, Pairing::kInterleaved},
                          {96, 90, Pairing::kHalfSplit},   {160, 150, Pairing::kInterleaved},
                          {64, 64, Pairing::kHalfSplit}};
  const std::vector<int64_t> positions = {0, 1, 7, 4095, 3, 1 << 20};
  const int64_t tokens = static_cast<int64_t>(positions.size());
  constexpr int64_t kQHeads = 4, kKHeads = 2;
  std::mt19937 random(20261202);
  std::uniform_real_distribution<float> value(-4.0f, 4.0f);
  constexpr int64_t kNever = INT64_MAX;
  const HighwayStreaming in_cache{kNever, {0, 0, 0}};
  const HighwayStreaming streaming[] = {{0, {0, 0, 0}}, {0, {4096, 4096, 4096}}};  // all stream
  for (const Shape& shape : shapes) {
    RopeSpec spec;
    spec.head_dim = shape.head_dim;
    spec.rotary_dim = shape.rotary_dim;
    spec.pairing = shape.pairing;
    spec = ResolveSeqLen(spec, positions);
    for (DType dtype : kAllDTypes) {
      const int64_t d = shape.head_dim;
      std::vector<float> q_input(static_cast<size_t>(tokens * kQHeads * d));
      std::vector<float> k_input(static_cast<size_t>(tokens * kKHeads * d));
      for (std::vector<float>* input : {&q_input, &k_input}) {
        for (size_t i = 0; i < input->size(); ++i)
          StoreFromFloat(input->data(), dtype, i, value(random));
      }
      // Q's and K's bytes after a call under `walk` (their elements fill the front of the
      // buffers for the 2-byte dtypes).
      const auto rotated = [&](const HighwayStreaming& walk) {
        SetHighwayStreaming(walk);
        std::vector<float> q = q_input, k = k_input;
        const TensorView q_view{q.data(), dtype, tokens, kQHeads, d, kQHeads * d, d};
        const TensorView k_view{k.data(), dtype, tokens, kKHeads, d, kKHeads * d, d};
        EXPECT_EQ(highway->Rotate(spec, positions, q_view, &k_view).status, CallStatus::kOk);
        EXPECT_EQ(highway->target(), hwy::TargetName(GetParam()));
        const auto bytes = [dtype](const std::vector<float>& x) {
          const auto* first = reinterpret_cast<const char*>(x.data());
          return std::string(first, x.size() * BytesPerElement(dtype));
        };
        return bytes(q) + bytes(k);
      };
      const std::string expected = rotated(in_cache);
      for (const HighwayStreaming& walk : streaming) {
        EXPECT_TRUE(rotated(walk) == expected)
            << "head_dim " << d << ", rotary_dim " << shape.rotary_dim << ", "
            << ToString(shape.pairing) << ", " << ToString(dtype) << ", prefetch "
            << walk.PrefetchBytes(dtype);
      }
      // f16 stored by the converting store where the target has it, in cache and streaming.
      if (HighwayHasConvertingF16Store()) {
        HighwayUseConvertingF16Store(true);
        for (const HighwayStreaming& walk : {in_cache, streaming[1]}) {
          EXPECT_TRUE(rotated(walk) == expected)
              << "head_dim " << d << ", rotary_dim " << shape.rotary_dim << ", "
              << ToString(shape.pairing) << ", " << ToString(dtype)
              << ", converting f16 store, prefetch " << walk.PrefetchBytes(dtype);
        }
        HighwayUseConvertingF16Store(false);
      }
    }
  }
}

}  // namespace
}  // namespace ropebench
