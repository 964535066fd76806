#include "impls/external/serve_session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "fmt/format.h"
#include "impls/external/isolated_candidate.h"
#include "impls/external/text_file.h"
#include "nlohmann/json.hpp"

namespace ropebench {
namespace {

// A line longer than this is no answer of the protocol: the program is writing something else.
constexpr size_t kMaxLineBytes = 1 << 20;
// While waiting for a line, how often to look whether the program itself has ended: a process it
// started may still hold its stdout open, so that no end of file comes.
constexpr int kExitPollMs = 100;

// A line as quoted in an error: cut, and made valid UTF-8 (reports are JSON).
std::string Quoted(const std::string& line) {
  // Appended in place: GCC 12's -Wrestrict misfires on "'" + text + "'".
  std::string quoted = "'";
  quoted += PrintableText(line, 120);
  quoted += '\'';
  return quoted;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// How a program's process ended (a wait status), as the result of the call it did not answer;
// `unanswered` follows an exit's status ("without answering").
CallResult ExitedWith(int status, const char* unanswered) {
  const int signal = WIFSIGNALED(status) ? WTERMSIG(status)
                     : WIFEXITED(status) ? SignalOfShellExit(WEXITSTATUS(status))
                                         : 0;
  if (signal != 0) {
    return {CallStatus::kCrash, fmt::format("the program crashed ({})", strsignal(signal))};
  }
  return {CallStatus::kError,
          fmt::format("the program exited (status {}){}", WEXITSTATUS(status), unanswered)};
}

}  // namespace

ServeSession::ServeSession(std::string command, double timeout_seconds, std::string stderr_log)
    : command_(std::move(command)), timeout_(timeout_seconds), stderr_log_(std::move(stderr_log)) {}

ServeSession::~ServeSession() { Stop(2.0); }

CallResult ServeSession::Start() {
  if (unusable_.status != CallStatus::kOk) return unusable_;
  if (child_ > 0) return {};
  CallResult started = Launch();
  // A program that cannot start the first time cannot serve; one that fails to start again after
  // a crash fails that call, and the next call tries once more.
  if (started.status != CallStatus::kOk && !started_once_) unusable_ = started;
  started_once_ = true;
  return started;
}

CallResult ServeSession::Launch() {
  // Its stdin is a socket, so that a request to a program that has gone fails with EPIPE
  // (MSG_NOSIGNAL) instead of raising SIGPIPE in ropebench.
  int requests[2], answers[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, requests) != 0) {
    return {CallStatus::kError, std::string("cannot create a socket: ") + strerror(errno)};
  }
  if (pipe2(answers, O_CLOEXEC) != 0) {
    close(requests[0]);
    close(requests[1]);
    return {CallStatus::kError, std::string("cannot create a pipe: ") + strerror(errno)};
  }
  if (truncate(stderr_log_.c_str(), 0) != 0) {
    // Not there yet: the program creates it.
  }
  const std::string script = command_ + " --serve";
  const pid_t child = fork();
  if (child < 0) {
    for (int fd : {requests[0], requests[1], answers[0], answers[1]}) close(fd);
    return {CallStatus::kError, "cannot fork to start the program"};
  }
  if (child == 0) {
    setpgid(0, 0);  // its own group, so that a timeout kills what it started too
    // Not left running if ropebench itself is killed.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(requests[1], STDIN_FILENO);
    dup2(answers[1], STDOUT_FILENO);
    const int log = open(stderr_log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(child, child);
  close(requests[1]);
  close(answers[1]);
  child_ = child;
  to_child_ = requests[0];
  from_child_ = answers[0];
  pending_.clear();

  std::string line;
  if (CallResult read = ReadLine(timeout_, line, ""); read.status != CallStatus::kOk) {
    if (read.status == CallStatus::kTimeout) {
      read.message = fmt::format("the program wrote no handshake within {:g} s (killed)", timeout_);
    } else {
      read.message += " before its handshake";
    }
    return Failed(read);
  }
  const nlohmann::json hello = nlohmann::json::parse(line, nullptr, false);
  if (!hello.is_object() || !hello.contains("ropebench") || hello["ropebench"] != "serve") {
    return Failed(
        {CallStatus::kError, "the program's first line is not a serve handshake: " + Quoted(line)});
  }
  if (!hello.contains("version") || !hello["version"].is_number_integer() ||
      hello["version"].get<int64_t>() != kServeVersion) {
    const std::string version = hello.contains("version") ? hello["version"].dump() : "(none)";
    return Failed(
        {CallStatus::kError,
         fmt::format("the program speaks serve version {}; this ropebench speaks version {}",
                     PrintableText(version, 40), kServeVersion)});
  }
  if (!hello.contains("name") || !hello["name"].is_string() ||
      hello["name"].get<std::string>().empty()) {
    return Failed({CallStatus::kError, "the program's handshake has no \"name\": " + Quoted(line)});
  }
  name_ = PrintableText(hello["name"].get<std::string>(), 80);
  return {};
}

CallResult ServeSession::Call(const std::string& cases_dir, const std::string& out_dir) {
  if (CallResult started = Start(); started.status != CallStatus::kOk) return started;
  // Output since the last answer answers no request; an end of output there is an early exit.
  if (CallResult between = CheckBetweenCalls(); between.status != CallStatus::kOk) {
    return Failed(between);
  }
  if (truncate(stderr_log_.c_str(), 0) != 0) {
    // Not fatal: the detail of a failure may then include older lines.
  }
  const std::string request = nlohmann::json{{"cases", cases_dir}, {"out", out_dir}}.dump() + "\n";
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(to_child_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Failed(Ended(" before this request"));
    sent += static_cast<size_t>(n);
  }
  std::string line;
  if (CallResult read = ReadLine(timeout_, line, " without answering");
      read.status != CallStatus::kOk) {
    return Failed(read);
  }
  const nlohmann::json answer = nlohmann::json::parse(line, nullptr, false);
  if (!answer.is_object() || !answer.contains("ok") || !answer["ok"].is_boolean()) {
    return Failed({CallStatus::kError, "protocol error: the program answered " + Quoted(line) +
                                           ", not {\"ok\": true|false}"});
  }
  if (answer["ok"].get<bool>()) return {};
  const std::string error = answer.contains("error") && answer["error"].is_string()
                                ? answer["error"].get<std::string>()
                                : answer.value("error", nlohmann::json()).dump();
  return {CallStatus::kError, "the program says: " + PrintableText(LastLine(error), 200)};
}

CallResult ServeSession::CheckBetweenCalls() {
  pollfd ready{from_child_, POLLIN, 0};
  if (pending_.empty() && poll(&ready, 1, 0) <= 0) return {};
  char buffer[4096];
  const ssize_t n = pending_.empty() ? read(from_child_, buffer, sizeof buffer) : 0;
  if (n > 0) pending_.append(buffer, static_cast<size_t>(n));
  if (pending_.empty()) {
    CallResult ended = Ended(" before this request");
    ended.message = "between calls, " + ended.message;
    return ended;
  }
  const std::string stray = pending_.substr(0, pending_.find('\n'));
  return {CallStatus::kError,
          "protocol error: the program wrote output that answers no request: " + Quoted(stray)};
}

CallResult ServeSession::ReadLine(double seconds, std::string& line, const char* unanswered) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (true) {
    if (const size_t end = pending_.find('\n'); end != std::string::npos) {
      line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return {};
    }
    if (pending_.size() > kMaxLineBytes) {
      return {CallStatus::kError, "protocol error: the program wrote over 1 MiB without a newline"};
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      Stop(0);
      return {CallStatus::kTimeout,
              fmt::format("the program did not answer within {:g} s (killed)", seconds)};
    }
    pollfd ready{from_child_, POLLIN, 0};
    const int polled =
        poll(&ready, 1, static_cast<int>(std::min<int64_t>(left.count(), kExitPollMs)));
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) {
      int status = 0;
      if (waitpid(child_, &status, WNOHANG) == child_) return Reaped(status, unanswered);
      continue;
    }
    char buffer[4096];
    const ssize_t n = read(from_child_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Ended(unanswered);
    pending_.append(buffer, static_cast<size_t>(n));
  }
}

CallResult ServeSession::Ended(const char* unanswered) {
  if (child_ <= 0) return {CallStatus::kError, "the program is not running"};
  CloseFd(to_child_);
  // Its stdout is closed: it is ending. Give it two seconds to, then kill it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  int status = 0;
  while (waitpid(child_, &status, WNOHANG) != child_) {
    if (std::chrono::steady_clock::now() > deadline) {
      Stop(0);
      return {CallStatus::kError, "the program closed its stdout without answering (killed)"};
    }
    poll(nullptr, 0, 5);
  }
  return Reaped(status, unanswered);
}

CallResult ServeSession::Reaped(int status, const char* unanswered) {
  kill(-child_, SIGKILL);  // anything it left running in its group
  child_ = -1;
  CloseFd(to_child_);
  CloseFd(from_child_);
  pending_.clear();
  return ExitedWith(status, unanswered);
}

void ServeSession::Stop(double grace_seconds) {
  CloseFd(to_child_);  // end of stdin: the program exits
  if (child_ > 0) {
    WaitForChild(child_, grace_seconds, "the program");  // kills its group when it does not
    kill(-child_, SIGKILL);
    child_ = -1;
  }
  CloseFd(from_child_);
  pending_.clear();
}

CallResult ServeSession::Failed(CallResult result) {
  Stop(0);
  const std::string said = LastLine(ReadTextFile(stderr_log_));
  if (!said.empty()) result.message += " (its stderr: " + said + ")";
  return result;
}

}  // namespace ropebench
