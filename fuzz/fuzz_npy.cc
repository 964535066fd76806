// The .npy reader on any bytes (through a memory file, as it reads paths), then what the vectors
// check does with an accepted array: positions, and a tensor copied into a view of a fixed shape.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "reports/vectors/npy.h"
#include "reports/vectors/vectors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("fuzz.npy", 0);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) {
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  ropebench::NpyArray array;
  if (!ropebench::ReadNpy(path, array).empty()) return 0;
  std::vector<int64_t> positions;
  (void)ropebench::ReadPositionsNpy(array, path, 4, positions);
  std::vector<float> storage(4 * 2 * 8);
  const ropebench::TensorView view{storage.data(), ropebench::DType::kF32, 4, 2, 8, 16, 8};
  (void)ropebench::CopyNpyIntoView(array, path, view);
  return 0;
}
