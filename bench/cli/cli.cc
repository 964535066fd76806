#include "bench/cli/cli.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>

#include "bench/cli/cli_args.h"
#include "bench/cli/cli_plans.h"
#include "bench/cli/compare_command.h"
#include "bench/cli/html_report.h"
#include "bench/cli/session.h"
#include "bench/cli/summary.h"
#include "bench/cli/vectors_commands.h"
#include "bench/timing/machine_info.h"
#include "bench/validation/tolerances.h"
#include "fmt/format.h"
#include "impls/highway/highway_rope.h"
#include "impls/highway/highway_targets.h"
#include "impls/registry.h"
#include "reference/presets.h"
#include "reports/report_reader.h"

namespace ropebench {
namespace {

constexpr int kExitPass = 0;
constexpr int kExitUsage = 2;

struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;  // the command and its arguments; Synopsis adds the flags
  std::span<const FlagSpec> flags;
  size_t max_positional;
  bool passes_benchmark_flags;  // unknown --benchmark_* flags go to Google Benchmark
  std::function<int(const ParsedArgs&, const std::vector<std::string>& command_line,
                    const std::vector<std::string>& gbench_flags)>
      run;
};

// Flags that several commands share, written once.
constexpr FlagSpec kQuietFlag{"quiet", "", "no progress on stderr"};
constexpr FlagSpec kTokensFlag{"tokens", "N,...",
                               "benchmark token counts; default 1,16,128,1024,4096,16384,65536"};
constexpr FlagSpec kRepetitionsFlag{
    "repetitions", "N",
    "repetitions of every benchmark and probe point (default 3; run: 5, and 3 at 65536 tokens)"};
constexpr FlagSpec kMinTimeFlag{
    "min-time", "S",
    "minimum seconds per benchmark repetition (default 0.05); the bandwidth probe's repetitions "
    "take at most as long"};
constexpr FlagSpec kTargetFlag{
    "target", "NAME",
    "pin Highway's dispatch to this compiled target for the run (e.g. AVX2; see ropebench list)"};
constexpr FlagSpec kPluginFlag{
    "plugin", "PATH",
    "a shared library implementing include/ropebench_plugin.h, judged as a candidate (repeatable); "
    "the default candidates are then the plugins"};
constexpr FlagSpec kExecFlag{
    "exec", "CMD",
    "an external program judged as a candidate (repeatable): run as `CMD CASES_DIR OUT_DIR` per "
    "call through the vectors protocol (README); the default candidates are then the external "
    "ones"};
constexpr FlagSpec kServeFlag{
    "serve", "CMD",
    "a long-lived external program judged as a candidate (repeatable): started once as `CMD "
    "--serve`, asked one line per call (the serve protocol, README); the default candidates are "
    "then the external ones"};
constexpr FlagSpec kTimeoutFlag{
    "timeout", "S",
    "seconds a plugin's or program's call may take before it is killed (default 20)"};
constexpr FlagSpec kPrefetchFlag{
    "prefetch-bytes", "N",
    "how far ahead the highway candidates prefetch in calls out of cache, 0 for never (default: "
    "chosen at the start of the run by timing each distance on this machine)"};
constexpr FlagSpec kF16StoreFlag{
    "f16-store", "FORM",
    "how the highway candidates store f16 results on AVX-512: 'converting' (a conversion that "
    "writes memory itself) or 'separate' (converted in a register, then stored); default: the "
    "faster on this machine, timed at the start of the run"};
constexpr FlagSpec kAcceptFlag{
    "accept", "precision",
    "exit 0 on precision-limited cases, sweeps and benchmarks too (the right convention, an "
    "angle-precision floor); by default anything but pass exits 1"};
constexpr FlagSpec kToleranceFlag{
    "tolerance", "U",
    "the largest pair-normalised error, in units of the storage dtype's unit roundoff, any case "
    "may show in this run (default: the tolerance table in the README)"};
constexpr FlagSpec kTimeBudgetFlag{
    "time-budget", "S",
    "seconds a benchmark's repetitions may take; slower ones run fewer (default 10)"};

// The flags of every command that judges candidates, at the end of its table.
#define ROPEBENCH_JUDGING_FLAGS                                                               \
  kTargetFlag, kPluginFlag, kExecFlag, kServeFlag, kTimeoutFlag, kAcceptFlag, kToleranceFlag, \
      kQuietFlag

constexpr FlagSpec kValidateFlags[] = {
    {"candidate", "NAME",
     "candidate to validate (repeatable, or a comma list); default: every "
     "built-in that is not an emulation"},
    {"preset", "NAME",
     "model preset (repeatable); conformance then runs only these presets' cases, "
     "and the extrapolation sweep uses the first"},
    {"spec", "SPEC",
     "validate a spec of your own: key=value pairs (head_dim=128,rotary_dim=64,"
     "pairing=interleaved,base=1e4,...), JSON, or @file.json; field names as in the "
     "README"},
    {"heads", "Q,KV", "query and key heads for --spec cases (default 8,2)"},
    {"suite", "SUITE", "conformance, extrapolation or all (default all)"},
    {"dtype", "DTYPE", "f32, f16 or bf16 (repeatable; default all three)"},
    {"json", "FILE", "also write the results as a JSON report to FILE"},
    ROPEBENCH_JUDGING_FLAGS,
};

constexpr FlagSpec kBenchFlags[] = {
    {"candidate", "NAME",
     "candidate to time (repeatable, or a comma list); default: every built-in that is not an "
     "emulation"},
    {"preset", "NAME", "model preset (repeatable); default llama2-7b, llama3.1-8b"},
    {"dtype", "DTYPE", "f32, f16 or bf16 (repeatable); default f32, bf16"},
    kTokensFlag,
    {"threads", "N,...", "thread counts for threaded candidates; default 1 and every CPU"},
    kRepetitionsFlag,
    kMinTimeFlag,
    kTimeBudgetFlag,
    kPrefetchFlag,
    kF16StoreFlag,
    {"json", "FILE", "also write the report to FILE"},
    ROPEBENCH_JUDGING_FLAGS,
};

constexpr FlagSpec kRunFlags[] = {
    {"full", "",
     "everything: the whole conformance suite, every preset benchmarked at every default token "
     "count, no per-call time limit"},
    {"candidate", "NAME", "restrict to these candidates (repeatable, or a comma list)"},
    {"preset", "NAME", "restrict conformance and benchmarks to these presets (repeatable)"},
    {"dtype", "DTYPE", "restrict to these dtypes (repeatable)"},
    kTokensFlag,
    kRepetitionsFlag,
    kMinTimeFlag,
    kTimeBudgetFlag,
    kPrefetchFlag,
    kF16StoreFlag,
    {"out", "DIR", "where the report goes (default reports)"},
    ROPEBENCH_JUDGING_FLAGS,
};

constexpr FlagSpec kVectorsFlags[] = {
    {"suite", "SUITE", "export: conformance, extrapolation or all (default all)"},
    {"preset", "NAME", "export: only these presets' cases (repeatable)"},
    {"spec", "SPEC", "export: cases of a spec of your own (as for validate)"},
    {"heads", "Q,KV", "export: query and key heads for --spec cases (default 8,2)"},
    {"dtype", "DTYPE", "export: f32, f16 or bf16 (repeatable; default all three)"},
    {"out", "DIR", "export: the directory to write"},
    {"no-expected", "", "export: leave out the float64 expected outputs"},
    {"candidate", "NAME",
     "check: the name the outputs are reported under (default: OUT_DIR's name)"},
    {"json", "FILE", "check: also write the results as a JSON report to FILE"},
    kAcceptFlag,
    kToleranceFlag,
    kQuietFlag,
};

constexpr FlagSpec kListFlags[] = {kPluginFlag, kExecFlag, kServeFlag, kTimeoutFlag};

constexpr FlagSpec kPlotlyFlag = {
    "plotly-js", "FILE",
    "plotly.js to inline (default: Debian python3-plotly's, or $ROPEBENCH_PLOTLY_JS)"};

constexpr FlagSpec kCompareFlags[] = {
    {"threshold", "F", "tau: the slowdown that counts as a regression (default 0.05 = 5%)"},
    {"thresholds", "FILE",
     "per-benchmark tau: {\"default\": 0.05, \"benchmarks\": {\"rope/scalar/*\": 0.1}}"},
    {"confidence", "C",
     "family-wise confidence over all benchmarks, Holm-corrected (default 0.95)"},
    {"paired", "", "repetition i of BASE and HEAD were measured together (interleaved runs)"},
    {"cross-machine", "", "compare reports whose machine or build fingerprints differ"},
    {"fail-on-inconclusive", "",
     "exit 3 when no regression was found but some benchmark is inconclusive"},
    {"format", "FORMAT", "table (default) or markdown (a pull-request comment)"},
    {"json", "FILE", "also write the comparison as JSON to FILE"},
    {"html", "FILE", "also write the comparison as an HTML page with its plot to FILE"},
    kPlotlyFlag,
    {"machines", "",
     "hardware comparison of two or more reports: per preset and dtype, each machine's throughput "
     "and "
     "roofline, ratios to the first with wins/losses and a geometric mean"},
};

constexpr FlagSpec kReportFlags[] = {
    {"html", "FILE", "write one self-contained HTML page with the report's plots to FILE"},
    kPlotlyFlag};

constexpr FlagSpec kNoFlags[] = {{"", "", ""}};

// What every command's session shares: progress, where the report goes, how it was asked for, and
// the Highway target pinned for it (the report's machine.highway.chosen records it).
SessionPlan BaseSession(const ParsedArgs& args, const std::vector<std::string>& command_line) {
  if (args.Has("target")) {
    if (const std::string error = PinHighwayTarget(args.Value("target")); !error.empty()) {
      throw UsageError{error};
    }
  }
  SessionPlan session;
  if (args.Has("accept")) {
    if (args.Value("accept") != "precision") {
      throw UsageError{fmt::format("--accept: '{}' cannot be accepted (known: precision)",
                                   args.Value("accept"))};
    }
    session.accepted.precision = true;
  }
  if (args.Has("tolerance")) {
    const std::string text = args.Value("tolerance");
    char* end = nullptr;
    session.tolerance = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(session.tolerance > 0) || session.tolerance > 1e12) {
      throw UsageError{
          fmt::format("--tolerance: '{}' is not a number of units of roundoff in (0, 1e12]", text)};
    }
  }
  SetRunTolerance(session.tolerance);
  session.quiet = args.Has("quiet");
  session.json_path = args.Value("json");
  session.command_line = command_line;
  return session;
}

