#include "bench/cli/session.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>

#include "bench/cli/progress.h"
#include "bench/cli/summary.h"
#include "bench/timing/bandwidth_probe.h"
#include "bench/timing/f16_store_calibration.h"
#include "bench/timing/machine_info.h"
#include "bench/timing/streaming_calibration.h"
#include "bench/validation/interrupt.h"
#include "fmt/format.h"
#include "reports/report_json.h"
#include "reports/report_reader.h"

namespace ropebench {
namespace {

nlohmann::json Tool() {
  return {{"name", "ropebench"},
          {"version", ROPEBENCH_VERSION},
          {"git_commit", ROPEBENCH_GIT_COMMIT},
          {"compiler", fmt::format("{} {}",
#if defined(__clang__)
                                   "clang",
#else
                                   "gcc",
#endif
                                   __VERSION__)},
          {"flags", ROPEBENCH_CXX_FLAGS},
          {"build_type", ROPEBENCH_BUILD_TYPE}};
}

struct Measured {
  nlohmann::json streaming;  // how the highway candidates stream out of cache, when they run
  nlohmann::json f16_store;  // and how they store f16
  std::vector<BandwidthRecord> probe;
  std::vector<BenchmarkRecord> benchmarks;
  std::string error;
};

// Whether the plan times a highway candidate, whose streaming is then chosen for this machine.
bool TimesHighway(const BenchmarkPlan& bench) {
  return !bench.presets.empty() &&
         std::any_of(bench.candidates.begin(), bench.candidates.end(),
                     [](Candidate* c) { return c->name().starts_with("highway"); });
}

Measured Measure(const SessionPlan& plan) {
  const BenchmarkPlan& bench = *plan.benchmarks;
  Measured measured;
  if (TimesHighway(bench) && !Interrupted()) {
    if (!plan.quiet) fmt::print(stderr, "bench: choosing the highway kernel's streaming\n");
    const bool times_f16 =
        std::find(bench.dtypes.begin(), bench.dtypes.end(), DType::kF16) != bench.dtypes.end();
    // The store first, so that the f16 streaming is timed with the store the benchmarks use.
    measured.f16_store =
        ChooseHighwayF16Store(bench.presets.front(), times_f16, bench.converting_f16_store);
    measured.streaming = ChooseHighwayStreaming(bench.presets.front(), bench.dtypes,
                                                LargestWorkingSet(bench), bench.prefetch_bytes);
  }
  ProbePlan probe;
  probe.sizes = ProbeSizes(LargestWorkingSet(bench));
  // Always single- and all-CPU figures (DefaultThreads), plus any other count the benchmarks use.
  probe.threads = DefaultThreads();
  for (int threads : bench.threads) {
    if (std::find(probe.threads.begin(), probe.threads.end(), threads) == probe.threads.end()) {
      probe.threads.push_back(threads);
    }
  }
  probe.repetitions = bench.repetitions;
  FitProbeTimes(probe, bench.min_time);
  RegisterProbe(probe);
  const auto verdicts = RegisterRopeBenchmarks(bench);
  const size_t total = 2 * probe.sizes.size() * probe.threads.size() + CountRopeBenchmarks(bench);
  size_t done = 0;
  Progress progress("bench", stderr);
  const auto runs = RunRegisteredBenchmarks(
      plan.gbench_flags, plan.console,
      [&](const std::string& name) {
        ++done;
        if (!plan.quiet) progress.Update(done, total, static_cast<double>(done) / total, name);
      },
      measured.error);
  measured.probe = ProbeRecords(probe, runs);
  measured.benchmarks = RopeRecords(bench, runs, measured.probe, *verdicts);
  return measured;
}

// The command's settings, with the run-wide judging ones where they differ from the defaults.
nlohmann::json Settings(const SessionPlan& plan) {
  nlohmann::json settings = plan.settings;
  if (plan.tolerance > 0) settings["tolerance_u"] = plan.tolerance;
  if (plan.accepted.precision) settings["accept"] = {"precision"};
  return settings;
}

}  // namespace

std::string UtcTime(std::time_t when, const char* format) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[64];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

int RunSession(const SessionPlan& plan) {
  const InterruptScope interrupts;
  const std::time_t start = std::time(nullptr);
  const auto started = std::chrono::steady_clock::now();
  ValidationResults validation = plan.judged.value_or(ValidationResults{});
  if (plan.validation) {
    Progress progress("validate", stderr);
    validation = RunValidation(
        *plan.validation, [&](size_t done, size_t total, double fraction, std::string_view what) {
          if (!plan.quiet) progress.Update(done, total, fraction, what);
        });
  }
  Measured measured;
  if (plan.benchmarks && !Interrupted()) {
    measured = Measure(plan);
    if (!measured.error.empty()) {
      fmt::print(stderr, "ropebench: {}\n", measured.error);
      return 2;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int threads_used = 1;
  if (plan.benchmarks) {
    for (const BandwidthRecord& r : measured.probe)
      threads_used = std::max(threads_used, r.threads);
  }
  nlohmann::json report = {{"schema_version", kReportSchemaVersion},
                           {"tool", Tool()},
                           {"machine", DescribeMachine(threads_used)},
                           {"run",
                            {{"command_line", plan.command_line},
                             {"start_time", UtcTime(start, "%Y-%m-%dT%H:%M:%SZ")},
                             {"duration_s", seconds},
                             {"settings", Settings(plan)}}}};
  if (!measured.streaming.empty()) report["machine"]["highway"]["streaming"] = measured.streaming;
  if (!measured.f16_store.empty()) report["machine"]["highway"]["f16_store"] = measured.f16_store;
  // Interrupted: what finished is kept, and the report says it is not the whole run.
  const int signal = InterruptSignal();
  if (signal != 0) {
    report["run"]["partial"] = true;
    report["run"]["interrupted_by"] = signal == SIGINT ? "SIGINT" : "SIGTERM";
  }
  report.update(ValidationJson(validation));
  report["bandwidth"] = BandwidthJson(measured.probe);
  report["benchmarks"] = BenchmarksJson(measured.benchmarks);
  // The summary reads the report exactly as `show` would read it back.
  if (const std::string error = CheckReport(report); !error.empty()) {
    fmt::print(stderr, "ropebench: internal error, the report is malformed: {}\n", error);
    return 2;
  }
  PrintReportSummary(stdout, report);

  const bool benchmarks_ok = std::none_of(
      measured.benchmarks.begin(), measured.benchmarks.end(), [&](const BenchmarkRecord& r) {
        // precision: timed, and passed only where accepted
        return r.validation_failed || (r.status != "ok" && r.status != "skipped") ||
               (r.verdict == "precision" && !plan.accepted.precision);
      });
  const bool passed = AllPassed(validation, plan.accepted) && benchmarks_ok;
  if (signal != 0) {
    fmt::print("\nINTERRUPTED after {:.1f}s: the report holds what finished (run.partial)\n",
               seconds);
  } else {
    fmt::print("\n{} in {:.1f}s\n", passed ? "all checks passed" : "CHECKS FAILED", seconds);
  }
  if (!plan.json_path.empty()) {
    if (const std::string error = WriteJsonFile(plan.json_path, report); !error.empty()) {
      fmt::print(stderr, "ropebench: {}\n", error);
      return 2;
    }
    fmt::print("report: {}\n", plan.json_path);
  }
  if (signal != 0) return 128 + signal;  // the shell's convention for a run ended by a signal
  return passed ? 0 : 1;
}

}  // namespace ropebench
