// Untrusted code judged without trusting it: the wrapped candidate lives in a worker process that
// makes every call on a shared copy of Q and K, so that a crash, a hang or a stray write is
// reported as the call's error and ropebench carries on. Benchmarks time it there too
// (ForTiming: batches of calls timed by the worker's clock), so no plugin code ever runs in
// ropebench's own process.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "impls/core/candidate.h"

namespace ropebench {

// A call that has not returned after this long is killed and reported (--timeout changes it).
inline constexpr double kIsolatedCallSeconds = 20;

std::unique_ptr<Candidate> Isolated(std::unique_ptr<Candidate> candidate,
                                    double timeout_seconds = kIsolatedCallSeconds);

// The signal a command run through `sh -c` died of, from the shell's exit code (128 + N for
// signal N), or 0 when the code is no such report.
int SignalOfShellExit(int exit_code);

// Waits for a child process: kOk when it exited with status 0, else kCrash (a signal), kTimeout
// (killed after timeout_seconds, with its process group) or kError (another exit status, also
// stored in exit_status), the message starting with `what`.
CallResult WaitForChild(pid_t child, double timeout_seconds, const std::string& what,
                        int* exit_status = nullptr);

}  // namespace ropebench
