// A vectors manifest.json on any bytes: ReadManifest parses it, checks every field and each case's
// spec as the ABI spells it, and names the first problem.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "reports/vectors/vectors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::filesystem::path dir = [] {
    auto d =
        std::filesystem::temp_directory_path() / ("ropebench-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  std::ofstream(dir / "manifest.json", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  std::vector<ropebench::VectorCase> cases;
  (void)ropebench::ReadManifest(dir.string(), cases);
  return 0;
}
