// Progress of a long phase on stderr: what, how far, and the time left. Silent for phases that end
// within a second; a rewritten line on a terminal, a line every few seconds in a log.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace ropebench {

class Progress {
 public:
  Progress(std::string phase, std::FILE* stream);
  ~Progress();
  // `fraction` of the work is done (it may grow unevenly with `done`); the time left comes from it.
  void Update(size_t done, size_t total, double fraction, std::string_view what);

 private:
  using Clock = std::chrono::steady_clock;
  std::string phase_;
  std::FILE* stream_;
  bool terminal_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_print_{};
  bool printed_ = false;
};

}  // namespace ropebench
