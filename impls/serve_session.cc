#include "impls/serve_session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "fmt/format.h"
#include "impls/isolated_candidate.h"
#include "impls/text_file.h"
#include "nlohmann/json.hpp"

namespace ropebench {
namespace {

// A line longer than this is no answer of the protocol: the program is writing something else.
constexpr size_t kMaxLineBytes = 1 << 20;

// A line as quoted in an error.
std::string Quoted(const std::string& line) {
  return "'" + (line.size() > 120 ? line.substr(0, 120) + "..." : line) + "'";
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

ServeSession::ServeSession(std::string command, double timeout_seconds, std::string stderr_log)
    : command_(std::move(command)), timeout_(timeout_seconds), stderr_log_(std::move(stderr_log)) {}

ServeSession::~ServeSession() { Stop(2.0); }

CallResult ServeSession::Start() {
  if (unusable_.status != CallStatus::kOk) return unusable_;
  if (child_ > 0) return {};
  CallResult started = Launch();
  if (started.status != CallStatus::kOk) unusable_ = started;
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
  const std::string script = command_ + " --serve";
  const pid_t child = fork();
  if (child < 0) {
    for (int fd : {requests[0], requests[1], answers[0], answers[1]}) close(fd);
    return {CallStatus::kError, "cannot fork to start the program"};
  }
  if (child == 0) {
    setpgid(0, 0);  // its own group, so that a timeout kills what it started too
    dup2(requests[1], STDIN_FILENO);
    dup2(answers[1], STDOUT_FILENO);
    const int log = open(stderr_log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
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
  if (CallResult read = ReadLine(timeout_, line); read.status != CallStatus::kOk) {
    if (read.status == CallStatus::kTimeout) {
      read.message = fmt::format("the program wrote no handshake within {:g} s (killed)", timeout_);
    } else {
      read.message += " before its handshake";
    }
    return Failed(read);
  }
  const nlohmann::json hello = nlohmann::json::parse(line, nullptr, false);
  if (!hello.is_object() || hello.value("ropebench", "") != "serve") {
    return Failed(
        {CallStatus::kError, "the program's first line is not a serve handshake: " + Quoted(line)});
  }
  if (!hello.contains("version") || !hello["version"].is_number_integer() ||
      hello["version"].get<int64_t>() != kServeVersion) {
    return Failed(
        {CallStatus::kError,
         fmt::format("the program speaks serve version {}; this ropebench speaks version {}",
                     hello.contains("version") ? hello["version"].dump() : "(none)",
                     kServeVersion)});
  }
  if (!hello.contains("name") || !hello["name"].is_string() ||
      hello["name"].get<std::string>().empty()) {
    return Failed({CallStatus::kError, "the program's handshake has no \"name\": " + Quoted(line)});
  }
  name_ = hello["name"].get<std::string>();
  return {};
}

CallResult ServeSession::Call(const std::string& cases_dir, const std::string& out_dir) {
  if (CallResult started = Start(); started.status != CallStatus::kOk) return started;
  // Output since the last answer answers no request; an end of output there is an early exit.
  pollfd ready{from_child_, POLLIN, 0};
  if (!pending_.empty() || poll(&ready, 1, 0) > 0) {
    std::string stray;
    if (CallResult read = ReadLine(0.2, stray); read.status != CallStatus::kOk) {
      if (read.status == CallStatus::kError) read.message += ", before this request";
      return Failed(read);
    }
    return Failed(
        {CallStatus::kError,
         "protocol error: the program wrote a line that answers no request: " + Quoted(stray)});
  }
  if (truncate(stderr_log_.c_str(), 0) != 0) {
    // Not fatal: the detail of a failure may then include older lines.
  }
  const std::string request = nlohmann::json{{"cases", cases_dir}, {"out", out_dir}}.dump() + "\n";
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(to_child_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Failed(Ended());
    sent += static_cast<size_t>(n);
  }
  std::string line;
  if (CallResult read = ReadLine(timeout_, line); read.status != CallStatus::kOk) {
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
  return {CallStatus::kError, "the program says: " + LastLine(error)};
}

CallResult ServeSession::ReadLine(double seconds, std::string& line) {
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
    pollfd ready{from_child_, POLLIN, 0};
    const int polled = poll(&ready, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) {
      Stop(0);
      return {CallStatus::kTimeout,
              fmt::format("the program did not answer within {:g} s (killed)", seconds)};
    }
    char buffer[4096];
    const ssize_t n = read(from_child_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Ended();
    pending_.append(buffer, static_cast<size_t>(n));
  }
}

CallResult ServeSession::Ended() {
  if (child_ <= 0) return {CallStatus::kError, "the program is not running"};
  CloseFd(to_child_);
  int exit_status = 0;
  CallResult result = WaitForChild(child_, 2.0, "the program", &exit_status);
  kill(-child_, SIGKILL);  // anything it left running in its group
  child_ = -1;
  CloseFd(from_child_);
  // The shell reports a command killed by signal N as exit status 128 + N.
  if (result.status == CallStatus::kError && exit_status > 128 && exit_status < 128 + NSIG) {
    return {CallStatus::kCrash,
            fmt::format("the program crashed ({})", strsignal(exit_status - 128))};
  }
  if (result.status == CallStatus::kOk) {
    return {CallStatus::kError, "the program exited (status 0) without answering"};
  }
  return result;
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
