#include "bench/cli/cli_plans.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "bench/cli/spec_argument.h"
#include "bench/timing/machine_info.h"
#include "fmt/format.h"
#include "impls/external/exec_candidate.h"
#include "impls/external/isolated_candidate.h"
#include "impls/external/plugin_candidate.h"
#include "reference/presets.h"

namespace ropebench {

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ", ") + item;
  return joined;
}

namespace {

std::vector<Candidate*> ResolveCandidates(const Registry& registry, const ParsedArgs& args) {
  const std::vector<std::string> names = args.List("candidate");
  std::vector<Candidate*> chosen;
  if (names.empty()) {
    // With plugins or programs given, they are what the user came to judge; else every built-in
    // that is not an emulation.
    const bool external = args.Has("plugin") || args.Has("exec") || args.Has("serve");
    for (Candidate* candidate : registry.All()) {
      const Capabilities& c = candidate->capabilities();
      if (external ? c.external : !c.emulation) chosen.push_back(candidate);
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

// A comma list of positive integers: --tokens 1,128,4096.
std::vector<int64_t> ResolveCounts(const ParsedArgs& args, std::string_view flag, int64_t max,
                                   std::vector<int64_t> fallback) {
  const std::vector<std::string> items = args.List(flag);
  if (items.empty()) return fallback;
  std::vector<int64_t> counts;
  for (const std::string& item : items) {
    char* end = nullptr;
    const long long value = std::strtoll(item.c_str(), &end, 10);
    if (*end != '\0' || value < 1 || value > max) {
      throw UsageError{fmt::format("--{}: '{}' is not a whole number in [1, {}]", flag, item, max)};
    }
    counts.push_back(value);
  }
  return counts;
}

double ResolveSeconds(const ParsedArgs& args, std::string_view flag, double max, double fallback) {
  if (!args.Has(flag)) return fallback;
  const std::string text = args.Value(flag);
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !(seconds > 0) || seconds > max) {
    throw UsageError{
        fmt::format("--{}: '{}' is not a number of seconds in (0, {:g}]", flag, text, max)};
  }
  return seconds;
}

}  // namespace

void AddExternalCandidates(Registry& registry, const ParsedArgs& args) {
  const double timeout = ResolveSeconds(args, "timeout", 86400, kIsolatedCallSeconds);
  auto add = [&](std::unique_ptr<Candidate> candidate, const std::string& what) {
    const std::string name(candidate->name());
    if (!registry.Add(std::move(candidate))) {
      throw UsageError{fmt::format("{}: its name '{}' is already taken", what, name)};
    }
  };
  for (const std::string& path : args.Values("plugin")) {
    std::error_code ignored;
    if (!std::filesystem::is_regular_file(path, ignored)) {
      throw UsageError{"plugin " + path + ": no such file"};
    }
    std::string error;
    std::unique_ptr<Candidate> plugin = LoadPlugin(path, error);
    if (plugin == nullptr) {
      // A defect of the plugin, not of the command: said now, and every case reports it.
      fmt::print(stderr, "ropebench: {} (each of its cases is reported as an error)\n", error);
      add(UnusablePlugin(path, error), "plugin " + path);
      continue;
    }
    // Untrusted: every validated call in its own process.
    add(Isolated(std::move(plugin), timeout), "plugin " + path);
  }
  for (const std::string& command : args.Values("exec")) {
    if (command.find_first_not_of(" \t") == std::string::npos) {
      throw UsageError{"--exec: the command is empty"};
    }
    add(ExecCandidate(command, timeout), "--exec '" + command + "'");
  }
  for (const std::string& command : args.Values("serve")) {
    if (command.find_first_not_of(" \t") == std::string::npos) {
      throw UsageError{"--serve: the command is empty"};
    }
    std::string error;
    std::unique_ptr<Candidate> program = ServeCandidate(command, timeout, error);
    if (!error.empty()) {
      // A defect of the program, not of the command: said now, and every case reports it.
      fmt::print(stderr, "ropebench: --serve '{}': {} (each of its cases reports it)\n", command,
                 error);
    }
    add(std::move(program), "--serve '" + command + "'");
  }
}

// The benchmark plan the flags ask for, over `defaults`.
BenchmarkPlan BenchPlanFromFlags(const Registry& registry, const ParsedArgs& args,
                                 BenchmarkPlan plan) {
  plan.candidates = ResolveCandidates(registry, args);
  if (args.Has("preset")) plan.presets = ResolvePresets(args);
  if (args.Has("dtype")) plan.dtypes = ResolveDTypes(args);
  plan.tokens = ResolveCounts(args, "tokens", int64_t{1} << 22, plan.tokens);
  std::vector<int64_t> threads(plan.threads.begin(), plan.threads.end());
  threads = ResolveCounts(args, "threads", 1024, threads);
  plan.threads.assign(threads.begin(), threads.end());
  const std::vector<int64_t> repetitions =
      ResolveCounts(args, "repetitions", 1000, {plan.repetitions});
  if (repetitions.size() != 1) throw UsageError{"--repetitions takes one whole number"};
  plan.repetitions = static_cast<int>(repetitions[0]);
  if (args.Has("repetitions")) plan.repetitions_at_largest = 0;  // as asked, at every size
  plan.min_time = ResolveSeconds(args, "min-time", 60, plan.min_time);
  plan.time_budget = ResolveSeconds(args, "time-budget", 86400, plan.time_budget);
  if (args.Has("prefetch-bytes")) {
    const std::string text = args.Value("prefetch-bytes");
    char* end = nullptr;
    const long long bytes = std::strtoll(text.c_str(), &end, 10);
    constexpr long long kMostBytes = 1 << 20;
    if (text.empty() || *end != '\0' || bytes < 0 || bytes > kMostBytes || bytes % 64 != 0) {
      throw UsageError{
          fmt::format("--prefetch-bytes: '{}' is not a multiple of 64 in [0, {}] (0: no prefetch)",
                      text, kMostBytes)};
    }
    plan.prefetch_bytes = bytes;
  }
  if (args.Has("f16-store")) {
    const std::string form = args.Value("f16-store");
    if (form != "converting" && form != "separate") {
      throw UsageError{
          fmt::format("--f16-store: '{}' is neither 'converting' nor 'separate'", form)};
    }
    plan.converting_f16_store = form == "converting";
  }
  RefuseWhatCannotFit(plan, PhysicalMemoryBytes());
  return plan;
}

void RefuseWhatCannotFit(const BenchmarkPlan& plan, int64_t memory_bytes) {
  if (memory_bytes <= 0) return;
  constexpr double kGiB = 1024.0 * 1024 * 1024;
  for (const std::string& preset : plan.presets) {
    for (DType dtype : plan.dtypes) {
      for (int64_t tokens : plan.tokens) {
        // Q and K, plus the bandwidth probe's copy of up to as much: half the memory at most.
        const int64_t needed = WorkingSetBytes(preset, dtype, tokens);
        if (2 * needed > memory_bytes) {
          throw UsageError{fmt::format(
              "--tokens {}: {} {} would need {:.1f} GiB for Q and K (and as much again for the "
              "bandwidth probe); this machine has {:.1f} GiB",
              tokens, preset, ToString(dtype), needed / kGiB, memory_bytes / kGiB)};
        }
      }
    }
  }
}

nlohmann::json BenchSettings(const BenchmarkPlan& plan) {
  std::vector<std::string> candidates, dtypes;
  for (Candidate* c : plan.candidates) candidates.emplace_back(c->name());
  for (DType d : plan.dtypes) dtypes.emplace_back(ToString(d));
  return {{"candidates", candidates},
          {"presets", plan.presets},
          {"dtypes", dtypes},
          {"tokens", plan.tokens},
          {"threads", plan.threads},
          {"repetitions", plan.repetitions},
          {"repetitions_at_largest",
           plan.repetitions_at_largest > 0 ? plan.repetitions_at_largest : plan.repetitions},
          {"min_time_s", plan.min_time},
          {"time_budget_s", plan.time_budget},
          {"max_call_s", plan.max_call_seconds}};
}

nlohmann::json ValidationSettings(const ValidationPlan& plan) {
  std::vector<std::string> candidates;
  for (Candidate* c : plan.candidates) candidates.emplace_back(c->name());
  return {{"candidates", candidates},
          {"conformance", plan.conformance},
          {"extrapolation", plan.extrapolation},
          {"conformance_groups", plan.filter.groups},
          {"presets", plan.filter.presets},
          {"extrapolation_spec", plan.extrapolation_options.label}};
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

}  // namespace ropebench
