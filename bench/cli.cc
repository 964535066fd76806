#include "bench/cli.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <span>

#include "bench/cli_args.h"
#include "bench/progress.h"
#include "bench/spec_argument.h"
#include "bench/summary.h"
#include "bench/validator.h"
#include "fmt/format.h"
#include "impls/registry.h"
#include "reference/presets.h"
#include "reports/report_json.h"

namespace ropebench {
namespace {

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitUsage = 2;

// Carries a one-line usage error out of option resolution.
struct UsageError {
  std::string message;
};

struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;
  std::span<const FlagSpec> flags;
  size_t max_positional;
  std::function<int(const ParsedArgs&, const std::vector<std::string>& command_line)> run;
};

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
    {"quiet", "", "no progress on stderr"},
};

constexpr FlagSpec kRunFlags[] = {
    {"candidate", "NAME", "restrict to these candidates (repeatable, or a comma list)"},
    {"preset", "NAME", "restrict conformance to these presets (repeatable)"},
    {"dtype", "DTYPE", "restrict to these dtypes (repeatable)"},
    {"out", "DIR", "where the report goes (default reports)"},
    {"quiet", "", "no progress on stderr"},
};

constexpr FlagSpec kNoFlags[] = {{"", "", ""}};

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ", ") + item;
  return joined;
}

std::vector<Candidate*> ResolveCandidates(const Registry& registry, const ParsedArgs& args) {
  const std::vector<std::string> names = args.List("candidate");
  std::vector<Candidate*> chosen;
  if (names.empty()) {
    for (Candidate* candidate : registry.All()) {
      if (!candidate->capabilities().emulation) chosen.push_back(candidate);
    }
    return chosen;
  }
  for (const std::string& name : names) {
    Candidate* candidate = registry.Find(name);
    if (candidate == nullptr) {
      std::vector<std::string> known;
      for (Candidate* c : registry.All()) known.emplace_back(c->name());
      throw UsageError{fmt::format("unknown candidate '{}' (known: {})", name, Join(known))};
    }
    if (std::find(chosen.begin(), chosen.end(), candidate) == chosen.end())
      chosen.push_back(candidate);
  }
  return chosen;
}

std::vector<DType> ResolveDTypes(const ParsedArgs& args) {
  std::vector<DType> dtypes;
  for (const std::string& name : args.List("dtype")) {
    const std::optional<DType> dtype = ParseDType(name);
    if (!dtype) throw UsageError{fmt::format("unknown dtype '{}' (known: f32, f16, bf16)", name)};
    dtypes.push_back(*dtype);
  }
  return dtypes;
}

std::vector<std::string> ResolvePresets(const ParsedArgs& args) {
  std::vector<std::string> presets = args.List("preset");
  for (const std::string& name : presets) {
    if (FindPreset(name) == nullptr) {
      std::vector<std::string> known;
      for (const ModelPreset& p : ModelPresets()) known.emplace_back(p.name);
      throw UsageError{fmt::format("unknown preset '{}' (known: {})", name, Join(known))};
    }
  }
  return presets;
}

CustomSpec ResolveCustomSpec(const ParsedArgs& args) {
  CustomSpec custom;
  if (const std::string error = ParseSpecArgument(args.Value("spec"), custom.spec);
      !error.empty()) {
    throw UsageError{error};
  }
  const std::vector<std::string> heads = args.List("heads");
  if (heads.empty()) return custom;
  const UsageError usage{"--heads takes Q,KV with 1 <= KV <= Q <= 1024, e.g. --heads 32,8"};
  if (heads.size() != 2) throw usage;
  char* end_q = nullptr;
  char* end_kv = nullptr;
  const long q = std::strtol(heads[0].c_str(), &end_q, 10);
  const long kv = std::strtol(heads[1].c_str(), &end_kv, 10);
  if (*end_q != '\0' || *end_kv != '\0' || q < 1 || kv < 1 || q > 1024 || kv > q) throw usage;
  custom.q_heads = static_cast<int>(q);
  custom.kv_heads = static_cast<int>(kv);
  return custom;
}

