// What machine a run happened on, for the report's `machine` section: CPU identity and ISA flags,
// cores, caches, Highway's targets, OS, memory. Read from cpuid, /proc and /sys; absent facts are
// left out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace ropebench {

struct CacheLevel {
  int level = 0;
  std::string type;  // "Data", "Instruction", "Unified"
  int64_t bytes = 0;
  int shared_by_cpus = 1;  // 0: not reported
};

// The data and unified caches of CPU 0, from /sys; empty when unreadable. (The report's
// machine.caches falls back to what cpuid says, marked "source": "cpuid"; the probe's sizes do not,
// since a VM's cpuid may describe the whole socket.)
std::vector<CacheLevel> CpuCaches();
// The bytes of a core's L2 data (or unified) cache from CpuCaches, or `fallback` when unknown.
int64_t CoreL2Bytes(int64_t fallback);

nlohmann::json DescribeMachine(int threads_used);

// Highway's targets: compiled into this binary, supported by this CPU, and the one dispatch picks.
nlohmann::json HighwayTargets();

// Installed memory in bytes, 0 when unknown.
int64_t PhysicalMemoryBytes();

// This machine's host name, "unknown-host" when it has none.
std::string HostName();

}  // namespace ropebench
