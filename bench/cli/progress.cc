#include "bench/cli/progress.h"

#include <unistd.h>

#include "fmt/format.h"

namespace ropebench {

Progress::Progress(std::string phase, std::FILE* stream)
    : phase_(std::move(phase)), stream_(stream), terminal_(isatty(fileno(stream)) != 0) {}

Progress::~Progress() {
  if (printed_ && terminal_) std::fputc('\n', stream_);
}

void Progress::Update(size_t done, size_t total, double fraction, std::string_view what) {
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const auto interval = terminal_ ? std::chrono::milliseconds(200) : std::chrono::seconds(5);
  if (elapsed < 1.0 || (now - last_print_ < interval && done != total)) return;
  last_print_ = now;
  printed_ = true;
  const double left = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
  const std::string line =
      fmt::format("[{}] {}/{} cases, {:.0f}% of the work, {:.0f}s elapsed, ~{:.0f}s left  {}",
                  phase_, done, total, 100.0 * fraction, elapsed, left, what.substr(0, 60));
  if (terminal_) {
    fmt::print(stream_, "\r\033[K{}", line);
  } else {
    fmt::print(stream_, "{}\n", line);
  }
  std::fflush(stream_);
}

}  // namespace ropebench
