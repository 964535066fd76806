// NumPy's .npy format (format version 1.0 written; 1.0, 2.0 and 3.0 read), for the vectors protocol
// through which programs in any language are judged: little-endian, C order, the dtypes the
// protocol uses (<f4, <f2, <u2 for bf16 bits, <i8 positions, <f8 expected outputs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ropebench {

struct NpyArray {
  std::string descr;  // NumPy's dtype string, e.g. "<f4"
  std::vector<int64_t> shape;
  std::vector<unsigned char> data;  // C order, little-endian, product(shape) items

  int64_t items() const;
};

// The size of one item of a descr this reader knows, or 0.
int NpyItemBytes(const std::string& descr);

// "" or a one-line error naming the file and the problem (not .npy, a header that does not parse or
// lies about the size, an unsupported dtype, Fortran order, truncated data, trailing bytes).
std::string ReadNpy(const std::string& path, NpyArray& out);
std::string WriteNpy(const std::string& path, const NpyArray& array);

}  // namespace ropebench
