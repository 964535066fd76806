#include "impls/external/exec_candidate.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "fmt/format.h"
#include "impls/external/isolated_candidate.h"
#include "impls/external/serve_session.h"
#include "impls/external/text_file.h"
#include "reports/report_json.h"
#include "reports/vectors/vectors.h"

namespace ropebench {
namespace {

namespace fs = std::filesystem;

// Where a call's vectors directory goes: a RAM-backed directory (/dev/shm) when one has room for
// the files, so that the protocol costs memory copies rather than disk writes; else /tmp.
fs::path WorkRoot(int64_t bytes) {
  struct statvfs shm {};
  if (statvfs("/dev/shm", &shm) == 0 && access("/dev/shm", W_OK) == 0 &&
      static_cast<double>(shm.f_bavail) * static_cast<double>(shm.f_frsize) > 2.0 * bytes) {
    return "/dev/shm";
  }
  return "/tmp";
}

// Bytes of one round of files for `calls`: inputs and outputs of Q and K.
int64_t FileBytes(std::span<const RotateCall> calls) {
  int64_t bytes = 0;
  for (const RotateCall& call : calls) {
    for (const TensorView* view : {&call.q, call.k}) {
      if (view != nullptr)
        bytes += 2 * view->tokens * view->heads * view->head_dim * BytesPerElement(view->dtype);
    }
  }
  return bytes + (int64_t{1} << 20);
}

// An external program as a candidate: each call (or batch of calls) is written as a vectors
// directory, Run() has the program answer it, and its outputs are read back into the views. How
// the program is reached — a process per call, or one long-lived process — is the subclass's.
class VectorsProgram : public Candidate {
 public:
  VectorsProgram(const std::string& command, const std::string& how)
      : command_(command), name_(ExecName(command)) {
    capabilities_ = AllCapabilities("external program" + how + ": " + command +
                                    " (declines what it does not support, per case)");
    capabilities_.external = true;
    capabilities_.self_timed = true;
    for (const char* root : {"/dev/shm", "/tmp"}) {
      std::string pattern = std::string(root) + "/ropebench-exec-XXXXXX";
      if (mkdtemp(pattern.data()) != nullptr) work_[root] = pattern;
    }
  }
  ~VectorsProgram() override {
    std::error_code ignored;
    for (const auto& [root, dir] : work_) fs::remove_all(dir, ignored);
  }

  std::string_view name() const override { return name_; }
  const Capabilities& capabilities() const override { return capabilities_; }
  CallTiming last_call_timing() const override { return timing_; }

  CallResult Rotate(const RopeSpec& spec, std::span<const int64_t> positions, const TensorView& q,
                    const TensorView* k) override {
    const RotateCall call{&spec, positions, q, k};
    return RotateEach(std::span(&call, 1)).front();
  }

  // All calls as the cases of one vectors directory, and one answer of the program.
  std::vector<CallResult> RotateEach(std::span<const RotateCall> calls) override {
    timing_ = {};
    auto all = [&](CallResult result) { return std::vector<CallResult>(calls.size(), result); };
    std::error_code error;
    // The last call's files go first, so that they neither hold memory nor count against the room.
    for (const auto& [root, dir] : work_) {
      fs::remove_all(dir / "cases", error);
      fs::remove_all(dir / "out", error);
    }
    auto work = work_.find(WorkRoot(FileBytes(calls)).string());
    if (work == work_.end()) work = work_.find("/tmp");
    if (work == work_.end())
      return all({CallStatus::kError, "cannot create a temporary directory"});
    const fs::path cases = work->second / "cases", out = work->second / "out";
    fs::create_directories(cases, error);
    fs::create_directories(out, error);
    if (error) {
      return all({CallStatus::kError, "cannot prepare " + cases.string() + ": " + error.message()});
    }
    std::vector<VectorCase> manifest;
    for (size_t n = 0; n < calls.size(); ++n) {
      const RotateCall& call = calls[n];
      VectorCase c;
      c.id = calls.size() == 1 ? std::string("call") : "call" + std::to_string(n);
      c.spec = *call.spec;
      c.dtype = call.q.dtype;
      c.tokens = call.q.tokens;
      c.q_heads = static_cast<int>(call.q.heads);
      c.k_heads = call.k != nullptr ? static_cast<int>(call.k->heads) : 0;
      for (std::string write_error :
           {WriteNpy(cases / c.File("positions"), PositionsNpy(call.positions)),
            WriteNpy(cases / c.File("q"), TensorNpy(call.q)),
            call.k != nullptr ? WriteNpy(cases / c.File("k"), TensorNpy(*call.k))
                              : std::string()}) {
        if (!write_error.empty()) return all({CallStatus::kError, write_error});
      }
      manifest.push_back(std::move(c));
    }
    if (std::string write_error =
            WriteJsonFile(cases / "manifest.json", ManifestJson(manifest, false));
        !write_error.empty()) {
      return all({CallStatus::kError, write_error});
    }

    const auto start = std::chrono::steady_clock::now();
    if (CallResult ran = Run(cases, out); ran.status != CallStatus::kOk) return all(ran);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::vector<CallResult> results;
    double self_reported = 0;
    bool every_call_timed = true;
    for (size_t n = 0; n < calls.size(); ++n) {
      double seconds = -1;
      results.push_back(ReadOutputs(manifest[n], out, calls[n], wall, seconds));
      self_reported += seconds;
      every_call_timed = every_call_timed && seconds > 0;
    }
    timing_ = every_call_timed ? CallTiming{self_reported, true} : CallTiming{wall, false};
    return results;
  }

