// Ctrl-C (SIGINT) and SIGTERM during a session: the first asks the session to stop at the next case
// or benchmark and write the report of what finished, marked partial; a second one ends the
// process at once (the handler is reset after the first).
#pragma once

namespace ropebench {

// Installs the handlers for its lifetime; the previous dispositions come back on destruction.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

// What a benchmark or case that never ran because of the interrupt says.
inline constexpr const char* kInterruptedReason = "interrupted";

// True once SIGINT or SIGTERM arrived inside an InterruptScope.
bool Interrupted();
// The signal that arrived (SIGINT, SIGTERM), 0 when none.
int InterruptSignal();

}  // namespace ropebench