int Validate(const ParsedArgs& args, const std::vector<std::string>& command_line) {
  Registry registry = BuiltinRegistry();
  AddExternalCandidates(registry, args);
  SessionPlan session = BaseSession(args, command_line);
  session.validation = PlanFromFlags(registry, args);
  session.settings = {{"validation", ValidationSettings(*session.validation)}};
  return RunSession(session);
}

int Bench(const ParsedArgs& args, const std::vector<std::string>& command_line,
          const std::vector<std::string>& gbench_flags) {
  Registry registry = BuiltinRegistry();
  AddExternalCandidates(registry, args);
  SessionPlan session = BaseSession(args, command_line);
  session.benchmarks = BenchPlanFromFlags(registry, args, BenchmarkPlan{});
  session.gbench_flags = gbench_flags;
  session.console = true;
  session.settings = {{"benchmarks", BenchSettings(*session.benchmarks)}};
  return RunSession(session);
}

int Run(const ParsedArgs& args, const std::vector<std::string>& command_line,
        const std::vector<std::string>& gbench_flags) {
  Registry registry = BuiltinRegistry();
  AddExternalCandidates(registry, args);
  const bool full = args.Has("full");
  SessionPlan session = BaseSession(args, command_line);
  session.validation = PlanFromFlags(registry, args);
  // The default run stays near 5 minutes on 2 cores: conformance's preset group (dtype x positions
  // x layout) for the presets it benchmarks, every dtype of those presets at the token counts the
  // speed targets name up to 65536, and no single call over 1 s (the matrix form from 4096 tokens,
  // scalar's f16 at 65536, are skipped with the reason). --full runs the whole conformance suite
  // and benchmarks every preset at every default token count with no limit; ctest and `ropebench
  // validate` run the whole suite too.
  BenchmarkPlan defaults;
  defaults.dtypes.assign(std::begin(kAllDTypes), std::end(kAllDTypes));
  if (full) {
    defaults.presets.clear();
    for (const ModelPreset& p : ModelPresets()) defaults.presets.emplace_back(p.name);
  } else {
    session.validation->filter.groups = {"preset", "custom"};
    if (!args.Has("preset")) session.validation->filter.presets = defaults.presets;
    defaults.tokens = {1, 16, 128, 4096, 16384, 65536};
    defaults.max_call_seconds = 1;
    // Five repetitions of each benchmark and probe point: medians from three moved by 20-40 %
    // between runs on a shared 2-core VM, more than the rooflines they are compared at. Three at
    // 65536 tokens, where one call is tens of milliseconds and the run would otherwise double.
    defaults.repetitions = 5;
    defaults.repetitions_at_largest = 3;
    defaults.time_budget = 2;  // seconds per benchmark: slow calls (scalar's f16) run fewer
  }
  session.benchmarks = BenchPlanFromFlags(registry, args, defaults);
  session.gbench_flags = gbench_flags;
  session.json_path =
      (std::filesystem::path(args.Value("out", "reports")) /
       fmt::format("{}-{}.json", HostName(), UtcTime(std::time(nullptr), "%Y%m%dT%H%M%SZ")))
          .string();
  session.settings = {{"full", full},
                      {"validation", ValidationSettings(*session.validation)},
                      {"benchmarks", BenchSettings(*session.benchmarks)}};
  return RunSession(session);
}

