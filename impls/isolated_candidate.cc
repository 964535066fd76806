#include "impls/isolated_candidate.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"

namespace ropebench {
namespace {

// Bytes from a view's first element to one past its last.
int64_t SpanBytes(const TensorView& view) {
  if (view.tokens == 0 || view.heads == 0) return 0;
  const int64_t last =
      (view.tokens - 1) * view.token_stride + (view.heads - 1) * view.head_stride + view.head_dim;
  return last * BytesPerElement(view.dtype);
}

// Memory shared with the child: the call's status, then Q's span, then K's.
struct SharedCall {
  void* memory = MAP_FAILED;
  size_t bytes = 0;
  explicit SharedCall(size_t size) : bytes(size) {
    memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  }
  ~SharedCall() {
    if (memory != MAP_FAILED) munmap(memory, bytes);
  }
  char* at(size_t offset) const { return static_cast<char*>(memory) + offset; }
};

struct Range {
  char* begin;
  int64_t bytes;
};

struct ChildResult {
  CallStatus status;
  char message[240];
};

class IsolatedCandidate final : public Candidate {
 public:
  IsolatedCandidate(std::unique_ptr<Candidate> inner, double timeout_seconds)
      : inner_(std::move(inner)), timeout_seconds_(timeout_seconds) {}

  std::string_view name() const override { return inner_->name(); }
  const Capabilities& capabilities() const override { return inner_->capabilities(); }
  Candidate& ForTiming() override { return *inner_; }

  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override {
    // The bytes the call may touch: Q's span and K's, as one range when they overlap (views into
    // one packed QKV buffer), so that what comes back is written once.
    std::vector<Range> ranges = {{static_cast<char*>(q.data), SpanBytes(q)}};
    if (k != nullptr) {
      const Range kr{static_cast<char*>(k->data), SpanBytes(*k)};
      Range& qr = ranges.front();
      if (kr.begin < qr.begin + qr.bytes && qr.begin < kr.begin + kr.bytes) {
        char* begin = std::min(qr.begin, kr.begin);
        char* end = std::max(qr.begin + qr.bytes, kr.begin + kr.bytes);
        qr = {begin, end - begin};
      } else {
        ranges.push_back(kr);
      }
    }
    constexpr size_t kHeader = 256;
    size_t total = kHeader;
    for (const Range& r : ranges) total += r.bytes;
    SharedCall shared(total);
    if (shared.memory == MAP_FAILED) return {CallStatus::kError, "cannot map memory for the call"};
    // Where a pointer into one of the ranges lives in the shared copy.
    auto shared_address = [&](void* p) {
      size_t offset = kHeader;
      for (const Range& r : ranges) {
        if (static_cast<char*>(p) >= r.begin && static_cast<char*>(p) < r.begin + r.bytes) {
          return shared.at(offset + (static_cast<char*>(p) - r.begin));
        }
        offset += r.bytes;
      }
      return static_cast<char*>(p);  // an empty view: never dereferenced
    };
    size_t offset = kHeader;
    for (const Range& r : ranges) {
      std::memcpy(shared.at(offset), r.begin, r.bytes);
      offset += r.bytes;
    }
    auto* result = reinterpret_cast<ChildResult*>(shared.at(0));
    result->status = CallStatus::kError;
    std::strcpy(result->message, "the call's process ended without returning");

    const pid_t child = fork();
    if (child < 0) return {CallStatus::kError, "cannot fork to isolate the call"};
    if (child == 0) {
      TensorView child_q = q;
      child_q.data = shared_address(q.data);
      TensorView child_k = k != nullptr ? *k : TensorView{};
      if (k != nullptr) child_k.data = shared_address(k->data);
      const CallResult r = inner_->Rotate(spec, positions, child_q, k ? &child_k : nullptr);
      result->status = r.status;
      std::strncpy(result->message, r.message.c_str(), sizeof result->message - 1);
      result->message[sizeof result->message - 1] = '\0';
      _exit(0);
    }
    if (CallResult ended = WaitFor(child); ended.status != CallStatus::kOk) return ended;
    if (result->status == CallStatus::kOk) {
      offset = kHeader;
      for (const Range& r : ranges) {
        std::memcpy(r.begin, shared.at(offset), r.bytes);
        offset += r.bytes;
      }
    }
    return {result->status, result->status == CallStatus::kOk ? "" : result->message};
  }

 private:
  // kOk when the child exited normally, else what happened to it.
  CallResult WaitFor(pid_t child) const {
    return WaitForChild(child, timeout_seconds_, "the call");
  }

  std::unique_ptr<Candidate> inner_;
  double timeout_seconds_;
};

}  // namespace

CallResult WaitForChild(pid_t child, double timeout_seconds, const std::string& what,
                        int* exit_status) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  int status = 0;
  // Polled: short calls return within microseconds, and a blocking wait cannot time out.
  auto pause = std::chrono::microseconds(20);
  while (waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-child, SIGKILL);  // its process group, when it leads one (an external program's)
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      return {CallStatus::kTimeout,
              fmt::format("{} did not finish within {:g} s (killed)", what, timeout_seconds)};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
  if (WIFSIGNALED(status)) {
    return {CallStatus::kCrash, fmt::format("{} crashed ({})", what, strsignal(WTERMSIG(status)))};
  }
  if (exit_status != nullptr) *exit_status = WEXITSTATUS(status);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return {CallStatus::kError,
            fmt::format("{}'s process exited with status {}", what, WEXITSTATUS(status))};
  }
  return {};
}

std::unique_ptr<Candidate> Isolated(std::unique_ptr<Candidate> candidate, double timeout_seconds) {
  return std::make_unique<IsolatedCandidate>(std::move(candidate), timeout_seconds);
}

}  // namespace ropebench
