#include "bench/timing/gbench_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "bench/validation/interrupt.h"
#include "benchmark/benchmark.h"

namespace ropebench {
namespace {

// Collects iteration runs (never aggregates) and forwards everything to an optional console
// reporter.
class CollectingReporter : public benchmark::BenchmarkReporter {
 public:
  CollectingReporter(benchmark::BenchmarkReporter* console, const BenchmarkDoneFn& done)
      : console_(console), done_(done) {}

  bool ReportContext(const Context& context) override {
    return console_ == nullptr || console_->ReportContext(context);
  }

  void ReportRuns(const std::vector<Run>& runs) override {
    std::string last;
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      CollectedRuns& collected = runs_[run.run_name.function_name];
      last = run.run_name.function_name;
      if (run.error_occurred) {
        collected.error = run.error_message;
        continue;
      }
      collected.iterations = run.iterations;
      collected.label = run.report_label;
      // Every benchmark is registered with Unit(kNanosecond).
      collected.repetition_ns.push_back(run.GetAdjustedRealTime());
    }
    if (console_ != nullptr) console_->ReportRuns(runs);
    if (done_ && !last.empty()) done_(last);
  }

  void Finalize() override {
    if (console_ != nullptr) console_->Finalize();
  }

  std::map<std::string, CollectedRuns> Take() { return std::move(runs_); }

 private:
  benchmark::BenchmarkReporter* console_;
  BenchmarkDoneFn done_;
  std::map<std::string, CollectedRuns> runs_;
};

}  // namespace

std::map<std::string, CollectedRuns> RunRegisteredBenchmarks(const std::vector<std::string>& flags,
                                                             bool console,
                                                             const BenchmarkDoneFn& done,
                                                             std::string& error) {
  std::vector<std::string> args = {"ropebench"};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  benchmark::Initialize(&argc, argv.data());
  if (argc > 1) {
    error = std::string("Google Benchmark does not know ") + argv[1];
    benchmark::ClearRegisteredBenchmarks();
    return {};
  }
  std::unique_ptr<benchmark::BenchmarkReporter> table;
  if (console) {
    // Colour only on a terminal; --benchmark_color is for Google Benchmark's own reporter.
    const auto options = isatty(fileno(stdout)) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                : benchmark::ConsoleReporter::OO_Tabular;
    table = std::make_unique<benchmark::ConsoleReporter>(options);
  }
  CollectingReporter reporter(table.get(), done);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::ClearRegisteredBenchmarks();  // the next run in this process registers its own
  return reporter.Take();
}

double MedianAbsoluteDeviation(const std::vector<double>& samples) {
  const double median = Median(samples);
  std::vector<double> deviations;
  for (double s : samples) deviations.push_back(std::fabs(s - median));
  return Median(deviations);
}

bool SkipIfInterrupted(benchmark::State& state) {
  if (!Interrupted()) return false;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the library's idiom
  }
  state.SkipWithError(kInterruptedReason);
  return true;
}

}  // namespace ropebench
