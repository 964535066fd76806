// Preloaded into ropebench under valgrind on a CPU that does not advertise RDTSCP: libhwy's
// load-time timer calibration (hwy::platform::TimerResolution, called through the PLT, so a
// preloaded definition replaces it) executes RDTSCP, which such a (virtual) CPU runs anyway but
// valgrind's decoder refuses as an illegal instruction, stopping the process before any ropebench
// code runs. ropebench never reads Highway's timer (its benchmarks time with Google Benchmark), so
// any value serves.
#include <cstdint>

namespace hwy::platform {

uint64_t TimerResolution() { return 1; }

}  // namespace hwy::platform
