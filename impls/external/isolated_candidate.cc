#include "impls/external/isolated_candidate.h"

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "impls/external/abi_spec.h"

namespace ropebench {
namespace {

// Bytes from a view's first element to one past its last.
int64_t SpanBytes(const TensorView& view) {
  if (view.tokens == 0 || view.heads == 0) return 0;
  const int64_t last =
      (view.tokens - 1) * view.token_stride + (view.heads - 1) * view.head_stride + view.head_dim;
  return last * BytesPerElement(view.dtype);
}

struct Range {
  char* begin;
  int64_t bytes;
};

// A view as it travels: its data as an offset into the shared call region.
struct WireView {
  int64_t offset = -1;  // -1: absent
  int32_t dtype = 0;
  int64_t tokens = 0, heads = 0, head_dim = 0, token_stride = 0, head_stride = 0;
};

// The start of the shared call region: the call, then the worker's answer. The spec's factor
// arrays, the positions and the bytes of Q and K follow at the offsets given.
struct CallHeader {
  // The spec as the plugin ABI has it, its factor arrays' pointers null: their values are in the
  // region at the offsets below.
  ropebench_spec spec;
  int64_t short_offset, short_count, long_offset, long_count, positions_offset, positions_count;
  WireView q, k;
  // 0: one call, as validation makes it; N > 0: N calls in a row on the region's Q and K, timed by
  // the worker (a benchmark's batch).
  int64_t repeat;
  // The answer.
  int32_t status;
  double seconds;  // the repeated calls' total
  char message[240];
};

constexpr size_t kAlign = 64;
// Canary bytes around each of Q's and K's ranges in the region: a write there is a write outside
// the tensors, which the caller's own guards would have caught in-process.
constexpr size_t kMargin = 4096;
unsigned char MarginByte(size_t i) { return static_cast<unsigned char>(0x5A ^ (i * 31)); }
size_t Aligned(size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

WireView ToWire(const TensorView& v, int64_t offset) {
  return {
      offset,       static_cast<int32_t>(v.dtype), v.tokens, v.heads, v.head_dim, v.token_stride,
      v.head_stride};
}
TensorView FromWire(const WireView& w, char* region) {
  return {
      region + w.offset, static_cast<DType>(w.dtype), w.tokens, w.heads, w.head_dim, w.token_stride,
      w.head_stride};
}

RopeSpec SpecFromHeader(const CallHeader& h, const char* region) {
  const auto* short_factor = reinterpret_cast<const double*>(region + h.short_offset);
  const auto* long_factor = reinterpret_cast<const double*>(region + h.long_offset);
  return SpecFromAbi(h.spec, {short_factor, static_cast<size_t>(h.short_count)},
                     {long_factor, static_cast<size_t>(h.long_count)});
}

void SpecToHeader(const RopeSpec& s, CallHeader& h) {
  h.spec = AbiSpec(s);
  h.spec.short_factor = h.spec.long_factor = nullptr;  // this process's addresses
}

CallResult ExitResult(int status, const std::string& what) {
  if (WIFSIGNALED(status)) {
    return {CallStatus::kCrash, fmt::format("{} crashed ({})", what, strsignal(WTERMSIG(status)))};
  }
  return {CallStatus::kError,
          fmt::format("{}'s process exited with status {}", what, WEXITSTATUS(status))};
}

// The wrapped candidate lives in a worker process that serves every call, so that state a plugin
// keeps between calls persists as it would in-process (the history and determinism checks depend
// on it). Each call travels through a memfd shared with the worker; a crash or a hang ends the
// worker, becomes the call's result, and the next call starts a fresh one.
class IsolatedCandidate final : public Candidate {
 public:
  IsolatedCandidate(std::unique_ptr<Candidate> inner, double timeout_seconds)
      : inner_(std::move(inner)), timeout_seconds_(timeout_seconds) {}
  ~IsolatedCandidate() override { StopWorker(); }

  std::string_view name() const override { return inner_->name(); }
  const Capabilities& capabilities() const override { return inner_->capabilities(); }
  Candidate& ForTiming() override { return timed_; }
  void StartFresh() override { StopWorker(); }

  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override {
    return Call(spec, positions, q, k, {}, nullptr);
  }

 private:
  // What a benchmark times: batches of calls made and timed in the worker, on its copy of Q and K,
  // fed one call at a time to Google Benchmark's manual time. A crash or hang at any point of a
  // benchmark is then that benchmark's status, not ropebench's end.
  class WorkerTimed final : public Candidate {
   public:
    // The owner's inner_ is constructed before its timed_: its capabilities are there.
    explicit WorkerTimed(IsolatedCandidate& owner)
        : owner_(owner), capabilities_(owner.capabilities()) {
      capabilities_.self_timed = true;
    }
    std::string_view name() const override { return owner_.name(); }
    const Capabilities& capabilities() const override { return capabilities_; }
    CallTiming last_call_timing() const override { return {per_call_seconds_, false, true}; }
    CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                      const TensorView* k) override {
      const Buffers buffers{&spec,
                            positions.data(),
                            positions.size(),
                            q.data,
                            k != nullptr ? k->data : nullptr,
                            static_cast<int>(q.dtype),
                            q.heads,
                            k != nullptr ? k->heads : 0,
                            owner_.generation_};
      if (calls_left_ > 0 && buffers == batch_buffers_) {
        --calls_left_;  // one more of the batch's calls, made already
        return {};
      }
      // New buffers: copied into the worker once, and one untimed call (its page faults and the
      // candidate's tables) gives the batch its size.
      if (!(buffers == batch_buffers_) || !copied_) {
        double warm = 0;
        if (CallResult r = owner_.Call(spec, positions, q, k, {1, true, 0}, &warm);
            r.status != CallStatus::kOk) {
          return r;
        }
        warm_seconds_ = warm;
        batch_calls_ = std::clamp<int64_t>(
            static_cast<int64_t>(kBatchSeconds / std::max(warm, 1e-9)), 1, kMaxBatch);
        batch_buffers_ = buffers;
        copied_ = true;
      }
      double seconds = 0;
      if (CallResult r =
              owner_.Call(spec, positions, q, k, {batch_calls_, false, warm_seconds_}, &seconds);
          r.status != CallStatus::kOk) {
        copied_ = false;
        return r;
      }
      per_call_seconds_ = seconds / static_cast<double>(batch_calls_);
      calls_left_ = batch_calls_ - 1;
      return {};
    }

   private:
    // A batch of about 5 ms keeps the round trip to the worker out of the figure's noise.
    static constexpr double kBatchSeconds = 5e-3;
    static constexpr int64_t kMaxBatch = 100000;
    struct Buffers {
      const void* spec;
      const int64_t* positions;
      size_t tokens;
      const void* q;
      const void* k;
      int dtype;
      int64_t q_heads, k_heads;
      // The worker's region holds these buffers' bytes only until a validation call or a new
      // worker replaces them.
      uint64_t generation;
      bool operator==(const Buffers&) const = default;
    };
    IsolatedCandidate& owner_;
    Capabilities capabilities_;
    Buffers batch_buffers_{};
    bool copied_ = false;
    int64_t batch_calls_ = 1;
    double warm_seconds_ = 0;
    int64_t calls_left_ = 0;
    double per_call_seconds_ = -1;
  };

  // One request to the worker: a validation call (repeat 0), whose outputs come back; or `repeat`
  // calls timed by the worker on what the region holds (Q and K copied in first when copy_in),
  // whose outputs stay there. expected_seconds: a call's time, which extends the timeout of a
  // batch.
  struct Request {
    int64_t repeat = 0;
    bool copy_in = true;
    double expected_seconds = 0;
  };
  CallResult Call(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                  const TensorView* k, Request request, double* seconds) {
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
    CallHeader header{};
    SpecToHeader(spec, header);
    size_t size = Aligned(sizeof(CallHeader));
    auto place = [&](size_t bytes) {
      const size_t at = size;
      size += Aligned(bytes);
      return static_cast<int64_t>(at);
    };
    header.short_count = static_cast<int64_t>(spec.short_factor.size());
    header.short_offset = place(spec.short_factor.size() * sizeof(double));
    header.long_count = static_cast<int64_t>(spec.long_factor.size());
    header.long_offset = place(spec.long_factor.size() * sizeof(double));
    header.positions_count = static_cast<int64_t>(positions.size());
    header.positions_offset = place(positions.size_bytes());
    std::vector<int64_t> range_offsets;
    for (const Range& r : ranges) {
      place(kMargin);
      range_offsets.push_back(place(static_cast<size_t>(r.bytes)));
    }
    place(kMargin);
    // Where a view's data lands in the region.
    auto offset_of = [&](void* p) -> int64_t {
      for (size_t n = 0; n < ranges.size(); ++n) {
        if (static_cast<char*>(p) >= ranges[n].begin &&
            static_cast<char*>(p) < ranges[n].begin + ranges[n].bytes) {
          return range_offsets[n] + (static_cast<char*>(p) - ranges[n].begin);
        }
      }
      return range_offsets.front();  // an empty view: never dereferenced
    };
    header.q = ToWire(q, offset_of(q.data));
    if (k != nullptr) header.k = ToWire(*k, offset_of(k->data));
    header.repeat = request.repeat;
    header.status = static_cast<int32_t>(CallStatus::kError);
    std::strcpy(header.message, "the worker did not answer");

    if (CallResult started = EnsureWorker(); started.status != CallStatus::kOk) return started;
    // The memfd only grows: shrinking for a decode call and growing for the next prefill would
    // give back its pages and fault in fresh zeroed ones on every call.
    if (size > memfd_size_) {
      if (ftruncate(memfd_, static_cast<off_t>(size)) != 0) {
        return {CallStatus::kError, "cannot size the call's shared memory"};
      }
      memfd_size_ = size;
    }
    void* mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_, 0);
    if (mapped == MAP_FAILED) return {CallStatus::kError, "cannot map the call's shared memory"};
    char* region = static_cast<char*>(mapped);
    std::memcpy(region, &header, sizeof header);
    CopyIn(region + header.short_offset, spec.short_factor.data(),
           spec.short_factor.size() * sizeof(double));
    CopyIn(region + header.long_offset, spec.long_factor.data(),
           spec.long_factor.size() * sizeof(double));
    CopyIn(region + header.positions_offset, positions.data(), positions.size_bytes());
    const std::vector<Gap> gaps =
        Gaps(range_offsets.front() - kMargin, size, ranges, range_offsets);
    if (request.copy_in) {
      for (const Gap& gap : gaps) {
        for (size_t i = gap.from; i < gap.to; ++i) region[i] = static_cast<char>(MarginByte(i));
      }
      for (size_t n = 0; n < ranges.size(); ++n) {
        std::memcpy(region + range_offsets[n], ranges[n].begin, ranges[n].bytes);
      }
    }

    // A batch may take its calls' time on top of the call's timeout.
    const double timeout =
        timeout_seconds_ + 4 * static_cast<double>(request.repeat) * request.expected_seconds;
    if (request.repeat == 0) ++generation_;
    CallResult result = Exchange(size, timeout);
    if (result.status == CallStatus::kOk) {
      const auto* answer = reinterpret_cast<const CallHeader*>(region);
      result = {static_cast<CallStatus>(answer->status), ""};
      if (result.status != CallStatus::kOk) {
        result.message.assign(answer->message, strnlen(answer->message, sizeof answer->message));
      } else if (seconds != nullptr) {
        *seconds = answer->seconds;
      }
      if (request.repeat == 0) {  // a validation call: its outputs and side effects come back
        if (result.status == CallStatus::kOk) {
          for (size_t n = 0; n < ranges.size(); ++n) {
            std::memcpy(ranges[n].begin, region + range_offsets[n], ranges[n].bytes);
          }
        }
        // Writes to what the call was given read-only come back too, as they would land
        // in-process (the caller hands over copies and checks them:
        // bench/validation/repeat_checks.h).
        WriteBack(region + answer->positions_offset, positions.data(), positions.size_bytes());
        WriteBack(region + answer->short_offset, spec.short_factor.data(),
                  spec.short_factor.size() * sizeof(double));
        WriteBack(region + answer->long_offset, spec.long_factor.data(),
                  spec.long_factor.size() * sizeof(double));
        result.stray_write = FirstStrayWrite(region, gaps, ranges, range_offsets);
      }
    }
    munmap(mapped, size);
    return result;
  }