 protected:
  // Has the program write the outputs of the cases in `cases` to `out`.
  virtual CallResult Run(const fs::path& cases, const fs::path& out) = 0;

  // A file in this candidate's own temporary directory ("" when it has none: the program's output
  // is then not kept).
  fs::path WorkFile(const std::string& name) const {
    if (const auto tmp = work_.find("/tmp"); tmp != work_.end()) return tmp->second / name;
    return work_.empty() ? fs::path() : work_.begin()->second / name;
  }

  const std::string& command() const { return command_; }
  void set_name(std::string name) { name_ = std::move(name); }

 private:
  // One case's outputs copied into its call's views, and the seconds the program says the case
  // took (negative when it does not say).
  static CallResult ReadOutputs(const VectorCase& c, const fs::path& out, const RotateCall& call,
                                double wall, double& seconds) {
    if (fs::exists(out / (c.id + ".unsupported"))) {
      const std::string why = LastLine(ReadTextFile(out / (c.id + ".unsupported")));
      return {CallStatus::kUnsupported,
              "the program declines this case" + (why.empty() ? "" : ": " + why)};
    }
    for (const auto& [what, view] :
         {std::pair<const char*, const TensorView*>{"q", &call.q}, {"k", call.k}}) {
      if (view == nullptr) continue;
      const fs::path path = out / c.File(what);
      if (!fs::exists(path)) {
        return {CallStatus::kError, "the program did not write " + path.filename().string()};
      }
      NpyArray array;
      std::string read_error = ReadNpy(path, array);
      if (read_error.empty()) read_error = CopyNpyIntoView(array, path, *view);
      if (!read_error.empty()) return {CallStatus::kError, read_error};
    }
    const fs::path seconds_path = out / (c.id + ".seconds");
    if (fs::exists(seconds_path)) {
      const std::string text = ReadTextFile(seconds_path);
      char* end = nullptr;
      seconds = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || !(seconds > 0) || seconds > wall) {
        return {CallStatus::kError,
                fmt::format("{}: does not hold seconds in (0, {:.3g}]: '{}'",
                            seconds_path.filename().string(), wall, LastLine(text))};
      }
    }
    return {};
  }

  std::string command_;
  std::string name_;
  std::map<std::string, fs::path> work_;  // by root: /dev/shm, /tmp
  Capabilities capabilities_;
  CallTiming timing_;
};

// --exec: `CMD CASES_DIR OUT_DIR` per call, in its own process group, within the timeout.
class ExecProgram final : public VectorsProgram {
 public:
  ExecProgram(const std::string& command, double timeout_seconds)
      : VectorsProgram(command, ""), timeout_(timeout_seconds), log_(WorkFile("log.txt")) {}

 private:
  CallResult Run(const fs::path& cases, const fs::path& out) override {
    const std::string script = command() + " \"$1\" \"$2\"";
    const pid_t child = fork();
    if (child < 0) return {CallStatus::kError, "cannot fork to run the program"};
    if (child == 0) {
      setpgid(0, 0);  // its own group, so that a timeout kills what it started too
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // not left running if ropebench itself is killed
      const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
      }
      execl("/bin/sh", "sh", "-c", script.c_str(), "sh", cases.c_str(), out.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    setpgid(child, child);
    int exit_status = 0;
    CallResult result = WaitForChild(child, timeout_, "the program", &exit_status);
    if (result.status == CallStatus::kError) {
      if (const int signal = SignalOfShellExit(exit_status); signal != 0) {
        return {CallStatus::kCrash, fmt::format("the program crashed ({})", strsignal(signal))};
      }
      const std::string said = LastLine(ReadTextFile(log_));
      if (!said.empty()) result.message += ": " + said;
    }
    return result;
  }

  double timeout_;
  fs::path log_;
};

// --serve: one long-lived `CMD --serve` for the run (impls/external/serve_session.h), started here
// so that its handshake names the candidate.
class ServeProgram final : public VectorsProgram {
 public:
  ServeProgram(const std::string& command, double timeout_seconds)
      : VectorsProgram(command, " (serve)"),
        session_(command, timeout_seconds, WorkFile("stderr.txt")) {
    start_ = session_.Start();
    if (!session_.name().empty()) set_name(session_.name());
  }

  // Why the program cannot serve, or "".
  std::string StartError() const {
    return start_.status == CallStatus::kOk ? std::string() : start_.message;
  }

 private:
  CallResult Run(const fs::path& cases, const fs::path& out) override {
    return session_.Call(cases.string(), out.string());
  }

  ServeSession session_;
  CallResult start_;
};

}  // namespace

std::string ExecName(const std::string& command) {
  static const std::set<std::string> kInterpreters = {"env",  "sh",    "bash", "python", "python3",
                                                      "node", "julia", "perl", "ruby",   "Rscript",
                                                      "java", "time",  "nice", "taskset"};
  std::istringstream words(command);
  std::string word;
  while (words >> word) {
    if (word.front() == '-' || word.find('=') != std::string::npos) continue;
    const fs::path path(word);
    if (kInterpreters.count(path.filename().string()) > 0) continue;
    const std::string stem = path.stem().string();
    if (!stem.empty()) return stem;
  }
  return "exec";
}

std::unique_ptr<Candidate> ExecCandidate(const std::string& command, double timeout_seconds) {
  return std::make_unique<ExecProgram>(command, timeout_seconds);
}

std::unique_ptr<Candidate> ServeCandidate(const std::string& command, double timeout_seconds,
                                          std::string& start_error) {
  auto program = std::make_unique<ServeProgram>(command, timeout_seconds);
  start_error = program->StartError();
  return program;
}

}  // namespace ropebench
