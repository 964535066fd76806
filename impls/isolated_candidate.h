// Untrusted code judged without trusting it: each call of the wrapped candidate runs in a forked
// child on a shared copy of Q and K, so that a crash, a hang or a stray write is reported as the
// call's error and ropebench carries on. Timing uses the wrapped candidate in-process (a fork per
// call would be all the benchmark measured), and only after it passed validation on that shape.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "impls/candidate.h"

namespace ropebench {

// A call that has not returned after this long is killed and reported (--timeout changes it).
inline constexpr double kIsolatedCallSeconds = 20;

std::unique_ptr<Candidate> Isolated(std::unique_ptr<Candidate> candidate,
                                    double timeout_seconds = kIsolatedCallSeconds);

// Waits for a child process: kOk when it exited with status 0, else kCrash (a signal), kTimeout
// (killed after timeout_seconds, with its process group) or kError (another exit status, also
// stored in exit_status), the message starting with `what`.
CallResult WaitForChild(pid_t child, double timeout_seconds, const std::string& what,
                        int* exit_status = nullptr);

}  // namespace ropebench