// `vectors export`: the cases as files; `vectors check DIR OUT_DIR`: a program's outputs judged.
int Vectors(const ParsedArgs& args, const std::vector<std::string>& command_line) {
  const std::vector<std::string>& words = args.positional();
  const std::string action = words.empty() ? "" : words[0];
  const std::vector<std::string_view> export_only = {"suite", "preset", "spec",       "heads",
                                                     "dtype", "out",    "no-expected"};
  const std::vector<std::string_view> check_only = {"candidate", "json", "accept", "tolerance"};
  auto refuse = [&](const std::vector<std::string_view>& flags) {
    for (std::string_view flag : flags) {
      if (args.Has(flag))
        throw UsageError{fmt::format("--{} does not apply to 'vectors {}'", flag, action)};
    }
  };
  if (action == "export") {
    refuse(check_only);
    if (words.size() != 1) throw UsageError{"export takes no positional arguments (use --out DIR)"};
    if (!args.Has("out")) throw UsageError{"export needs --out DIR"};
    const Registry none;
    const ValidationPlan plan = PlanFromFlags(none, args);
    size_t written = 0;
    if (const std::string error =
            ExportVectors(plan, args.Value("out"), !args.Has("no-expected"), written);
        !error.empty()) {
      fmt::print(stderr, "ropebench vectors: {}\n", error);
      return kExitUsage;
    }
    fmt::print("{} cases written to {}\n", written, args.Value("out"));
    return kExitPass;
  }
  if (action == "check") {
    refuse(export_only);
    if (words.size() != 3)
      throw UsageError{"check takes two directories: vectors check DIR OUT_DIR"};
    std::filesystem::path outputs = std::filesystem::path(words[2]).lexically_normal();
    if (!outputs.has_filename()) outputs = outputs.parent_path();  // "outputs/"
    const std::string name = args.Value("candidate", outputs.filename().string());
    SessionPlan session = BaseSession(args, command_line);  // the run's tolerance, before judging
    ValidationResults results;
    if (const std::string error = CheckVectors(words[1], words[2], name.empty() ? "external" : name,
                                               ExtrapolationOptions{}, results);
        !error.empty()) {
      fmt::print(stderr, "ropebench vectors: {}\n", error);
      return kExitUsage;
    }
    session.judged = std::move(results);
    session.settings = {{"vectors", {{"cases", words[1]}, {"outputs", words[2]}}}};
    return RunSession(session);
  }
  throw UsageError{"say 'vectors export --out DIR ...' or 'vectors check DIR OUT_DIR'"};
}

