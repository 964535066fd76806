// An external program as a candidate, through the vectors protocol (reports/vectors/vectors.h):
// each call is written as a vectors directory (in /dev/shm when it has room), the program answers
// it — run as `CMD CASES_DIR OUT_DIR` per call (--exec), or kept running as `CMD --serve` and asked
// one line per call (--serve) — and its OUT_DIR/<id>.q.npy and <id>.k.npy are the call's output. So
// every suite, sweep and benchmark runs on it as on a built-in candidate.
//
// What the program may write besides its outputs:
//   OUT_DIR/<id>.unsupported  it declines the case (the text is the reason): reported as skipped;
//   OUT_DIR/<id>.seconds      the seconds its rotation itself took, which benchmarks then time
//                             instead of the whole process (start-up and file I/O included).
#pragma once

#include <memory>
#include <string>

#include "impls/core/candidate.h"

namespace ropebench {

// The candidate's name for a command: the file stem of its first word that is not an interpreter
// or an option ("/usr/bin/python3 examples/python/numpy_rope.py" -> "numpy_rope").
std::string ExecName(const std::string& command);

std::unique_ptr<Candidate> ExecCandidate(const std::string& command, double timeout_seconds);

// The same program kept for the run through the serve protocol (impls/external/serve_session.h):
// started now as `CMD --serve`, named by its handshake. A program that cannot serve is still a
// candidate, every call of which fails with start_error (else "").
std::unique_ptr<Candidate> ServeCandidate(const std::string& command, double timeout_seconds,
                                          std::string& start_error);

}  // namespace ropebench
