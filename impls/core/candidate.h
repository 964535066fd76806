// The one interface every candidate is reached through: built-in variants, C plugins and external
// programs (DESIGN.md §4). Its call mirrors the plugin ABI: one spec, one position per
// token, Q and optionally K rotated in place.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reference/rope_spec.h"
#include "reference/tensor.h"

namespace ropebench {

enum class CallStatus {
  kOk,
  kUnsupported,  // the candidate declined this case: reported as skipped, never as passed
  kError,        // the candidate failed (a plugin's error code, a program that wrote no output)
  kCrash,        // its isolated process died of a signal
  kTimeout,      // its isolated process did not finish in time and was killed
};

struct CallResult {
  CallResult() = default;
  CallResult(CallStatus s, std::string m) : status(s), message(std::move(m)) {}

  CallStatus status = CallStatus::kOk;
  std::string message;  // why, when not kOk
  // Where a call isolated from the caller's memory wrote outside its tensors (which in-process
  // would have hit the caller's guard bytes); empty when it did not.
  std::string stray_write;
};

// How a candidate computes, which decides the error it may show (bench/tolerances).
enum class Arithmetic {
  kF32,  // f32 arithmetic between loading and storing (the common case)
  kF64,  // double arithmetic, rounded once at the store
};

// Where a candidate's cos and sin come from, which a benchmark reports beside its speed.
enum class CosSinSource {
  kPerCall,      // computed within each call
  kCachedTable,  // a per-spec table kept between calls, as serving engines keep one
};
std::string_view ToString(CosSinSource source);

// What a candidate declares it can do; a case outside it is skipped before the candidate is called.
struct Capabilities {
  std::vector<DType> dtypes;
  std::vector<Pairing> pairings;
  std::vector<Scaling> scalings;
  bool strided = true;     // accepts views that are not packed [tokens][heads][head_dim]
  bool emulation = false;  // an emulation of common practice: validated only when named
  Arithmetic arithmetic = Arithmetic::kF32;
  bool threaded = false;  // uses more than one thread (benchmarked at every thread count asked for)
  CosSinSource cos_sin = CosSinSource::kPerCall;
  bool external = false;  // a plugin or program: chosen by default only when such are given
  // Timed by its own clock (Candidate::last_call_timing): an external program, whose process
  // start-up and file I/O are not the rotation.
  bool self_timed = false;
  std::string description;
};

// Capabilities with every dtype, pairing and scaling.
Capabilities AllCapabilities(std::string description);

// Empty when the case is within the capabilities, else why not ("dtype bf16 not supported").
std::string UnsupportedReason(const Capabilities& capabilities, const RopeSpec& spec, DType dtype,
                              bool contiguous);

// One call of Candidate::Rotate, for RotateEach.
struct RotateCall {
  const RopeSpec* spec;
  std::span<const int64_t> positions;
  TensorView q;
  const TensorView* k;
};

// How long a self-timed candidate's last successful call took.
struct CallTiming {
  double seconds = -1;         // negative: not measured
  bool self_reported = false;  // by the candidate's own clock; else its process's wall time
  bool worker = false;         // by an isolated plugin's worker process, around the plugin's calls
};

class Candidate {
 public:
  virtual ~Candidate() = default;
  virtual std::string_view name() const = 0;
  virtual const Capabilities& capabilities() const = 0;
  // The instruction set the candidate's calls run on now, when it chooses one ("AVX2" for a
  // Highway target); empty otherwise.
  virtual std::string target() const { return ""; }
  // What a benchmark times: the candidate itself, or for a plugin isolated in its worker process
  // (impls/external/isolated_candidate.h) the worker's own timing of the plugin's calls.
  virtual Candidate& ForTiming() { return *this; }
  // Forgets any state kept between calls, so that what one validation case does cannot leak into
  // the next: an isolated candidate starts a fresh process. In-process candidates keep theirs.
  virtual void StartFresh() {}
  // Only for Capabilities::self_timed.
  virtual CallTiming last_call_timing() const { return {}; }

  // Rotates q and, when k is not null, k in place (K may have fewer heads: GQA). The caller
  // guarantees a valid spec with seq_len resolved, positions.size() == q.tokens == k->tokens, and
  // positions >= 0. Non-const: a candidate may keep state between calls (which the history check
  // exists to catch).
  virtual CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions,
                            const TensorView& q, const TensorView* k) = 0;

  // Independent calls (on tensors that do not overlap), one result each: Rotate in turn, unless a
  // candidate pays a fixed cost per call that it can pay once for all (an external program's
  // start-up, for the token-by-token decode check).
  virtual std::vector<CallResult> RotateEach(std::span<const RotateCall> calls);
};

}  // namespace ropebench