int Show(const ParsedArgs& args, const std::vector<std::string>&) {
  if (args.positional().size() != 1)
    throw UsageError{"show takes one report: ropebench show REPORT.json"};
  nlohmann::json report;
  if (const std::string error = ReadReport(args.positional()[0], report); !error.empty()) {
    throw UsageError{error};
  }
  const nlohmann::json& run = report["run"];
  fmt::print("report {} ({} {}, {:.0f}s)\n\n", args.positional()[0],
             report["tool"]["git_commit"].get<std::string>(), run["start_time"].get<std::string>(),
             run["duration_s"].is_number() ? run["duration_s"].get<double>() : 0.0);
  if (const std::optional<std::string> by = InterruptedBy(report)) {
    fmt::print("partial: interrupted by {}; it holds only what finished\n\n", *by);
  }
  PrintReportSummary(stdout, report);
  return kExitPass;
}

std::string DescribeCapabilities(const Candidate& candidate) {
  const Capabilities& c = candidate.capabilities();
  std::vector<std::string> dtypes, pairings, scalings;
  for (DType d : c.dtypes) dtypes.emplace_back(ToString(d));
  for (Pairing p : c.pairings) pairings.emplace_back(ToString(p));
  for (Scaling s : c.scalings) scalings.emplace_back(ToString(s));
  return fmt::format("    dtypes: {}; pairings: {}; strided: {}\n    scalings: {}\n", Join(dtypes),
                     Join(pairings), c.strided ? "yes" : "no", Join(scalings));
}

