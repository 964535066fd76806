// A long-lived external program that answers calls one line at a time (the serve protocol, version
// 1; README "Validate your Python RoPE"): started as `CMD --serve` in its own process group, it
// first writes {"ropebench": "serve", "version": 1, "name": NAME}, then answers each request line
// {"cases": DIR, "out": DIR} with {"ok": true} or {"ok": false, "error": TEXT}. A crash, a
// timeout or a protocol error ends the program; the next call starts it again.
#pragma once

#include <sys/types.h>

#include <string>

#include "impls/core/candidate.h"

namespace ropebench {

inline constexpr int kServeVersion = 1;

class ServeSession {
 public:
  // stderr_log: where the program's stderr goes (its last lines detail a failing call).
  ServeSession(std::string command, double timeout_seconds, std::string stderr_log);
  ~ServeSession();
  ServeSession(const ServeSession&) = delete;
  ServeSession& operator=(const ServeSession&) = delete;

  // Starts the program unless it runs, and reads its handshake: kOk, or why it cannot serve. A
  // program that cannot serve (another version, no handshake, a crash before it) is not started
  // again: every later call gets the same result.
  CallResult Start();
  // The name the program gave in its handshake ("" before one was read).
  const std::string& name() const { return name_; }

  // One request and its answer, within the timeout.
  CallResult Call(const std::string& cases_dir, const std::string& out_dir);

 private:
  CallResult Launch();
  // The next line the program writes within `seconds`, or why there is none (the program then no
  // longer runs; `unanswered` follows an exit's status in the message).
  CallResult ReadLine(double seconds, std::string& line, const char* unanswered);
  // Ends the program: its stdin closed, then (after `grace` seconds) its process group killed.
  void Stop(double grace_seconds);
  // `result` with the program's last stderr line appended, after the program was stopped.
  CallResult Failed(CallResult result);
  // How a program that closed its stdout ended, as a call's result.
  CallResult Ended(const char* unanswered);
  // The result of a program that has ended with wait status `status`, its group killed.
  CallResult Reaped(int status, const char* unanswered);
  // Whether the program wrote anything, or ended, since its last answer: either fails the call.
  CallResult CheckBetweenCalls();

  std::string command_;
  double timeout_;
  std::string stderr_log_;
  std::string name_;
  CallResult unusable_;  // kOk while the program may be (re)started
  bool started_once_ = false;
  pid_t child_ = -1;
  int to_child_ = -1, from_child_ = -1;
  std::string pending_;  // bytes read past the last full line
};

}  // namespace ropebench