std::string UtcTime(std::time_t when, const char* format) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[64];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown-host";
  return name;
}

nlohmann::json Envelope(const std::vector<std::string>& command_line, std::time_t start,
                        double seconds) {
  utsname system{};
  uname(&system);
  return {
      {"schema_version", kReportSchemaVersion},
      {"tool",
       {{"name", "ropebench"},
        {"version", ROPEBENCH_VERSION},
        {"git_commit", ROPEBENCH_GIT_COMMIT},
        {"compiler", fmt::format("{} {}", __GNUC__ ? "gcc-compatible" : "unknown", __VERSION__)},
        {"flags", ROPEBENCH_CXX_FLAGS},
        {"build_type", ROPEBENCH_BUILD_TYPE}}},
      {"machine",
       {{"host", HostName()},
        {"os", fmt::format("{} {} {}", system.sysname, system.release, system.machine)}}},
      {"run",
       {{"command_line", command_line},
        {"start_time", UtcTime(start, "%Y-%m-%dT%H:%M:%SZ")},
        {"duration_s", seconds}}}};
}

// Runs the plan with progress, prints the summary, writes the report when asked. Returns the exit
// code.
int ValidateAndReport(const ValidationPlan& plan, bool quiet, const std::string& json_path,
                      const std::vector<std::string>& command_line) {
  const std::time_t start = std::time(nullptr);
  const auto started = std::chrono::steady_clock::now();
  ValidationResults results;
  {
    Progress progress("validate", stderr);
    results =
        RunValidation(plan, [&](size_t done, size_t total, double fraction, std::string_view what) {
          if (!quiet) progress.Update(done, total, fraction, what);
        });
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  PrintValidationSummary(stdout, results);
  fmt::print("\n{} in {:.1f}s\n", AllPassed(results) ? "all checks passed" : "CHECKS FAILED",
             seconds);
  if (!json_path.empty()) {
    nlohmann::json report = Envelope(command_line, start, seconds);
    report.update(ValidationJson(results));
    if (const std::string error = WriteJsonFile(json_path, report); !error.empty()) {
      fmt::print(stderr, "ropebench: {}\n", error);
      return kExitUsage;
    }
    fmt::print("report: {}\n", json_path);
  }
  return AllPassed(results) ? kExitPass : kExitFail;
}

// The plan the flags ask for; `validate` and `run` share it (each parser admits only its own
// flags).
ValidationPlan PlanFromFlags(const Registry& registry, const ParsedArgs& args) {
  ValidationPlan plan;
  plan.candidates = ResolveCandidates(registry, args);
  plan.filter.presets = ResolvePresets(args);
  plan.filter.dtypes = ResolveDTypes(args);
  const std::string suite = args.Value("suite", "all");
  if (suite != "all" && suite != "conformance" && suite != "extrapolation") {
    throw UsageError{
        fmt::format("unknown suite '{}' (known: conformance, extrapolation, all)", suite)};
  }
  plan.conformance = suite != "extrapolation";
  plan.extrapolation = suite != "conformance";
  if (!plan.filter.presets.empty()) {
    plan.extrapolation_options = {plan.filter.presets.front(),
                                  FindPreset(plan.filter.presets.front())->spec};
  }
  if (args.Has("spec")) {
    plan.filter.custom = ResolveCustomSpec(args);
    plan.extrapolation_options = {"custom", plan.filter.custom->spec};
  } else if (args.Has("heads")) {
    throw UsageError{"--heads goes with --spec"};
  }
  return plan;
}

int Validate(const ParsedArgs& args, const std::vector<std::string>& command_line) {
  const Registry registry = BuiltinRegistry();
  return ValidateAndReport(PlanFromFlags(registry, args), args.Has("quiet"), args.Value("json"),
                           command_line);
}

int Run(const ParsedArgs& args, const std::vector<std::string>& command_line) {
  const Registry registry = BuiltinRegistry();
  const std::filesystem::path path =
      std::filesystem::path(args.Value("out", "reports")) /
      fmt::format("{}-{}.json", HostName(), UtcTime(std::time(nullptr), "%Y%m%dT%H%M%SZ"));
  return ValidateAndReport(PlanFromFlags(registry, args), args.Has("quiet"), path.string(),
                           command_line);
}

std::string Capabilities(const Candidate& candidate) {
  const ropebench::Capabilities& c = candidate.capabilities();
  std::vector<std::string> dtypes, pairings, scalings;
  for (DType d : c.dtypes) dtypes.emplace_back(ToString(d));
  for (Pairing p : c.pairings) pairings.emplace_back(ToString(p));
  for (Scaling s : c.scalings) scalings.emplace_back(ToString(s));
  return fmt::format("    dtypes: {}; pairings: {}; strided: {}\n    scalings: {}\n", Join(dtypes),
                     Join(pairings), c.strided ? "yes" : "no", Join(scalings));
}

int List(const ParsedArgs&, const std::vector<std::string>&) {
  fmt::print("candidates:\n");
  const Registry registry = BuiltinRegistry();
  for (Candidate* candidate : registry.All()) {
    fmt::print("  {:<16} {}{}\n{}", candidate->name(), candidate->capabilities().description,
               candidate->capabilities().emulation ? " (validated only when named)" : "",
               Capabilities(*candidate));
  }
  fmt::print("\npresets:\n");
  for (const ModelPreset& p : ModelPresets()) {
    fmt::print(
        "  {:<20} {:<44} heads {:>3}/{:<3} head_dim {:>3} rotary {:>3} {:<11} base {:g} {}\n",
        p.name, p.model, p.q_heads, p.kv_heads, p.spec.head_dim, p.spec.rotary_dim,
        ToString(p.spec.pairing), p.spec.base, ToString(p.spec.scaling));
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
      "exit codes: 0 every check passed, 1 a check failed, 2 bad usage or invalid input.\n");
  return kExitPass;
}

std::span<const Command> Commands() {
  static const Command kCommands[] = {
      {"run", "the main job: validate every built-in candidate and write reports/<host>-<UTC>.json",
       "ropebench run [--candidate NAME]... [--preset NAME]... [--dtype DTYPE]... [--out DIR]",
       kRunFlags, 0, Run},
      {"validate", "validate candidates against the float64 reference",
       "ropebench validate [--candidate NAME]... [--preset NAME]... [--spec SPEC [--heads Q,KV]]\n"
       "                          [--suite conformance|extrapolation|all] [--dtype "
       "f32|f16|bf16]... "
       "[--json FILE]",
       kValidateFlags, 0, Validate},
      {"list", "candidates with what they support, and the model presets", "ropebench list",
       std::span(kNoFlags, 0), 0, List},
      {"help", "this overview", "ropebench help", std::span(kNoFlags, 0), 0, Help},
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
  const std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
  if (const std::string error = ParseArgs(rest, command->flags, command->max_positional, parsed);
      !error.empty()) {
    fmt::print(stderr, "ropebench {}: {} (try 'ropebench {} --help')\n", name, error, name);
    return kExitUsage;
  }
  if (parsed.Has("help")) {
    fmt::print("{}\n\nusage: {}\n", command->summary, command->usage);
    if (!command->flags.empty()) fmt::print("\nflags:\n{}", FlagHelp(command->flags));
    return kExitPass;
  }
  try {
    return command->run(parsed, command_line);
  } catch (const UsageError& error) {
    fmt::print(stderr, "ropebench {}: {}\n", name, error.message);
    return kExitUsage;
  }
}

}  // namespace ropebench