int List(const ParsedArgs& args, const std::vector<std::string>&) {
  fmt::print("candidates:\n");
  Registry registry = BuiltinRegistry();
  AddExternalCandidates(registry, args);
  for (Candidate* candidate : registry.All()) {
    fmt::print("  {:<16} {}{}\n{}", candidate->name(), candidate->capabilities().description,
               candidate->capabilities().emulation ? " (validated only when named)" : "",
               DescribeCapabilities(*candidate));
  }
  fmt::print("\npresets:\n");
  for (const ModelPreset& p : ModelPresets()) {
    fmt::print(
        "  {:<20} {:<44} heads {:>3}/{:<3} head_dim {:>3} rotary {:>3} {:<11} base {:g} {}\n",
        p.name, p.model, p.q_heads, p.kv_heads, p.spec.head_dim, p.spec.rotary_dim,
        ToString(p.spec.pairing), p.spec.base, ToString(p.spec.scaling));
  }
  const nlohmann::json highway = HighwayTargets();
  auto names = [](const nlohmann::json& list) {
    return Join(list.get<std::vector<std::string>>());
  };
  fmt::print(
      "\nhighway targets: compiled {}; supported here {}; chosen {}; bf16 rounding {}; f16 store "
      "{}\n",
      names(highway["compiled"]), names(highway["supported"]),
      highway["chosen"].is_string() ? highway["chosen"].get<std::string>() : "none",
      highway["bf16_rounding"].get<std::string>(),
      HighwayHasConvertingF16Store()
          ? "converting or separate, the faster timed per run (--f16-store)"
          : "separate");
  if (highway.contains("cpu_target_cap")) {
    fmt::print("  (acting as a CPU whose best target is {}: ROPEBENCH_CPU_TARGET is set)\n",
               highway["cpu_target_cap"].get<std::string>());
  }
  return kExitPass;
}

std::span<const Command> Commands();

int Help(const ParsedArgs&, const std::vector<std::string>&) {
  fmt::print(
      "ropebench: is a RoPE implementation right, for the exact convention a model uses, out to "
      "the\n"
      "longest positions?\n\nusage: ropebench <command> [flags]\n\ncommands:\n");
  for (const Command& c : Commands()) fmt::print("  {:<10} {}\n", c.name, c.summary);
  fmt::print(
      "\n'ropebench <command> --help' shows a command's flags.\n"
      "exit codes: 0 every check passed, 1 a check failed (compare: a regression), 2 bad usage or "
      "invalid input,\n3 (compare --fail-on-inconclusive) no regression found but some benchmark "
      "inconclusive,\n130 interrupted by Ctrl-C (143: SIGTERM): the report holds what finished, "
      "marked partial.\n");
  return kExitPass;
}

