// What a validation run records: one CaseRecord per case and one ExtrapolationRecord per candidate
// x dtype. Produced by bench/, written and read by reports/.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reference/rope_spec.h"

namespace ropebench {

// pass, fail (a convention defect: the output is wrong), skip (not supported), a call that
// returned no output (an error it reported, a crash: a signal in its isolated process, a timeout:
// killed), or precision (the convention is right, the error an angle-precision floor). Appended
// after the first six so that their order, and the report's, stays as it was.
enum class CaseStatus { kPass, kFail, kSkip, kError, kCrash, kTimeout, kPrecision };
std::string_view ToString(CaseStatus status);

// What a run lets through besides pass and skip (`--accept precision`).
struct Acceptance {
  bool precision = false;
};

// Neither passed, skipped nor accepted: a wrong output, a call that returned none, or (unless
// accepted) a precision-limited one. A CI gate is strict by default.
inline bool Failed(CaseStatus status, Acceptance accepted = {}) {
  if (status == CaseStatus::kPrecision) return !accepted.precision;
  return status != CaseStatus::kPass && status != CaseStatus::kSkip;
}

// The checks a case runs (README, "What is checked"); reports name them as ToString does.
enum class Check {
  kCall,  // the first call returned no output
  kError,
  kIdentityAtZero,
  kNormRatio,
  kPassthrough,
  kGuards,
  kInputsUntouched,
  kDeterminism,
  kPrefillDecode,
  kRelativePosition,
  kHistory,
};
inline constexpr Check kAllChecks[] = {Check::kCall,
                                       Check::kError,
                                       Check::kIdentityAtZero,
                                       Check::kNormRatio,
                                       Check::kPassthrough,
                                       Check::kGuards,
                                       Check::kInputsUntouched,
                                       Check::kDeterminism,
                                       Check::kPrefillDecode,
                                       Check::kRelativePosition,
                                       Check::kHistory};
std::string_view ToString(Check check);

// The stable, machine-readable codes of a diagnosis (README, "What is checked"): a convention
// defect, the precision floor of a right one, a call that returned nothing, or none that explains.
enum class DiagnosisCode {
  kPairingSwapped,
  kPositionOffset,
  kRotationInverted,
  kCosSinSwapped,
  kPartialRotaryIgnored,
  kBaseMismatch,
  kScalingIgnored,
  kScalingMismatch,
  kAttentionFactorMissing,
  kAttentionFactorSquared,
  kLowPrecisionAngle,  // the right convention: the case's status is precision, not fail
  kGuardViolation,
  kPassthroughModified,
  kNondeterministic,
  kCrash,
  kTimeout,
  kError,
  kUnexplained,
};
inline constexpr DiagnosisCode kAllDiagnosisCodes[] = {DiagnosisCode::kPairingSwapped,
                                                       DiagnosisCode::kPositionOffset,
                                                       DiagnosisCode::kRotationInverted,
                                                       DiagnosisCode::kCosSinSwapped,
                                                       DiagnosisCode::kPartialRotaryIgnored,
                                                       DiagnosisCode::kBaseMismatch,
                                                       DiagnosisCode::kScalingIgnored,
                                                       DiagnosisCode::kScalingMismatch,
                                                       DiagnosisCode::kAttentionFactorMissing,
                                                       DiagnosisCode::kAttentionFactorSquared,
                                                       DiagnosisCode::kLowPrecisionAngle,
                                                       DiagnosisCode::kGuardViolation,
                                                       DiagnosisCode::kPassthroughModified,
                                                       DiagnosisCode::kNondeterministic,
                                                       DiagnosisCode::kCrash,
                                                       DiagnosisCode::kTimeout,
                                                       DiagnosisCode::kError,
                                                       DiagnosisCode::kUnexplained};
std::string_view ToString(DiagnosisCode code);
std::ostream& operator<<(std::ostream& os, Check check);
std::ostream& operator<<(std::ostream& os, DiagnosisCode code);
// The code of a case whose call returned no output (status error, crash or timeout).
DiagnosisCode CodeOfFailedCall(CaseStatus status);

struct CheckOutcome {
  CheckOutcome() = default;
  CheckOutcome(Check c, bool p, std::string d, std::optional<CaseStatus> f = std::nullopt)
      : check(c), passed(p), detail(std::move(d)), failed_call(f) {}