  // The bytes of [from, size) outside every range (ranges sit in order in the region): the margins
  // around Q and K and the alignment padding, which the call must leave as they were.
  struct Gap {
    size_t from, to;
  };
  static std::vector<Gap> Gaps(size_t from, size_t size, const std::vector<Range>& ranges,
                               const std::vector<int64_t>& offsets) {
    std::vector<Gap> gaps;
    for (size_t n = 0; n < ranges.size(); ++n) {
      gaps.push_back({from, static_cast<size_t>(offsets[n])});
      from = static_cast<size_t>(offsets[n] + ranges[n].bytes);
    }
    gaps.push_back({from, size});
    return gaps;
  }

  // Where the first margin byte the call changed sits, relative to the nearest range; or "".
  static std::string FirstStrayWrite(const char* region, const std::vector<Gap>& gaps,
                                     const std::vector<Range>& ranges,
                                     const std::vector<int64_t>& offsets) {
    const char* names[] = {ranges.size() == 1 ? "Q's (and K's) memory" : "Q", "K"};
    for (const Gap& gap : gaps) {
      for (size_t i = gap.from; i < gap.to; ++i) {
        if (static_cast<unsigned char>(region[i]) == MarginByte(i)) continue;
        const auto at = static_cast<int64_t>(i);
        int64_t before = INT64_MAX, past = INT64_MAX;  // distances to the nearest range
        size_t before_range = 0, past_range = 0;
        for (size_t n = 0; n < ranges.size(); ++n) {
          const int64_t begin = offsets[n], end = offsets[n] + ranges[n].bytes;
          if (at < begin && begin - at < before) before = begin - at, before_range = n;
          if (at >= end && at - end + 1 < past) past = at - end + 1, past_range = n;
        }
        return before < past
                   ? fmt::format("wrote {} bytes before {}", before, names[before_range])
                   : fmt::format("wrote {} bytes past the end of {}", past, names[past_range]);
      }
    }
    return "";
  }

