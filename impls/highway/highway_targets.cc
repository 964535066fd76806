#include "impls/highway/highway_targets.h"

#include <cstdio>
#include <cstdlib>

#include "hwy/targets.h"

namespace ropebench {

namespace {

std::vector<std::string> TargetNames(int64_t targets);
std::string Joined(const std::vector<std::string>& names);

// kCpuTargetEnvironment=NAME makes the process behave as a CPU whose best target is NAME (every
// better one disabled), so that a developer sees what a machine without, say, AVX-512 will see.
constexpr const char* kCpuTargetEnvironment = "ROPEBENCH_CPU_TARGET";

int64_t CappedByEnvironment(int64_t supported) {
  const char* name = std::getenv(kCpuTargetEnvironment);
  if (name == nullptr || *name == '\0') return supported;
  for (int64_t rest = HWY_TARGETS; rest != 0; rest &= rest - 1) {
    const int64_t target = rest & -rest;
    if (std::string_view(name) != hwy::TargetName(target)) continue;
    if ((supported & target) == 0) break;
    hwy::DisableTargets(target - 1);
    return supported & ~(target - 1);
  }
  // At start-up, before any caller can be told: one line naming the variable, then exit 2.
  std::fprintf(stderr, "%s=%s: not a compiled Highway target this CPU runs (%s)\n",
               kCpuTargetEnvironment, name, Joined(TargetNames(supported)).c_str());
  std::exit(2);
}

// What this CPU supports (capped by kCpuTargetEnvironment), read before any target is pinned
// (pinning changes what Highway's SupportedTargets() returns afterwards).
int64_t CpuTargets() {
  static const int64_t targets = CappedByEnvironment(hwy::SupportedTargets() & HWY_TARGETS);
  return targets;
}

std::vector<std::string> TargetNames(int64_t targets) {
  std::vector<std::string> names;
  for (int64_t rest = targets; rest != 0; rest &= rest - 1) {
    names.emplace_back(hwy::TargetName(rest & -rest));  // lowest bit = best target
  }
  return names;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

}  // namespace

std::string HighwayCpuTargetCap() {
  CpuTargets();  // the cap is checked there
  const char* name = std::getenv(kCpuTargetEnvironment);
  return name == nullptr ? "" : name;
}

std::vector<std::string> HighwayCompiledTargets() { return TargetNames(HWY_TARGETS); }
std::vector<std::string> HighwayCpuTargets() { return TargetNames(CpuTargets()); }

std::string PinHighwayTarget(std::string_view name) {
  const int64_t cpu = CpuTargets();
  for (int64_t rest = HWY_TARGETS; rest != 0; rest &= rest - 1) {
    const int64_t target = rest & -rest;
    if (name != hwy::TargetName(target)) continue;
    if ((cpu & target) == 0) {
      return "Highway target " + std::string(name) + " is not supported by this CPU (it runs " +
             Joined(HighwayCpuTargets()) + ")";
    }
    hwy::DisableTargets(target - 1);  // every better target: dispatch then picks this one
    return "";
  }
  return "unknown Highway target '" + std::string(name) +
         "' (compiled: " + Joined(HighwayCompiledTargets()) + ")";
}

}  // namespace ropebench