std::span<const Command> Commands() {
  auto plain = [](int (*fn)(const ParsedArgs&, const std::vector<std::string>&)) {
    return [fn](const ParsedArgs& args, const std::vector<std::string>& command_line,
                const std::vector<std::string>&) { return fn(args, command_line); };
  };
  static const Command kCommands[] = {
      {"run",
       "the main job: validate, sweep extrapolation, probe bandwidth and benchmark every built-in "
       "candidate; write reports/<host>-<UTC>.json",
       "ropebench run", kRunFlags, 0, true, Run},
      {"validate", "validate candidates against the float64 reference", "ropebench validate",
       kValidateFlags, 0, false, plain(Validate)},
      {"bench", "benchmark candidates across sequence lengths beside this machine's bandwidth",
       "ropebench bench", kBenchFlags, 0, true, Bench},
      {"vectors", "test cases as files for a program in any language, and its outputs judged",
       "ropebench vectors export | check DIR OUT_DIR", kVectorsFlags, 3, false, plain(Vectors)},
      {"compare",
       "two reports into a CI verdict per benchmark (regression, pass, improved, inconclusive) and "
       "for accuracy",
       "ropebench compare BASE.json HEAD.json | --machines A.json B.json ...", kCompareFlags, 64,
       false,
       [](const ParsedArgs& args, const std::vector<std::string>&,
          const std::vector<std::string>&) { return CompareCommand(args); }},
      {"report", "a saved report as one self-contained HTML page of plots",
       "ropebench report REPORT.json", kReportFlags, 1, false,
       [](const ParsedArgs& args, const std::vector<std::string>&,
          const std::vector<std::string>&) { return ReportCommand(args); }},
      {"show", "print the summary of a saved report", "ropebench show REPORT.json",
       std::span(kNoFlags, 0), 1, false, plain(Show)},
      {"list", "candidates with what they support, and the model presets", "ropebench list",
       kListFlags, 0, false, plain(List)},
      {"help", "this overview", "ropebench help", std::span(kNoFlags, 0), 0, false, plain(Help)},
  };
  return kCommands;
}

}  // namespace

int RunCli(const std::vector<std::string>& args) {
  std::vector<std::string> command_line = {"ropebench"};
  command_line.insert(command_line.end(), args.begin(), args.end());
  const std::string name = args.empty() ? "help" : args.front();
  if (name == "--help" || name == "-h") return Help({}, command_line);
  const auto commands = Commands();
  auto command = std::find_if(commands.begin(), commands.end(),
                              [&](const Command& c) { return c.name == name; });
  if (command == commands.end()) {
    fmt::print(stderr, "ropebench: unknown command '{}' (try 'ropebench help')\n", name);
    return kExitUsage;
  }
  ParsedArgs parsed;
  std::vector<std::string> rest, gbench_flags;
  for (size_t i = 1; i < args.size(); ++i) {
    const bool gbench = args[i].rfind("--benchmark_", 0) == 0 && command->passes_benchmark_flags;
    (gbench ? gbench_flags : rest).push_back(args[i]);
  }
  if (const std::string error = ParseArgs(rest, command->flags, command->max_positional, parsed);
      !error.empty()) {
    fmt::print(stderr, "ropebench {}: {} (try 'ropebench {} --help')\n", name, error, name);
    return kExitUsage;
  }
  if (parsed.Has("help")) {
    fmt::print("{}\n\nusage: {}\n", command->summary,
               Synopsis(command->usage, command->flags,
                        command->passes_benchmark_flags ? "[--benchmark_*...]" : ""));
    if (!command->flags.empty()) fmt::print("\nflags:\n{}", FlagHelp(command->flags));
    return kExitPass;
  }
  try {
    return command->run(parsed, command_line, gbench_flags);
  } catch (const UsageError& error) {
    fmt::print(stderr, "ropebench {}: {}\n", name, error.message);
    return kExitUsage;
  } catch (const nlohmann::json::exception& error) {
    // A report or file the readers accepted but that holds a value of an unexpected type where a
    // command reads it: still one line and exit 2, never a crash.
    fmt::print(stderr, "ropebench {}: unexpected value in the input: {}\n", name, error.what());
    return kExitUsage;
  }
}

}  // namespace ropebench