  // An empty vector's data() may be null, which memcpy must not be given even for 0 bytes.
  static void CopyIn(char* to, const void* from, size_t bytes) {
    if (bytes > 0) std::memcpy(to, from, bytes);
  }

  static void WriteBack(const char* from, const void* to, size_t bytes) {
    if (bytes > 0 && std::memcmp(from, to, bytes) != 0) {
      std::memcpy(const_cast<void*>(to), from, bytes);
    }
  }

  CallResult EnsureWorker() {
    if (worker_ > 0) return {};
    memfd_ = memfd_create("ropebench-call", MFD_CLOEXEC);
    int sockets[2];
    if (memfd_ < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
      StopWorker();
      return {CallStatus::kError, "cannot create the isolated worker's channel"};
    }
    const pid_t child = fork();
    if (child < 0) {
      close(sockets[0]);
      close(sockets[1]);
      StopWorker();
      return {CallStatus::kError, "cannot fork the isolated worker"};
    }
    if (child == 0) {
      close(sockets[0]);
      // A crash in the candidate must end the worker by its signal, whatever handler this process
      // installed (a sanitizer's, a host program's): the parent reports the signal it sees.
      for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, SIG_DFL);
      Serve(sockets[1]);
      _exit(0);
    }
    close(sockets[1]);
    socket_ = sockets[0];
    worker_ = child;
    return {};
  }

