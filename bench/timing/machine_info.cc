#include "bench/timing/machine_info.h"

#include <cpuid.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "impls/highway/highway_targets.h"

namespace ropebench {
namespace {

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// "48K" -> 49152.
int64_t ParseSize(const std::string& text) {
  if (text.empty()) return 0;
  int64_t value = std::atoll(text.c_str());
  switch (text.back()) {
    case 'K':
      return value << 10;
    case 'M':
      return value << 20;
    case 'G':
      return value << 30;
    default:
      return value;
  }
}

// The first value of a "key : value" line of /proc/cpuinfo.
std::string CpuinfoField(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(std::min(colon + 2, line.size()));
    }
  }
  return "";
}

nlohmann::json CpuIdentity() {
  nlohmann::json cpu = nlohmann::json::object();
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(0, &a, &b, &c, &d)) {
    char vendor[13] = {};
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &d, 4);
    std::memcpy(vendor + 8, &c, 4);
    cpu["vendor"] = vendor;
  }
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    const unsigned base_family = (a >> 8) & 0xF, base_model = (a >> 4) & 0xF;
    const unsigned family = base_family == 0xF ? base_family + ((a >> 20) & 0xFF) : base_family;
    const unsigned model = (base_family == 0x6 || base_family == 0xF)
                               ? base_model + (((a >> 16) & 0xF) << 4)
                               : base_model;
    cpu["family"] = family;
    cpu["model"] = model;
    cpu["stepping"] = a & 0xF;
  }
  unsigned brand[12] = {};
  if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
    for (unsigned leaf = 0; leaf < 3; ++leaf) {
      __get_cpuid(0x80000002 + leaf, &brand[4 * leaf], &brand[4 * leaf + 1], &brand[4 * leaf + 2],
                  &brand[4 * leaf + 3]);
    }
    std::string text(reinterpret_cast<const char*>(brand), sizeof brand);
    text = text.c_str();
    text.erase(0, text.find_first_not_of(' '));
    cpu["brand"] = text;
  }
  std::vector<std::string> flags;
  std::istringstream words(CpuinfoField("flags"));
  for (std::string flag; words >> flag;) flags.push_back(flag);
  std::sort(flags.begin(), flags.end());
  cpu["isa_flags"] = flags;
  return cpu;
}

// The data and unified caches as the CPU itself reports them, for machines (VMs) without
// /sys/.../cache: the deterministic cache leaf (4 on Intel, 0x8000001D on AMD), else AMD's legacy
// size leaves. A hypervisor may pass the whole socket's L3 through, so these only label the report.
std::vector<CacheLevel> CpuidCaches() {
  std::vector<CacheLevel> caches;
  unsigned a = 0, b = 0, c = 0, d = 0;
  for (unsigned leaf : {4u, 0x8000001Du}) {
    for (unsigned index = 0; index < 16 && __get_cpuid_count(leaf, index, &a, &b, &c, &d);
         ++index) {
      const unsigned type = a & 31;  // 1 data, 2 instruction, 3 unified, 0 no more
      if (type == 0) break;
      if (type == 2) continue;
      const int64_t ways = ((b >> 22) & 1023) + 1, partitions = ((b >> 12) & 1023) + 1,
                    line = (b & 4095) + 1, sets = int64_t{c} + 1;
      caches.push_back({static_cast<int>((a >> 5) & 7), type == 1 ? "Data" : "Unified",
                        ways * partitions * line * sets, static_cast<int>(((a >> 14) & 4095) + 1)});
    }
    if (!caches.empty()) return caches;
  }
  if (__get_cpuid(0x80000005, &a, &b, &c, &d) && (c >> 24) != 0)
    caches.push_back({1, "Data", int64_t{c >> 24} << 10, 1});
  if (__get_cpuid(0x80000006, &a, &b, &c, &d)) {
    if ((c >> 16) != 0) caches.push_back({2, "Unified", int64_t{c >> 16} << 10, 1});
    if ((d >> 18) != 0) caches.push_back({3, "Unified", int64_t{d >> 18} << 19, 0});
  }
  return caches;
}

}  // namespace

std::vector<CacheLevel> CpuCaches() {
  std::vector<CacheLevel> caches;
  for (int index = 0; index < 16; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    const std::string level = ReadLine(dir + "/level");
    if (level.empty()) break;
    CacheLevel cache;
    cache.level = std::atoi(level.c_str());
    cache.type = ReadLine(dir + "/type");
    cache.bytes = ParseSize(ReadLine(dir + "/size"));
    const std::string shared = ReadLine(dir + "/shared_cpu_list");
    // "0-1" or "0,2": count the CPUs named.
    int count = 0;
    std::istringstream ranges(shared);
    for (std::string range; std::getline(ranges, range, ',');) {
      const size_t dash = range.find('-');
      count += dash == std::string::npos
                   ? 1
                   : std::atoi(range.c_str() + dash + 1) - std::atoi(range.c_str()) + 1;
    }
    cache.shared_by_cpus = std::max(count, 1);
    if (cache.type != "Instruction") caches.push_back(cache);
  }
  return caches;
}

int64_t CoreL2Bytes(int64_t fallback) {
  for (const CacheLevel& c : CpuCaches()) {
    if (c.level == 2 && c.type != "Instruction" && c.bytes > 0) return c.bytes;
  }
  return fallback;
}

nlohmann::json HighwayTargets() {
  nlohmann::json targets = {{"compiled", HighwayCompiledTargets()},
                            {"supported", HighwayCpuTargets()},
                            {"chosen", HighwayDispatchTarget()},
                            {"bf16_rounding", HighwayBF16Rounding()}};
  if (const std::string cap = HighwayCpuTargetCap(); !cap.empty()) targets["cpu_target_cap"] = cap;
  return targets;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown-host";
  return name;
}

nlohmann::json DescribeMachine(int threads_used) {
  nlohmann::json machine = CpuIdentity();
  machine["host"] = HostName();
  machine["logical_cpus"] = std::thread::hardware_concurrency();
  const std::string cores = CpuinfoField("cpu cores");
  if (!cores.empty()) machine["cores"] = std::atoi(cores.c_str());
  machine["threads_used"] = threads_used;
  nlohmann::json caches = nlohmann::json::array();
  std::vector<CacheLevel> levels = CpuCaches();
  const bool from_sysfs = !levels.empty();
  if (!from_sysfs) levels = CpuidCaches();
  for (const CacheLevel& c : levels) {
    caches.push_back({{"level", c.level},
                      {"type", c.type},
                      {"bytes", c.bytes},
                      {"shared_by_cpus", c.shared_by_cpus},
                      {"source", from_sysfs ? "sysfs" : "cpuid"}});
  }
  machine["caches"] = caches;
  machine["highway"] = HighwayTargets();
  utsname system{};
  if (uname(&system) == 0) {
    machine["os"] = system.sysname;
    machine["kernel"] = system.release;
    machine["arch"] = system.machine;
  }
  const std::string pretty = [] {
    std::ifstream in("/etc/os-release");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("PRETTY_NAME=", 0) == 0) {
        std::string value = line.substr(12);
        value.erase(std::remove(value.begin(), value.end(), '"'), value.end());
        return value;
      }
    }
    return std::string();
  }();
  if (!pretty.empty()) machine["distribution"] = pretty;
  if (const int64_t memory = PhysicalMemoryBytes(); memory > 0) machine["memory_bytes"] = memory;
  return machine;
}

int64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? int64_t{pages} * page_size : 0;
}

}  // namespace ropebench