  Check check = Check::kError;
  bool passed = true;
  std::string detail;  // what was measured, and where it failed
  // Set when the check could not judge because its own call failed (a repeated call that
  // crashed, timed out or returned an error): the case then ends with that status.
  std::optional<CaseStatus> failed_call;
};

// What the diagnosis measured a candidate doing, per pair of the rotary dimensions: the rotation
// its output is of, against the spec's (bench/diagnosis/measured_rotation.h).
struct RecoveredPairs {
  std::string pairing;             // the pairing the output is a rotation of
  std::vector<double> spec_theta;  // the spec's inverse frequency
  std::vector<double> theta;       // the candidate's, fitted from its angles at the positions
  std::vector<double> offset;      // the position offset the fit leaves (0 when none)
  std::vector<double> gain;        // the rotation's gain (the attention factor)
  std::vector<double> angle_bits;  // bits of the spec's angle the candidate's angles keep
};

// The stable, machine-readable explanation of a failure.
struct Diagnosis {
  DiagnosisCode code = DiagnosisCode::kUnexplained;
  std::string detail;
  std::optional<RecoveredPairs> recovered = std::nullopt;  // when the diagnosis measured it
};

struct CaseMetrics {
  double max_abs = 0;
  double rms = 0;
  double nmse = 0;
  double max_pair_error = 0;  // in units of the storage dtype's unit roundoff
  double tolerance = 0;       // the bound max_pair_error is held to
  int64_t worst_token = -1;
  int64_t worst_position = -1;
  int64_t worst_head = -1;
  int worst_pair = -1;
  // The smallest position whose error exceeds the tolerance (-1 when none does): where a
  // precision-limited candidate stops being accurate.
  int64_t first_failing_position = -1;
};

struct CaseRecord {
  std::string candidate;
  std::string suite;
  std::string group;
  std::string name;
  std::string preset;  // empty when the case is not a model preset
  RopeSpec spec;       // seq_len as resolved for the call
  std::string dtype;
  int64_t tokens = 0;
  int q_heads = 0;
  int kv_heads = 0;
  std::string layout;
  std::string positions;  // the kind: sequential, decode, random, nonmonotonic
  CaseStatus status = CaseStatus::kPass;
  std::string skip_reason;
  std::optional<CaseMetrics> metrics;
  std::vector<CheckOutcome> checks;
  std::optional<Diagnosis> diagnosis;
};

struct ExtrapolationBucket {
  int exponent = 0;                // positions 2^k - 1, 2^k, 2^k + 1
  std::vector<int64_t> positions;  // as tested
  double max_pair_error = 0;       // in units of the storage dtype's unit roundoff
  bool passed = true;
  bool declined = false;  // the candidate declined every position of it (not judged)
};

struct ExtrapolationRecord {
  std::string candidate;
  std::string preset;
  std::string dtype;
  CaseStatus status = CaseStatus::kPass;  // pass: accurate at least up to the horizon
  std::string skip_reason;
  double tolerance = 0;
  int64_t horizon = 0;  // the position a candidate must be accurate up to
  // The largest tested position such that every bucket up to it passed; -1 when the first failed.
  int64_t accurate_up_to = -1;
  bool accurate_everywhere = false;  // every bucket it accepts passed: the sweep found no limit
  // The smallest position the candidate declines (an int32 engine's 2^31), -1 when none: buckets
  // past it are not judged, and accurate_up_to is over the positions it accepts.
  int64_t declines_from = -1;
  std::vector<ExtrapolationBucket> buckets;
  std::optional<Diagnosis> diagnosis;
};

struct ValidationResults {
  std::vector<CaseRecord> cases;
  std::vector<ExtrapolationRecord> extrapolation;
};

// One point of the bandwidth probe: in-place read-modify-write or copy over a working set.
struct BandwidthRecord {
  std::string kind;  // "rmw" or "copy"
  int threads = 1;
  int64_t bytes = 0;                  // working set
  std::vector<double> repetition_ns;  // per pass over the working set, one per repetition
  double bytes_per_second = 0;        // 2 * bytes / fastest repetition (read and write)
};

struct BenchmarkRecord {
  std::string
      name;  // Google Benchmark's name, e.g. "rope/scalar/llama3.1-8b/f32/tokens:128/threads:1"
  std::string candidate;
  std::string preset;
  std::string dtype;
  int64_t tokens = 0;
  int threads = 1;
  std::string positions;  // "prefill" (0..T-1) or "decode" (one token at the model's last position)
  // "ok"; "skipped" (never timed: see skip_reason); or how a call of a plugin or program ended
  // while timed: "crash", "timeout" or "error".
  std::string status;
  std::string skip_reason;
  bool validation_failed = false;  // skipped because the candidate fails validation on this shape
  // The per-shape check's verdict of a timed benchmark: "pass", or "precision" (the right
  // convention, precision-limited: verdict_detail says how).
  std::string verdict = "pass";
  std::string verdict_detail;
  std::string note;     // why fewer repetitions than asked ran, if they did
  std::string cos_sin;  // "per_call" or "cached_table" (built outside the timed calls)
  std::string target;   // the instruction set the calls ran on ("AVX3"), if chosen
  // How a call's time was taken: "wall" (Google Benchmark's clock around in-process calls),
  // "worker" (a plugin's isolated worker process's clock around batches of its calls),
  // "self_reported" (an external program's own clock around its rotation) or "process" (an
  // external program's whole run, start-up and file I/O included).
  std::string timing = "wall";
  int64_t working_set_bytes = 0;      // Q and K
  int64_t bytes_per_call = 0;         // Q and K read and written
  int64_t iterations = 0;             // per repetition
  std::vector<double> repetition_ns;  // real time per call, one per repetition
  double median_ns = 0;
  double mad_ns = 0;            // median absolute deviation
  double bytes_per_second = 0;  // at the median
  double tokens_per_second = 0;
  double ns_per_token = 0;
  double probe_bytes_per_second = 0;  // rmw at the same working set and threads
  // "same_buffers": the in-place rmw of this shape's own Q and K, run just before it; "sweep": the
  // bandwidth sweep interpolated at the working set (when the former was filtered out).
  std::string probe_source;
  // The "same_buffers" probe's real time per pass, one per repetition (empty for "sweep"): of its
  // fastest pattern, probe_pattern, among probe_patterns (name -> bytes per second).
  std::vector<double> probe_repetition_ns;
  std::string probe_pattern;
  std::map<std::string, double> probe_patterns;
  // Faster than the probe by more than the noise: the probe is no limit for this shape.
  bool probe_shortfall = false;
  double roofline = 0;  // bytes_per_second / probe_bytes_per_second
};

}  // namespace ropebench