  // The worker's loop: a region size in, the call made, one byte out; size 0 or EOF ends it.
  void Serve(int socket) {
    uint64_t size = 0;
    // Kept mapped between requests of one size: a benchmark's batches would otherwise fault in
    // every page again inside their timed calls.
    void* mapped = nullptr;
    uint64_t mapped_size = 0;
    while (read(socket, &size, sizeof size) == static_cast<ssize_t>(sizeof size) && size > 0) {
      if (size != mapped_size) {
        if (mapped != nullptr) munmap(mapped, mapped_size);
        mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_, 0);
        if (mapped == MAP_FAILED) _exit(3);
        mapped_size = size;
      }
      char* region = static_cast<char*>(mapped);
      auto* header = reinterpret_cast<CallHeader*>(region);
      const RopeSpec spec = SpecFromHeader(*header, region);
      const std::span<const int64_t> positions(
          reinterpret_cast<const int64_t*>(region + header->positions_offset),
          static_cast<size_t>(header->positions_count));
      const TensorView q = FromWire(header->q, region);
      const TensorView k = header->k.offset >= 0 ? FromWire(header->k, region) : TensorView{};
      const TensorView* k_or_null = header->k.offset >= 0 ? &k : nullptr;
      CallResult r;
      const auto start = std::chrono::steady_clock::now();
      for (int64_t n = 0; n < std::max<int64_t>(1, header->repeat) && r.status == CallStatus::kOk;
           ++n) {
        r = inner_->Rotate(spec, positions, q, k_or_null);
      }
      header->seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      header->status = static_cast<int32_t>(r.status);
      std::strncpy(header->message, r.message.c_str(), sizeof header->message - 1);
      header->message[sizeof header->message - 1] = '\0';
      const char done = 1;
      if (write(socket, &done, 1) != 1) _exit(4);
    }
  }

  // Sends the call and waits for the worker's answer, its death, or the timeout.
  CallResult Exchange(uint64_t size, double timeout_seconds) {
    if (send(socket_, &size, sizeof size, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof size)) {
      return WorkerLost();
    }
    pollfd ready{socket_, POLLIN, 0};
    const int timeout_ms = static_cast<int>(std::min(timeout_seconds * 1000, 2e9));
    const int polled = poll(&ready, 1, timeout_ms);
    if (polled == 0) {
      StopWorker();
      return {CallStatus::kTimeout,
              fmt::format("the call did not finish within {:g} s (killed)", timeout_seconds)};
    }
    char done = 0;
    if (polled < 0 || read(socket_, &done, 1) != 1) return WorkerLost();
    return {};
  }

  // The worker died during a call: how.
  CallResult WorkerLost() {
    int status = 0;
    const pid_t worker = worker_;
    worker_ = -1;
    CloseChannel();
    if (waitpid(worker, &status, 0) != worker) {
      return {CallStatus::kError, "the isolated worker vanished"};
    }
    return ExitResult(status, "the call");
  }

  void StopWorker() {
    if (worker_ > 0) {
      kill(worker_, SIGKILL);
      waitpid(worker_, nullptr, 0);
      worker_ = -1;
    }
    CloseChannel();
  }

  void CloseChannel() {
    ++generation_;
    if (socket_ >= 0) close(socket_);
    if (memfd_ >= 0) close(memfd_);
    socket_ = memfd_ = -1;
    memfd_size_ = 0;
  }

  std::unique_ptr<Candidate> inner_;
  double timeout_seconds_;
  WorkerTimed timed_{*this};
  uint64_t generation_ = 0;  // bumped when the region's Q and K stop being a batch's
  pid_t worker_ = -1;
  int socket_ = -1;
  int memfd_ = -1;
  size_t memfd_size_ = 0;
};

}  // namespace

int SignalOfShellExit(int exit_code) {
  return exit_code > 128 && exit_code < 128 + NSIG ? exit_code - 128 : 0;
}

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
  if (exit_status != nullptr) *exit_status = WEXITSTATUS(status);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return ExitResult(status, what);
}

std::unique_ptr<Candidate> Isolated(std::unique_ptr<Candidate> candidate, double timeout_seconds) {
  return std::make_unique<IsolatedCandidate>(std::move(candidate), timeout_seconds);
}

}  // namespace ropebench
